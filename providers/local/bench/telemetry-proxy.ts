// Child process of bench/telemetry.ts: one gatehouse proxy (1 worker) for the bench Gateway,
// with telemetry at its defaults ("on": metrics into a prom-client Registry scraped every 2 s,
// access log to stdout — a pipe the parent drains, as a container runtime does) or without
// ("off": no registry, spec.accessLog.enabled false). argv[2]: JSON { on, address, port, upstream }.
// Tells the parent `ready` over IPC; on `stop`, closes and reports the requests it counted.
import { Registry } from "prom-client";
import { snapshotFromObjects } from "@gatehouse/model";
import { compute } from "@gatehouse/core";
import { LOCAL_CONTROLLER, capabilitiesFor } from "../src/capabilities.js";
import { LocalProvider } from "../src/provider.js";
import { benchObjects } from "./world.js";

interface Args { on: boolean; address: string; port: number; upstream: { host: string; port: number }; workers: number }

const args = JSON.parse(process.argv[2] ?? "{}") as Args;
const objects = benchObjects({ address: args.address, port: args.port, kind: "HTTP", upstreams: [args.upstream] }) as Record<string, unknown>[];
const T = "2025-01-01T00:00:00Z";
for (const o of objects) {
  if (o.kind === "GatewayClass") {
    (o.spec as Record<string, unknown>).parametersRef = { group: "gatehouse.dev", kind: "LocalProxyConfig", name: "bench", namespace: "bench" };
  }
}
// "on" is the default settings (an empty spec); "off" turns the access log off.
objects.push({
  apiVersion: "gatehouse.dev/v1alpha1", kind: "LocalProxyConfig", metadata: { name: "bench", namespace: "bench", creationTimestamp: T },
  spec: args.on ? {} : { accessLog: { enabled: false } },
});
const { snapshot, rejected } = snapshotFromObjects(objects);
if (rejected.length) throw new Error(`bench objects rejected: ${JSON.stringify(rejected)}`);
const desired = compute({ snapshot, controllers: [capabilitiesFor(LOCAL_CONTROLLER)], now: T }).desired;

const registry = args.on ? new Registry() : undefined;
const provider = new LocalProvider({ workers: args.workers, logger: () => {}, ...(registry ? { metricsRegistry: registry } : {}) });
const res = await provider.apply(await provider.plan(desired), desired);
if (!res.gateways[0]?.programmed) throw new Error(`bench: gateway not programmed: ${res.gateways[0]?.message}`);
const scrape = registry ? setInterval(() => void registry.metrics(), 2000) : undefined;

async function counted(name: string, result?: string): Promise<number> {
  const m = registry?.getSingleMetric(name);
  if (!m) return 0;
  return ((await m.get()).values as { value: number; labels: Record<string, string> }[])
    .filter((v) => result === undefined || v.labels.result === result).reduce((n, v) => n + v.value, 0);
}

process.on("message", (m: unknown) => {
  if (m !== "stop") return;
  void (async () => {
    clearInterval(scrape);
    // Read before close (a closed provider leaves the registry).
    const requests = await counted("gatehouse_proxy_requests_total");
    const dropped = await counted("gatehouse_proxy_access_log_lines_total", "dropped");
    await provider.close();
    process.send?.({ stopped: true, requests, dropped }, () => process.exit(0));
  })();
});
process.send?.({ ready: true });
