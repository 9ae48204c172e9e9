// Metrics and access log lines from real traffic through 2 worker threads: HTTP on the fast
// path and on Node's path, a 404, an upstream connect error, a TCPRoute session, config
// reloads. Counts and labels must match what was sent, summed over the workers.
import test from "ava";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type Server } from "node:net";
import { Registry } from "prom-client";
import { LocalProvider } from "../src/provider.js";
import { ask, deadPort, httpEcho, raw } from "./fixtures/http-backends.js";
import { desiredOf, docs, gateway, gatewayClass, http, proxyConfig, service } from "./fixtures/provider-world.js";
import { lines, sum, values } from "./fixtures/telemetry-read.js";
import { freePort, recorder, tcpLine, until } from "./fixtures/runtime-util.js";

const T = `creationTimestamp: "2025-01-01T00:00:00Z"`;

function routes(gw: string): string {
  return `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: shop, namespace: default, generation: 1, ${T} }
spec:
  parentRefs: [{ name: ${gw} }]
  rules:
  - matches: [{ path: { type: PathPrefix, value: /a } }]
    backendRefs: [{ name: one, port: 80 }]
  - name: dead
    matches: [{ path: { type: PathPrefix, value: /dead } }]
    backendRefs: [{ name: dead, port: 80 }]
`;
}

const tcpRoute = (gw: string) => `
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: { name: raw, namespace: default, generation: 1, ${T} }
spec:
  parentRefs: [{ name: ${gw} }]
  rules: [{ backendRefs: [{ name: lines, port: 80 }] }]
`;

function lineBackend(host: string): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer((s) => {
      s.setEncoding("utf8");
      s.on("error", () => undefined);
      s.on("data", (d: string) => s.end(`echo:${d.trim()}\n`));
    });
    server.listen({ host, port: 0 }, () => {
      const a = server.address();
      resolve({ server, port: typeof a === "object" && a ? a.port : 0 });
    });
  });
}

