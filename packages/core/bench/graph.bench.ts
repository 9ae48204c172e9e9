// Benchmark (not a test): 10,000 HTTPRoutes over 2,000 Services and 50,000 endpoints.
// Measures a full compute(), a one-route change (CoreSession.update on a warm session; the
// per-stage split and --profile show where a full recompute's time goes), and peak RSS. Prints figures, then one JSON line:
//   {"routes":…, "full_ms":…, "one_change_ms":…, "rss_mb":…}
// Usage: node dist/bench/graph.bench.js [--routes=N] [--runs=N] [--profile[=session]] [--default-heap]
import { Session } from "node:inspector/promises";
import { performance } from "node:perf_hooks";
import v8 from "node:v8";
import { FEATURE, ROUTE_KINDS, snapshotFromObjects, type Capabilities, type Snapshot } from "@gatehouse/model";
import { buildGraph } from "@gatehouse/graph";
import { buildDesiredState } from "@gatehouse/ir";
import { computeStatuses } from "@gatehouse/status";
import { CoreSession, V8_HEAP_FLAGS, compute } from "../src/index.js";

// The heap settings the operator runs with (see src/heap.ts); --default-heap measures V8's defaults.
const args = new Map(process.argv.slice(2).map((a) => {
  const [k, v] = a.replace(/^--/, "").split("=");
  return [k ?? "", v ?? "true"] as const;
}));
const ROUTES = Number(args.get("routes") ?? 10_000);
const SERVICES = Math.max(1, Math.round(ROUTES / 5));           // 2,000
const ENDPOINTS_PER_SERVICE = 25;                                  // 50,000 endpoints
const NAMESPACES = 20;
const GATEWAYS = 4;
const RUNS = Number(args.get("runs") ?? 7);
const NOW = "2025-01-01T00:00:00Z";
const CONTROLLER = "gatehouse.dev/local";

const caps: Capabilities = {
  controllerName: CONTROLLER,
  protocols: ["HTTP", "HTTPS", "TLS", "TCP", "UDP"],
  tlsModes: ["Terminate", "Passthrough"],
  routeKinds: [...ROUTE_KINDS],
  features: Object.values(FEATURE),
  limits: {},
};

// A self-signed certificate for *.example.com, so HTTPS listeners resolve their refs.
const CERT = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJtVENDQVQrZ0F3SUJBZ0lVWUZ2a2ZqQk5ZbmZsMzJHWXNOWkJXMGxpeU1Bd0NnWUlLb1pJemowRUF3SXcKRmpFVU1CSUdBMVVFQXd3TFpYaGhiWEJzWlM1amIyMHdJQmNOTWpZeE1USXlNVE14TXpNMldoZ1BNakV5TmpFdwpNamt4TXpFek16WmFNQll4RkRBU0JnTlZCQU1NQzJWNFlXMXdiR1V1WTI5dE1Ga3dFd1lIS29aSXpqMENBUVlJCktvWkl6ajBEQVFjRFFnQUVHZWlTZEFpN3ZmRzM5N2tVMmRZbmZaRmk0NzB3b3JqWkR3T1J1OXlJOHJ1R3R6K2MKZjlsbEZ1WEtOdkZkMENSVFNzOEp4akkvYVZjTTh2c2pWOXVMV2FObk1HVXdIUVlEVlIwT0JCWUVGQkM1dlEzNQpYWWF5bW1sZ1V0YUI4aVdKRzVaMk1COEdBMVVkSXdRWU1CYUFGQkM1dlEzNVhZYXltbWxnVXRhQjhpV0pHNVoyCk1BOEdBMVVkRXdFQi93UUZNQU1CQWY4d0VnWURWUjBSQkFzd0NZSUhLaTVsZUdGdGNHeGxMbU52YlRBS0JnZ3EKaGtqT1BRUURBZ05JQURCRkFpRUFzK0owS1BuMnZPeTNzVUd5S2pMcTZ0SzFhUDVtbXY0VFRjOFVOMU5EVGlBQwpJQWh4Ykd1bWJNbTR0WHl6R3NZZnFYaVdaRW1uQ0x4T2hMT3Z1dXlBczd0QQotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg==";
const KEY = "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JR0hBZ0VBTUJNR0J5cUdTTTQ5QWdFR0NDcUdTTTQ5QXdFSEJHMHdhd0lCQVFRZ2lOc0x6RTJqQjZyb0Z4NXcKdnJ0L3lIK3N0aDNlV3pOT0xsR0NPMVRsNlp1aFJBTkNBQVFaNkpKMENMdTk4YmYzdVJUWjFpZDlrV0xqdlRDaQp1TmtQQTVHNzNJanl1NGEzUDV4LzJXVVc1Y28yOFYzUUpGTkt6d25HTWo5cFZ3enkreU5YMjR0WgotLS0tLUVORCBQUklWQVRFIEtFWS0tLS0tCg==";

