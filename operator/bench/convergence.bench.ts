// Convergence benchmark: how long from an HTTPRoute's create call returning to its
// Accepted=True status appearing, over 200 routes created one by one, on a real control
// plane with `gatehouse run` as its own process. Statuses are observed through a watch,
// not by polling. Two passes in the same run:
//  - paced: one route every PACE_MS (250 ms), as a person or a CD pipeline applies them —
//    the figure the targets (p50 ≤ 100 ms, p99 ≤ 500 ms) are about;
//  - back-to-back: the next route as soon as the previous is Accepted; changes closer than
//    the debounce (100 ms) are coalesced on purpose, so these wait for it.
// Not a test: `pnpm bench` (GATEHOUSE_DEBOUNCE etc. pass through to the operator).
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Watch } from "@kubernetes/client-node";
import { startControlPlane } from "@gatehouse/test-harness";
import { KubeClient, GATEWAY_RESOURCES, resourcePath } from "../src/kube/client.js";

const ROUTES = Number(process.env["BENCH_ROUTES"] ?? 200);
const WARMUP = 20;
const PACE_MS = Number(process.env["BENCH_PACE_MS"] ?? 250);
const CONTROLLER = "gatehouse.dev/bench";
const main = join(fileURLToPath(new URL("../../", import.meta.url)), "dist/src/main.js");
const log = (s: string) => process.stderr.write(`${s}\n`);

const t0 = performance.now();
const cp = await startControlPlane();
log(`control plane up in ${Math.round(performance.now() - t0)} ms`);
const kube = new KubeClient(cp.kubeConfig, { userAgent: "gatehouse-bench" });
const ns = await cp.newNamespace("bench");
const port = await freePort();
const child = spawn(process.execPath, [main, "run", "--kubeconfig", cp.kubeconfigPath, "--leader-elect=false",
  "--metrics-address", `127.0.0.1:${port}`, "--health-address", `127.0.0.1:${port}`, "--controller-name", CONTROLLER], {
  stdio: ["ignore", "ignore", process.env["BENCH_LOGS"] ? "inherit" : "ignore"],
  env: { ...process.env, GATEHOUSE_LOG_LEVEL: process.env["GATEHOUSE_LOG_LEVEL"] ?? "warn" },
});
let exitCode: number | null = null;
try {
  await until(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200, "operator ready");

  // Accepted=True times by route name, from a watch on the namespace's HTTPRoutes.
  const accepted = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  const watch = await new Watch(cp.kubeConfig).watch(
    resourcePath(GATEWAY_RESOURCES.HTTPRoute, { namespace: ns }), {},
    (_phase, obj: { metadata: { name: string }; status?: { parents?: { controllerName: string; conditions?: { type: string; status: string }[] }[] } }) => {
      const name = obj.metadata.name;
      if (accepted.has(name)) return;
      const ok = obj.status?.parents?.some((p) => p.controllerName === CONTROLLER && p.conditions?.some((c) => c.type === "Accepted" && c.status === "True"));
      if (!ok) return;
      accepted.set(name, performance.now());
      waiters.get(name)?.();
    },
    (err: unknown) => { if (err && (err as { name?: string }).name !== "AbortError") log(`watch ended: ${String(err)}`); },
  );

  await create({ apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: { name: `bench-${ns}` }, spec: { controllerName: CONTROLLER } });
  await create({ apiVersion: "v1", kind: "Service", metadata: { name: "svc", namespace: ns }, spec: { ports: [{ port: 80 }] } }, "/api/v1/namespaces/" + ns + "/services");
  await create({
    apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: { name: "gw", namespace: ns },
    spec: { gatewayClassName: `bench-${ns}`, listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
  });

  const r = (x: number) => Math.round(x * 10) / 10;
  const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
  /** Creates `count` routes after `WARMUP` unmeasured ones; returns sorted latencies. */
  const pass = async (prefix: string, count: number, paceMs: number): Promise<number[]> => {
    const latencies: number[] = [];
    for (let i = 0; i < WARMUP + count; i++) {
      const name = `${prefix}-${i < WARMUP ? "warm" : "route"}-${i}`;
      const done = new Promise<void>((resolve) => waiters.set(name, resolve));
      const started = performance.now();
      await create({
        apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name, namespace: ns },
        spec: { parentRefs: [{ name: "gw" }], hostnames: [`${prefix}${i}.example.com`], rules: [{ matches: [{ path: { type: "PathPrefix", value: `/p${i}` } }], backendRefs: [{ name: "svc", port: 80 }] }] },
      });
      const created = performance.now();
      await Promise.race([done, sleep(30_000).then(() => { throw new Error(`${name}: no Accepted=True within 30 s`); })]);
      if (i >= WARMUP) latencies.push(Math.max(0, accepted.get(name)! - created));
      const rest = paceMs - (performance.now() - started);
      if (rest > 0) await sleep(rest);
    }
    return latencies.sort((a, b) => a - b);
  };
  const debounce = process.env["GATEHOUSE_DEBOUNCE"] ?? "100ms (default)";
  const paced = await pass("paced", ROUTES, PACE_MS);
  process.stdout.write(`paced (one route every ${PACE_MS} ms), ${ROUTES} HTTPRoutes, debounce ${debounce}: p50 ${r(pct(paced, 50))} ms, p90 ${r(pct(paced, 90))} ms, p99 ${r(pct(paced, 99))} ms, max ${r(paced.at(-1)!)} ms\n`);
  const b2b = await pass("b2b", ROUTES, 0);
  process.stdout.write(`back-to-back, ${ROUTES} HTTPRoutes: p50 ${r(pct(b2b, 50))} ms, p90 ${r(pct(b2b, 90))} ms, p99 ${r(pct(b2b, 99))} ms, max ${r(b2b.at(-1)!)} ms\n`);
  watch.abort();
  process.stdout.write(`${JSON.stringify({ routes: ROUTES, p50_ms: r(pct(paced, 50)), p99_ms: r(pct(paced, 99)), back_to_back_p50_ms: r(pct(b2b, 50)), back_to_back_p99_ms: r(pct(b2b, 99)) })}\n`);
} catch (e) {
  log(`bench failed: ${e instanceof Error ? e.message : String(e)}`);
  exitCode = 1;
} finally {
  child.kill("SIGTERM");
  await new Promise((res) => (child.exitCode !== null ? res(undefined) : child.on("exit", res)));
  kube.close();
  await cp.stop();
}
process.exitCode = exitCode ?? 0;

async function create(body: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec?: unknown }, path?: string): Promise<void> {
  const type = (GATEWAY_RESOURCES as Record<string, (typeof GATEWAY_RESOURCES)[keyof typeof GATEWAY_RESOURCES]>)[body.kind];
  const p = path ?? resourcePath(type!, body.metadata.namespace ? { namespace: body.metadata.namespace } : {});
  const res = await kube.post<{ message?: string }>(p, body);
  if (res.status !== 201) throw new Error(`create ${body.kind} ${body.metadata.name}: ${res.status} ${res.body?.message ?? ""}`);
}

async function until(f: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await f())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port: p } = s.address() as { port: number };
      s.close(() => resolve(p));
    });
  });
}