test.serial("2 workers: request, connection, L4 and reload metrics and access log lines match the traffic sent", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-telemetry-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const logPath = join(dir, "access.log");
  const one = await httpEcho("one", "127.91.0.10");
  const lines0 = await lineBackend("127.91.0.11");
  const dead = await deadPort("127.91.0.12");
  t.teardown(() => { void one.close(); lines0.server.close(); });

  const base = await freePort("127.91.1.1");
  const registry = new Registry();
  const provider = new LocalProvider({ workers: 2, portOffset: base - 80, addressPool: ["127.91.1.0/24"], logger: recorder().log, metricsRegistry: registry });
  t.teardown(() => provider.close());
  const yaml = docs(
    gatewayClass("local", "obs"),
    proxyConfig("obs", `{ accessLog: { enabled: true, sampleRatio: 1, path: "${logPath}" } }`),
    service("one", "127.91.0.10", one.port), service("dead", "127.91.0.12", dead), service("lines", "127.91.0.11", lines0.port),
    gateway("gw", `[${http("web", 80)}, { name: raw, port: 81, protocol: TCP, allowedRoutes: { kinds: [{ kind: TCPRoute }] } }]`),
    routes("gw"), tcpRoute("gw"),
  );
  const desired = desiredOf(yaml);
  const r = await provider.apply(await provider.plan(desired), desired);
  t.true(r.gateways[0]?.programmed, JSON.stringify(r.gateways[0]));
  const url = `http://127.91.1.1:${base}`;

  // Fast path: 12 GET and 4 POST with a body, each on a fresh connection (spread over the workers).
  for (let i = 0; i < 12; i++) t.is((await ask(url, { path: `/a/${i}`, headers: { host: "shop.example" } })).status, 200);
  for (let i = 0; i < 4; i++) t.is((await ask(url, { method: "POST", path: "/a/post", body: "hello", headers: { host: "shop.example" } })).status, 200);
  // Node's path: HTTP/1.0 (handed over by the fast path).
  for (let i = 0; i < 3; i++) {
    const res = await raw("127.91.1.1", base, "GET /a/old HTTP/1.0\r\nHost: shop.example\r\n\r\n");
    t.regex(res.data, /^HTTP\/1\.[01] 200/);
  }
  // 404 on the listener, 503 with a connect error.
  for (let i = 0; i < 2; i++) t.is((await ask(url, { path: "/nothing", headers: { host: "shop.example" } })).status, 404);
  t.is((await ask(url, { path: "/dead", headers: { host: "shop.example" } })).status, 503);
  // TCP: 3 sessions of one line each.
  for (let i = 0; i < 3; i++) t.is(await tcpLine("127.91.1.1", base + 1, `l${i}`), `echo:l${i}`);

  const gw = "default/gw";
  const routeLabels = { gateway: gw, listener: "web", route: "default/shop", rule: "0", backend: "Service/default/one:80" };
  // The TCP sessions' close may still be on its way in a worker: wait for their counts.
  await until(async () => sum(await values(registry, "gatehouse_proxy_l4_sessions_total"), { gateway: gw }) === 3
    && sum(await values(registry, "gatehouse_proxy_active_connections"), { gateway: gw }) === 0, "every connection to close", 250);

  const requests = await values(registry, "gatehouse_proxy_requests_total");
  t.is(sum(requests, { ...routeLabels, method: "GET", code: "2xx" }), 15);
  t.is(sum(requests, { ...routeLabels, method: "POST", code: "2xx" }), 4);
  t.is(sum(requests, { gateway: gw, listener: "web", route: "", rule: "", backend: "", method: "GET", code: "4xx" }), 2);
  t.is(sum(requests, { gateway: gw, route: "default/shop", rule: "dead", backend: "Service/default/dead:80", method: "GET", code: "5xx" }), 1);
  t.is(sum(requests, {}), 22);
  for (const v of requests) {
    t.deepEqual(Object.keys(v.labels).sort(), ["backend", "code", "gateway", "listener", "method", "route", "rule"]);
  }

  const durations = await values(registry, "gatehouse_proxy_request_duration_seconds");
  t.is(sum(durations, { ...routeLabels, method: "GET", code: "2xx" }, "gatehouse_proxy_request_duration_seconds_count"), 15);
  t.is(sum(durations, { ...routeLabels, method: "GET", code: "2xx", le: "+Inf" }, "gatehouse_proxy_request_duration_seconds_bucket"), 15);
  t.true(sum(durations, { ...routeLabels, method: "GET" }, "gatehouse_proxy_request_duration_seconds_sum") > 0);

  t.is(sum(await values(registry, "gatehouse_proxy_upstream_connect_errors_total"), { rule: "dead", backend: "Service/default/dead:80" }), 1);
  t.is(sum(await values(registry, "gatehouse_proxy_upstream_retries_total"), {}), 0);

  const conns = await values(registry, "gatehouse_proxy_connections_total");
  t.is(sum(conns, { gateway: gw, listener: "web", protocol: "http" }), 22);
  t.is(sum(conns, { gateway: gw, listener: "raw", protocol: "tcp" }), 3);

  const tcpLabels = { gateway: gw, listener: "raw", route: "default/raw", rule: "0", backend: "Service/default/lines:80", protocol: "tcp" };
  t.is(sum(await values(registry, "gatehouse_proxy_l4_sessions_total"), tcpLabels), 3);
  const bytes = await values(registry, "gatehouse_proxy_l4_bytes_total");
  t.is(sum(bytes, { ...tcpLabels, direction: "received" }), 3 * "l0\n".length);
  t.is(sum(bytes, { ...tcpLabels, direction: "sent" }), 3 * "echo:l0\n".length);

  t.is(sum(await values(registry, "gatehouse_proxy_config_reloads_total"), { result: "ok" }), 1);
  t.is(sum(await values(registry, "gatehouse_proxy_config_reload_duration_seconds"), {}, "gatehouse_proxy_config_reload_duration_seconds_count"), 1);

  // Both workers served some of it: each one's own counters add up to the total.
  const perWorker = await (provider as unknown as { pool: { snapshots(): Promise<{ series: { head: number[]; cells: [number, number[]][] }[] }[]> } }).pool.snapshots();
  t.is(perWorker.length, 2);
  for (const s of perWorker) t.true(s.series.some((x) => x.cells.length > 0), "a worker served no request");

  // The text exposition renders.
  const text = await registry.metrics();
  t.regex(text, /gatehouse_proxy_requests_total\{gateway="default\/gw",listener="web",route="default\/shop",rule="0",backend="Service\/default\/one:80",method="GET",code="2xx"\} 15/);

  // Access log: one line per request and per TCP session.
  await until(() => lines(logPath).length >= 25, "the access log lines", 250);
  const log = lines(logPath);
  t.is(log.length, 25);
  const http1 = log.filter((l) => l.protocol === "HTTP/1.1");
  t.is(http1.length, 19);
  const post = log.find((l) => l.method === "POST")!;
  t.like(post, {
    gateway: gw, listener: "web", source: "httproute/default/shop/rule/0/match/0", route: "default/shop", rule: "0",
    backend: "Service/default/one:80", endpoint: `127.91.0.10:${one.port}`, path: "/a/post", status: 200, bytes_in: 5, client: "127.0.0.1", trace_id: null,
  });
  t.true((post.bytes_out as number) > 0);
  t.true(typeof post.duration_ms === "number" && typeof post.upstream_ms === "number");
  t.regex(post.ts as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  t.is(log.filter((l) => l.protocol === "HTTP/1.0").length, 3);
  t.like(log.find((l) => l.status === 404), { listener: "web", source: "none", route: "", backend: null, endpoint: null, path: "/nothing" });
  t.like(log.find((l) => l.status === 503), { rule: "dead", path: "/dead" });
  const tcp = log.filter((l) => l.protocol === "TCP");
  t.is(tcp.length, 3);
  t.like(tcp[0], { listener: "raw", source: "tcproute/default/raw/rule/0", route: "default/raw", backend: "Service/default/lines:80", endpoint: `127.91.0.11:${lines0.port}`, bytes_in: 3, bytes_out: 8, method: null, status: null });
  // A batch is counted when its last write completes, a moment after its lines are in the file.
  const written = async () => sum(await values(registry, "gatehouse_proxy_access_log_lines_total"), { result: "written" });
  await until(async () => (await written()) >= 25, "the written-lines counter", 250);
  t.is(await written(), 25);
  t.is(sum(await values(registry, "gatehouse_proxy_access_log_lines_total"), { result: "dropped" }), 0);
});

test.serial("access log sampling 0 writes nothing; a LocalProvider without a registry leaves no metrics behind", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-telemetry-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const logPath = join(dir, "access.log");
  const one = await httpEcho("one", "127.91.0.20");
  t.teardown(() => one.close());
  const base = await freePort("127.91.2.1");
  const provider = new LocalProvider({ workers: 2, portOffset: base - 80, addressPool: ["127.91.2.0/24"], logger: recorder().log });
  t.teardown(() => provider.close());
  const yaml = docs(
    gatewayClass("local", "quiet"),
    proxyConfig("quiet", `{ accessLog: { sampleRatio: 0, path: "${logPath}" } }`),
    service("one", "127.91.0.20", one.port),
    gateway("gw", `[${http("web", 80)}]`),
    routes("gw"),
  );
  const desired = desiredOf(yaml);
  await provider.apply(await provider.plan(desired), desired);
  for (let i = 0; i < 5; i++) t.is((await ask(`http://127.91.2.1:${base}`, { path: "/a", headers: { host: "x" } })).status, 200);
  await provider.close();
  t.deepEqual(lines(logPath), []);
});