function ns(i: number): string { return `team-${i % NAMESPACES}`; }

/** The whole object set; deterministic (no randomness), so runs are comparable. */
function generate(): unknown[] {
  const out: unknown[] = [];
  out.push({ apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: { name: "bench", generation: 1 }, spec: { controllerName: CONTROLLER } });
  out.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: "infra" } });
  out.push({ apiVersion: "v1", kind: "Secret", metadata: { name: "wildcard", namespace: "infra" }, type: "kubernetes.io/tls", data: { "tls.crt": CERT, "tls.key": KEY } });
  for (let n = 0; n < NAMESPACES; n++) out.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns(n), labels: { tier: "apps" } } });
  for (let g = 0; g < GATEWAYS; g++) {
    out.push({
      apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway",
      metadata: { name: `gw-${g}`, namespace: "infra", generation: 1 },
      spec: {
        gatewayClassName: "bench",
        listeners: [
          { name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "All" } } },
          { name: "https", port: 443, protocol: "HTTPS", hostname: "*.example.com",
            tls: { mode: "Terminate", certificateRefs: [{ name: "wildcard" }] },
            allowedRoutes: { namespaces: { from: "Selector", selector: { matchLabels: { tier: "apps" } } } } },
          { name: "admin", port: 8443, protocol: "HTTPS", hostname: "admin.example.com",
            tls: { mode: "Terminate", certificateRefs: [{ name: "wildcard" }] } },
        ],
      },
    });
  }
  for (let s = 0; s < SERVICES; s++) {
    const namespace = ns(s);
    out.push({
      apiVersion: "v1", kind: "Service", metadata: { name: `svc-${s}`, namespace },
      spec: { ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }, { name: "grpc", port: 9090, appProtocol: "kubernetes.io/h2c" }] },
    });
    // Two slices per Service, as the EndpointSlice controller splits them.
    for (let half = 0; half < 2; half++) {
      const endpoints = [];
      for (let e = half; e < ENDPOINTS_PER_SERVICE; e += 2) {
        const n = s * ENDPOINTS_PER_SERVICE + e;
        endpoints.push({
          addresses: [`10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`],
          conditions: { ready: e % 10 !== 9, serving: true, terminating: e % 10 === 9 },
          zone: `zone-${e % 3}`,
        });
      }
      out.push({
        apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice",
        metadata: { name: `svc-${s}-${half}`, namespace, labels: { "kubernetes.io/service-name": `svc-${s}` } },
        addressType: "IPv4",
        ports: [{ name: "http", port: 8080, protocol: "TCP" }, { name: "grpc", port: 9090, protocol: "TCP" }],
        endpoints,
      });
    }
  }
  for (let r = 0; r < ROUTES; r++) out.push(route(r, 0));
  return out;
}

/** Route r; `version` changes its first rule's path (the one-route change). */
function route(r: number, version: number): unknown {
  const s = r % SERVICES;
  const namespace = ns(s);
  const other = (s + NAMESPACES) % SERVICES; // same namespace, another Service
  return {
    apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute",
    metadata: { name: `route-${r}`, namespace, generation: 1 + version, creationTimestamp: `2024-01-01T00:${String(Math.floor(r / 600) % 60).padStart(2, "0")}:${String(r % 60).padStart(2, "0")}Z` },
    spec: {
      parentRefs: [{ name: `gw-${r % GATEWAYS}`, namespace: "infra", sectionName: r % 3 === 0 ? "http" : "https" }],
      hostnames: [`app-${r % 500}.example.com`],
      rules: [
        {
          matches: [
            { path: { type: "PathPrefix", value: `/r${r}/v${version}` }, headers: [{ name: "x-tenant", value: `t${r % 7}` }] },
            { path: { type: "Exact", value: `/r${r}/health` }, method: "GET" },
          ],
          filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x-route", value: `route-${r}` }] } }],
          backendRefs: [{ name: `svc-${s}`, port: 80, weight: 90 }, { name: `svc-${other}`, port: 80, weight: 10 }],
          timeouts: { request: "10s" },
        },
        {
          matches: [{ path: { type: "PathPrefix", value: `/r${r}/static` }, queryParams: [{ name: "v", value: "1" }] }],
          filters: [{ type: "URLRewrite", urlRewrite: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/static" } } }],
          backendRefs: [{ name: `svc-${s}`, port: 80 }],
        },
      ],
    },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const v = f();
  return [v, performance.now() - t0];
}

const round = (x: number) => Math.round(x * 10) / 10;

/** Snapshot with route r replaced by a changed version (as a watch event would deliver it). */
function withChangedRoute(base: Snapshot, r: number, version: number): Snapshot {
  const changed = route(r, version) as Snapshot["HTTPRoute"][number];
  const name = `route-${r}`;
  return { ...base, HTTPRoute: base.HTTPRoute.map((x) => (x.metadata?.name === name && x.metadata?.namespace === changed.metadata?.namespace ? changed : x)) };
}

async function profile<T>(f: () => T): Promise<{ fn: string; selfMs: number }[]> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 1000 });
  await session.post("Profiler.start");
  f();
  const { profile: p } = await session.post("Profiler.stop");
  session.disconnect();
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const deltas = p.timeDeltas ?? [];
  (p.samples ?? []).forEach((id, i) => {
    const n = byId.get(id);
    if (!n) return;
    const cf = n.callFrame;
    const where = cf.url ? `${cf.url.replace(/^.*\/(packages|node_modules)\//, "$1/")}:${cf.lineNumber + 1}` : "";
    if (cf.url === "node:inspector") return; // the profiler's own Profiler.stop
    const key = `${cf.functionName || "(anonymous)"} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + (deltas[i] ?? 0) / 1000);
  });
  return [...self.entries()].map(([fn, selfMs]) => ({ fn, selfMs })).sort((a, b) => b.selfMs - a.selfMs);
}

async function main(): Promise<void> {
  if (!args.has("default-heap")) v8.setFlagsFromString(V8_HEAP_FLAGS);
  console.log(`gatehouse bench: V8 heap flags ${args.has("default-heap") ? "(V8 defaults)" : V8_HEAP_FLAGS}`);
  const [objects, genMs] = time(generate);
  const [{ snapshot, rejected }, snapMs] = time(() => snapshotFromObjects(objects));
  const endpoints = snapshot.EndpointSlice.reduce((n, s) => n + (s.endpoints?.length ?? 0), 0);
  console.log(`gatehouse bench: ${snapshot.HTTPRoute.length} HTTPRoutes, ${snapshot.Service.length} Services, ${snapshot.EndpointSlice.length} EndpointSlices (${endpoints} endpoints), ${snapshot.Gateway.length} Gateways; ${rejected.length} rejected`);
  console.log(`  generate ${round(genMs)} ms, snapshotFromObjects ${round(snapMs)} ms`);

  const input = { snapshot, controllers: [caps], now: NOW };
  const rssInput = process.resourceUsage().maxRSS / 1024;
  compute(input);
  const rssFirst = process.resourceUsage().maxRSS / 1024;
  console.log(`  peak RSS after building the input ${round(rssInput)} MB, after the first compute() ${round(rssFirst)} MB`);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    // Live heap (node --expose-gc): what the input and one output really hold, apart
    // from the garbage a peak RSS also counts.
    const heap = () => (gc(), process.memoryUsage().heapUsed / 1048576);
    const before = heap();
    const kept = [compute(input)];
    const after = heap();
    kept.pop();
    console.log(`  live heap: input ${round(before)} MB, one compute() output ${round(after - before)} MB`);
  }
  for (let i = 0; i < 2; i++) compute(input); // more warm-up (JIT)

  // The operator keeps the previous result while computing the next one, so two outputs
  // are alive at a time here too (`last`).
  const full: number[] = [];
  let last = compute(input);
  for (let i = 0; i < RUNS; i++) {
    const [out, ms] = time(() => compute(input));
    full.push(ms);
    last = out;
  }
  const vhosts = last.desired.gateways.reduce((n, g) => n + g.listeners.reduce((m, l) => m + l.virtualHosts.length, 0), 0);
  console.log(`  output: ${last.graph.routes.length} route nodes, ${last.desired.gateways.length} IR gateways, ${vhosts} virtual hosts, ${last.statuses.length} statuses`);
  console.log(`  full compute():   median ${round(median(full))} ms  [${full.map(round).join(", ")}]  (target ≤ 1000 ms)`);

  // One-route change as the operator runs it: a warm CoreSession (the previous state), the
  // informer's snapshot with one route object replaced (every other object the same), update().
  // Each update is short and GC-sensitive, so take more samples than for full builds, after
  // a few unmeasured ones (the operator's session is long-lived and warm).
  const session = new CoreSession();
  session.update(input);
  let current = snapshot;
  const one: number[] = [];
  const WARM = 5, ONE_RUNS = Math.max(RUNS, 31);
  for (let i = 0; i < WARM + ONE_RUNS; i++) {
    current = withChangedRoute(current, (i * 1237) % ROUTES, i + 1);
    const next = { ...input, snapshot: current };
    const [out, ms] = time(() => session.update(next));
    if (i >= WARM) one.push(ms);
    last = out;
  }
  const p90 = [...one].sort((a, b) => a - b)[Math.floor(one.length * 0.9)]!;
  console.log(`  one-route change: median ${round(median(one))} ms, p90 ${round(p90)} ms over ${one.length} updates  (CoreSession.update; target ≤ 20 ms)`);

  // Peak RSS of the measured work, before the per-stage runs and the profiler add their own.
  const rssMb = process.resourceUsage().maxRSS / 1024;

  // Where a full compute() spends its time, stage by stage.
  const stages = { graph: [] as number[], ir: [] as number[], status: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    const [graph, g] = time(() => buildGraph({ snapshot, controllers: [caps] }));
    const [, d] = time(() => buildDesiredState(graph));
    const [, s] = time(() => computeStatuses({ graph, results: [], now: NOW }));
    stages.graph.push(g); stages.ir.push(d); stages.status.push(s);
  }
  console.log(`  stages of compute() (median): graph ${round(median(stages.graph))} ms, desired state ${round(median(stages.ir))} ms, status ${round(median(stages.status))} ms`);

  if (args.has("profile")) {
    const changed = withChangedRoute(snapshot, 4242 % ROUTES, 99);
    const what = args.get("profile") === "session" ? "20 one-route CoreSession updates" : "one full recompute";
    const top = await profile(() => {
      if (args.get("profile") !== "session") return compute({ ...input, snapshot: changed });
      const s = new CoreSession();
      s.update(input);
      let snap = snapshot;
      for (let i = 0; i < 20; i++) s.update({ ...input, snapshot: (snap = withChangedRoute(snap, (i * 7919) % ROUTES, 100 + i)) });
    });
    const total = top.reduce((n, x) => n + x.selfMs, 0);
    console.log(`  profile of ${what} (${round(total)} ms sampled), top self time:`);
    for (const x of top.slice(0, 20)) console.log(`    ${round(x.selfMs).toString().padStart(7)} ms  ${x.fn}`);
    const byPkg = new Map<string, number>();
    for (const x of top) {
      const m = /packages\/([a-z-]+)\//.exec(x.fn);
      const k = m ? `@gatehouse/${m[1]}` : x.fn.startsWith("(garbage") ? "(gc)" : "(other)";
      byPkg.set(k, (byPkg.get(k) ?? 0) + x.selfMs);
    }
    console.log(`  by package: ${[...byPkg.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${round(v)} ms`).join(", ")}`);
  }

  console.log(`  peak RSS: ${round(rssMb)} MB  (target ≤ 512 MB)`);
  console.log(JSON.stringify({ routes: snapshot.HTTPRoute.length, full_ms: round(median(full)), one_change_ms: round(median(one)), rss_mb: round(rssMb) }));
}

await main();
