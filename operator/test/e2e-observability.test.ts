// End to end for the control-plane metrics a cloud backend feeds (Provider.stats and the
// programmed clock), scraped over HTTP from the operator's /metrics: a real kube-apiserver +
// etcd, the operator as `gatehouse run` assembles it, and the fake VPC Lattice API (then the
// fake Compute API) on loopback with throttling injected. What the metrics say is compared with the fake's own
// request log (every attempt, its HTTP status and error code), never with guessed numbers.
import test, { type ExecutionContext } from "ava";
import { startControlPlane } from "@gatehouse/test-harness";
import { startFakeLattice, ZERO_DELAYS, type CallRecord, type FakeLattice } from "@gatehouse/fake-lattice";
import { startFakeCompute, type Call } from "@gatehouse/fake-gcp";
import { LATTICE_CONTROLLER, LatticeProvider } from "@gatehouse/provider-aws-vpc-lattice";
import { GCP_CONTROLLER, GcpProvider, gcpClientOptionsForEndpoint } from "@gatehouse/provider-gcp";
import { annotationsOf, condition, eventually, httpGet, Kube, parentCondition, type RunningOperator, startOperator } from "./e2e-helpers.js";
import { hasFinalizer } from "../src/kube/finalizers/index.js";
import { installGatehouseCRDs } from "./local-crd.js";

const VPC = "vpc-0123456789abcdef0";
/** The provider's retry policy here: attempts per request (the first one included). */
const ATTEMPTS = 5;

interface Env { cp: Awaited<ReturnType<typeof startControlPlane>>; kube: Kube; run: RunningOperator; lattice: FakeLattice }
const env = {} as Env;

test.before(async () => {
  env.cp = await startControlPlane();
  env.kube = new Kube(env.cp);
  // Own addresses: e2e-lattice uses 127.0.60-99.x, e2e-gcp 127.0.100-139.x.
  env.lattice = await startFakeLattice({ host: `127.0.${180 + (process.pid % 40)}.1`, delays: ZERO_DELAYS });
  const provider = new LatticeProvider({
    endpoint: env.lattice.endpoint, region: env.lattice.region, credentials: { accessKeyId: "fake", secretAccessKey: "fake" },
    clusterName: "e2e-obs", vpcIdentifier: VPC, retry: { attempts: ATTEMPTS, baseMs: 10 }, pollMs: 10, driftCheckMs: 0, requeueAfterMs: 100,
  });
  env.run = await startOperator(env.cp, { controllerNames: [LATTICE_CONTROLLER] }, { providers: [provider] });
});

test.after.always(async () => {
  await env.run?.stop();
  env.kube?.close();
  await env.cp?.stop();
  await env.lattice?.close();
});

// --- Prometheus text exposition, as scraped -------------------------------------------------

interface Sample { name: string; labels: Record<string, string>; value: number }

function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparseable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]!] = l[2]!.replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    }
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

class Scrape {
  constructor(readonly samples: Sample[]) {}
  /** Samples of `name` whose labels include `labels`. */
  find(name: string, labels: Record<string, string> = {}): Sample[] {
    return this.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  }
  sum(name: string, labels: Record<string, string> = {}): number {
    return this.find(name, labels).reduce((n, s) => n + s.value, 0);
  }
}

async function scrape(run: RunningOperator): Promise<Scrape> {
  const port = run.op.http.port("metrics");
  if (port === undefined) throw new Error("the operator serves no /metrics");
  const r = await httpGet(port, "/metrics");
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
  return new Scrape(parseExposition(r.body));
}

/**
 * A scrape taken while nothing talks to the cloud: the reconciler is idle and the fake's
 * request log did not move across the scrape (so the log and the scrape describe the same
 * calls). Returns both.
 */
/** Scrapes until the controller's one Gateway shows as waiting: gauges 1 and > 0 s, nothing timed yet. */
async function scrapeOneWaiting(t: ExecutionContext, run: RunningOperator, controller: string): Promise<Scrape> {
  let waiting: Scrape | undefined;
  await eventually(async () => {
    waiting = await scrape(run);
    return waiting.find("gatehouse_gateways_not_programmed", { controller }).some((x) => x.value > 0);
  }, "gatehouse_gateways_not_programmed counts the waiting Gateway");
  t.deepEqual(waiting!.find("gatehouse_gateways_not_programmed", { controller }).map((s) => s.value), [1]);
  const oldest = waiting!.find("gatehouse_gateway_not_programmed_oldest_seconds", { controller });
  t.is(oldest.length, 1);
  t.true(oldest[0]!.value > 0, `oldest waiting ${oldest[0]!.value} s`);
  t.is(waiting!.sum("gatehouse_gateway_programmed_seconds_count", { controller }), 0, "nothing programmed yet");
  return waiting!;
}

async function quietScrape<C>(run: RunningOperator, log: () => C[]): Promise<{ scrape: Scrape; calls: C[] }> {
  let result: { scrape: Scrape; calls: C[] } | undefined;
  await eventually(async () => {
    await run.op.reconciler.idle();
    const before = log().length;
    const s = await scrape(run);
    await run.op.reconciler.idle();
    const calls = log();
    if (calls.length !== before) return false;
    result = { scrape: s, calls };
    return true;
  }, "no cloud call across a scrape");
  return result!;
}

/** `operation|result` → count, the shape of gatehouse_provider_api_calls_total for one controller. */
function apiCallsOf(s: Scrape, controller: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of s.find("gatehouse_provider_api_calls_total", { controller })) {
    out[`${x.labels["operation"]}|${x.labels["result"]}`] = (out[`${x.labels["operation"]}|${x.labels["result"]}`] ?? 0) + x.value;
  }
  return sorted(out);
}

function sorted(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}

// --- What the fake's request log says --------------------------------------------------------

const latticeOk = (c: CallRecord) => c.status !== undefined && c.status >= 200 && c.status < 300;
/** What the provider retries (client.ts isTransient) as the fake answers it: 429 throttling and 5xx. */
const latticeTransient = (c: CallRecord) => !latticeOk(c) && (c.error === "ThrottlingException" || (c.status ?? 0) >= 500);
const latticeResult = (c: CallRecord) => (latticeOk(c) ? "success" : c.error === "ThrottlingException" ? "throttled" : "error");

/** Every attempt the fake answered, by `operation|result` (result as the provider classifies it). */
function expectedLatticeCalls(calls: CallRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) out[`${c.operation}|${latticeResult(c)}`] = (out[`${c.operation}|${latticeResult(c)}`] ?? 0) + 1;
  return sorted(out);
}

/**
 * Retries the provider made, from the log: a retry repeats the same request (same operation and
 * input, so the same client token); requests are grouped that way, in order of arrival. Within a
 * group, a transient failure is followed by another attempt unless it was the ATTEMPTS-th in a
 * row (the send gives up, and a later reconcile starts a new send). Returns the retries and the
 * sends that gave up.
 */
function latticeRetries(calls: CallRecord[]): { retries: number; exhausted: number } {
  const streak = new Map<string, number>();
  let retries = 0;
  let exhausted = 0;
  for (const c of calls) {
    const key = `${c.operation} ${JSON.stringify(c.input)}`;
    const n = streak.get(key) ?? 0; // transient failures in a row before this attempt
    if (!latticeTransient(c)) { streak.delete(key); continue; }
    if (n + 1 < ATTEMPTS) { retries++; streak.set(key, n + 1); } else { exhausted++; streak.delete(key); }
  }
  return { retries, exhausted };
}

const MUTATING_LATTICE = ["CreateServiceNetwork", "CreateServiceNetworkVpcAssociation", "CreateService", "CreateServiceNetworkServiceAssociation",
  "CreateTargetGroup", "RegisterTargets", "CreateListener", "CreateRule"];

const latticeWorld = (ns: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: lattice-${ns} }
spec: { controllerName: ${LATTICE_CONTROLLER} }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw }
spec:
  gatewayClassName: lattice-${ns}
  listeners: [{ name: http, port: 80, protocol: HTTP }]
` + webBackendAndRoute(`{ addresses: ["10.9.0.1"], conditions: { ready: true } }`);

/** Service `web`, its EndpointSlice with one endpoint, and an HTTPRoute to it on the Gateway `gw`. */
function webBackendAndRoute(endpoint: string): string {
  return `---
apiVersion: v1
kind: Service
metadata: { name: web }
spec: { ports: [{ name: http, port: 80, targetPort: 8080 }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: web-a, labels: { kubernetes.io/service-name: web } }
addressType: IPv4
endpoints: [${endpoint}]
ports: [{ name: http, port: 8080, protocol: TCP }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: web }
spec:
  parentRefs: [{ name: gw }]
  hostnames: ["web.example.com"]
  rules:
  - matches: [{ path: { type: PathPrefix, value: "/" } }]
    backendRefs: [{ name: web, port: 80 }]
`;
}

test.serial("aws-vpc-lattice: /metrics counts every API attempt by result, the retries and the time to Programmed, as the fake saw them", async (t) => {
  const { lattice, kube, run } = env;
  const controller = LATTICE_CONTROLLER;
  const throttle = { kind: "throttle", retryAfterSeconds: 0 } as const;
  // The service network cannot be created until this rule goes: every send of it exhausts its
  // attempts, so the Gateway is seen not programmed first (and is timed when it gets there).
  const sn = lattice.inject.add({ operation: "CreateServiceNetwork", times: Number.POSITIVE_INFINITY, fault: throttle });
  // Throttled, then retried successfully within the same send.
  const svc = lattice.inject.add({ operation: "CreateService", times: 2, fault: throttle });
  const tg = lattice.inject.add({ operation: "CreateTargetGroup", times: 1, fault: throttle });

  const ns = await env.cp.newNamespace("obs-lattice");
  await kube.apply(latticeWorld(ns), ns);

  // Not programmed while throttled: the gauges say so, the histogram has nothing yet.
  const waitingGw = await kube.waitFor("Gateway", ns, "gw", (o) => condition(o, "Programmed")?.status === "False"
    && /ThrottlingException/.test(condition(o, "Programmed")!.message), "Gateway not Programmed: service network creation throttled");
  t.regex(condition(waitingGw, "Programmed")!.message, /ThrottlingException: Rate exceeded/);
  const waiting = await scrapeOneWaiting(t, run, controller);
  t.true(waiting.sum("gatehouse_provider_api_calls_total", { controller, operation: "CreateServiceNetwork", result: "throttled" }) >= ATTEMPTS);

  // Let it through: programmed, with the route.
  sn.remove();
  await kube.waitFor("Gateway", ns, "gw", (o) => condition(o, "Programmed")?.status === "True" && (o.status?.addresses?.length ?? 0) === 1, "Gateway Programmed");
  await kube.waitFor("HTTPRoute", ns, "web", (x) => annotationsOf(x)[`gatehouse.dev/lattice-dns-${ns}.gw`] !== undefined && hasFinalizer(x)
    && parentCondition(x, controller, "Accepted")?.status === "True", "route: DNS annotation, finalizer and Accepted");
  t.like(lattice.state.counts(), { serviceNetwork: 1, vpcAssociation: 1, service: 1, serviceAssociation: 1, listener: 1, rule: 1, targetGroup: 1, targets: 1 });

  const { scrape: end, calls } = await quietScrape(run, () => lattice.calls.list());
  t.true(calls.every((c) => c.status !== undefined), "every request was answered");

  // Every attempt, by operation and result, equals the fake's log (reads included).
  const expected = expectedLatticeCalls(calls);
  t.deepEqual(apiCallsOf(end, controller), expected);

  // The mutating operations one by one: successes are what the fake applied.
  for (const op of MUTATING_LATTICE) {
    const applied = lattice.calls.count({ operation: op, ok: true });
    t.is(end.sum("gatehouse_provider_api_calls_total", { controller, operation: op, result: "success" }), applied, `${op} success`);
  }
  // One of each resource was made: one successful create each (the fake applied it exactly once).
  for (const op of ["CreateServiceNetwork", "CreateServiceNetworkVpcAssociation", "CreateService", "CreateServiceNetworkServiceAssociation",
    "CreateTargetGroup", "CreateListener", "CreateRule", "RegisterTargets"]) {
    t.is(end.sum("gatehouse_provider_api_calls_total", { controller, operation: op, result: "success" }), 1, `${op}: one success`);
  }

  // Throttled: exactly the injected throttles, per operation.
  const throttledLog = calls.filter((c) => c.fault === "throttle");
  t.is(throttledLog.length, sn.hits + svc.hits + tg.hits);
  t.is(svc.hits, 2);
  t.is(tg.hits, 1);
  t.is(end.sum("gatehouse_provider_api_calls_total", { controller, operation: "CreateService", result: "throttled" }), 2);
  t.is(end.sum("gatehouse_provider_api_calls_total", { controller, operation: "CreateTargetGroup", result: "throttled" }), 1);
  t.is(end.sum("gatehouse_provider_api_calls_total", { controller, operation: "CreateServiceNetwork", result: "throttled" }), sn.hits);
  t.is(end.sum("gatehouse_provider_api_calls_total", { controller, result: "throttled" }), sn.hits + svc.hits + tg.hits);
  t.true(calls.every((c) => latticeOk(c) || c.fault === "throttle" || !latticeTransient(c)), "no transient failure other than the injected ones");

  // Retries: every throttle that was not the last attempt of its send was followed by a retry.
  const { retries, exhausted } = latticeRetries(calls);
  t.log(`log-derived: ${JSON.stringify(expected)}; throttles ${throttledLog.length}, retries ${retries}, sends given up ${exhausted}`);
  t.true(exhausted >= 1, "at least one CreateServiceNetwork send gave up (that is what kept the Gateway waiting)");
  t.is(retries, sn.hits + svc.hits + tg.hits - exhausted);
  t.deepEqual(end.find("gatehouse_provider_api_retries_total", { controller }).map((s) => s.value), [retries]);
  // Each throttled CreateService / CreateTargetGroup was retried with the same request and that went through.
  for (const c of throttledLog.filter((x) => x.operation !== "CreateServiceNetwork")) {
    t.true(calls.some((d) => d.seq > c.seq && d.operation === c.operation && latticeOk(d) && JSON.stringify(d.input) === JSON.stringify(c.input)),
      `${c.operation} #${c.seq} retried with the same request`);
  }

  // The Gateway was timed once; nothing waits any more.
  t.deepEqual(end.find("gatehouse_gateway_programmed_seconds_count", { controller }).map((s) => s.value), [1]);
  t.true(end.sum("gatehouse_gateway_programmed_seconds_sum", { controller }) > 0);
  t.deepEqual(end.find("gatehouse_gateway_programmed_seconds_bucket", { controller, le: "+Inf" }).map((s) => s.value), [1]);
  // The controller keeps its series at 0 (dashboards show 0, not "no data").
  t.deepEqual(end.find("gatehouse_gateways_not_programmed", { controller }).map((x) => x.value), [0]);
  t.deepEqual(end.find("gatehouse_gateways_not_programmed").filter((s) => s.value !== 0), [], "no Gateway of any controller waits");
  t.deepEqual(end.find("gatehouse_gateway_not_programmed_oldest_seconds").filter((s) => s.value !== 0), []);
});

// --- GCP ------------------------------------------------------------------------------------

const GCP_PROJECT = "gatehouse-e2e-obs";
/** The GCP provider's retry policy here (attempts per call, the first one included). */
const GCP_ATTEMPTS = 4;

/** The provider's names (`urlMaps.insert`) for the fake's method ids (`compute.urlMaps.insert`). */
const gcpOperation = (c: Call) => c.method.replace(/^compute\./, "");
const gcpOk = (c: Call) => c.status !== undefined && c.status >= 200 && c.status < 300;
/** What the provider retries (compute.ts retriable) as the fake answers it: 429 and 5xx. */
const gcpTransient = (c: Call) => c.status === 429 || (c.status ?? 0) >= 500;
const gcpResult = (c: Call) => (gcpOk(c) ? "success" : c.status === 429 ? "throttled" : "error");

/** Same grouping as latticeRetries: a retry repeats the request (method, path, query and requestId). */
function gcpRetries(calls: Call[]): { retries: number; exhausted: number } {
  const streak = new Map<string, number>();
  let retries = 0;
  let exhausted = 0;
  for (const c of calls) {
    const key = `${c.method} ${c.path}?${c.query} ${c.requestId ?? ""}`;
    const n = streak.get(key) ?? 0;
    if (!gcpTransient(c)) { streak.delete(key); continue; }
    if (n + 1 < GCP_ATTEMPTS) { retries++; streak.set(key, n + 1); } else { exhausted++; streak.delete(key); }
  }
  return { retries, exhausted };
}

test("gcp: /metrics counts every Compute call by result, the retries and the time to Programmed, as the fake saw them", async (t) => {
  // Its own control plane, fake and operator (a Lattice operator runs in env).
  const cp = await startControlPlane();
  t.teardown(() => cp.stop());
  const kube = new Kube(cp);
  t.teardown(() => kube.close());
  await installGatehouseCRDs(kube.client);
  const fake = await startFakeCompute({ project: GCP_PROJECT, host: `127.0.${180 + (process.pid % 40)}.2`, operationDelayMs: 2, waitTimeoutMs: 200 });
  t.teardown(() => fake.close());
  const provider = new GcpProvider({
    clientOptions: gcpClientOptionsForEndpoint(fake.url), project: GCP_PROJECT, clusterName: "e2e-obs",
    retry: { attempts: GCP_ATTEMPTS, baseMs: 10 }, operationPollMs: 10,
  });
  const run = await startOperator(cp, { controllerNames: [GCP_CONTROLLER] }, { providers: [provider] });
  t.teardown(() => run.stop());
  const controller = GCP_CONTROLLER;

  // The URL map cannot be inserted until this rule goes (every call exhausts its attempts);
  // the backend service and a health check are rate-limited, then retried within the call.
  const urlMap = fake.inject.rateLimit({ method: "urlMaps.insert" }, Number.POSITIVE_INFINITY);
  const bs = fake.inject.rateLimit({ method: "backendServices.insert" }, 2);
  const hc = fake.inject.rateLimit({ method: "healthChecks.insert" }, 1);

  const ns = await cp.newNamespace("obs-gcp");
  const cls = `gatehouse-obs-${ns}`;
  await kube.apply(`
apiVersion: gatehouse.dev/v1alpha1
kind: GCPConfig
metadata: { name: global }
spec: { project: ${GCP_PROJECT}, scope: global, loadBalancingScheme: EXTERNAL_MANAGED, network: default }
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: ${cls} }
spec:
  controllerName: ${controller}
  parametersRef: { group: gatehouse.dev, kind: GCPConfig, name: global, namespace: ${ns} }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw }
spec:
  gatewayClassName: ${cls}
  listeners: [{ name: http, port: 80, protocol: HTTP }]
` + webBackendAndRoute(`{ addresses: ["10.9.1.1"], conditions: { ready: true }, zone: us-central1-a, nodeName: node-a }`), ns);

  // Not programmed while the URL map insert is rate-limited: the gauges say so.
  await eventually(() => urlMap.hits >= GCP_ATTEMPTS, "one URL map insert gave up");
  await kube.waitFor("Gateway", ns, "gw", (o) => condition(o, "Programmed")?.status === "False", "Gateway not Programmed");
  await scrapeOneWaiting(t, run, controller);

  // Let it through. The provider asks to be called again in 15 s; a cluster change would wake
  // it sooner, so wake it here the way a watch event does.
  urlMap.remove();
  run.op.reconciler.trigger();
  await kube.waitFor("Gateway", ns, "gw", (o) => condition(o, "Programmed")?.status === "True" && (o.status?.addresses?.length ?? 0) === 1, "Gateway Programmed");
  await kube.waitFor("HTTPRoute", ns, "web", (x) => hasFinalizer(x) && parentCondition(x, controller, "Accepted")?.status === "True", "route accepted with the finalizer");

  const { scrape: end, calls } = await quietScrape(run, () => fake.calls.all());
  t.true(calls.every((c) => c.status !== undefined), "every request was answered");
  t.deepEqual(fake.internalErrors, []);

  // Every call, by operation and result, equals the fake's log (reads and operation waits included).
  const expected: Record<string, number> = {};
  for (const c of calls) expected[`${gcpOperation(c)}|${gcpResult(c)}`] = (expected[`${gcpOperation(c)}|${gcpResult(c)}`] ?? 0) + 1;
  t.deepEqual(apiCallsOf(end, controller), sorted(expected));
  for (const c of calls.filter((x) => x.mutating)) {
    const op = gcpOperation(c);
    t.is(end.sum("gatehouse_provider_api_calls_total", { controller, operation: op, result: "success" }), calls.filter((x) => x.method === c.method && gcpOk(x)).length, `${op} success`);
  }
  t.is(end.sum("gatehouse_provider_api_calls_total", { controller, operation: "urlMaps.insert", result: "success" }), 1);

  // Throttled: exactly the injected 429s.
  t.is(bs.hits, 2);
  t.is(hc.hits, 1);
  t.is(calls.filter((c) => c.status === 429).length, urlMap.hits + bs.hits + hc.hits);
  t.is(end.sum("gatehouse_provider_api_calls_total", { controller, operation: "backendServices.insert", result: "throttled" }), 2);
  t.is(end.sum("gatehouse_provider_api_calls_total", { controller, operation: "healthChecks.insert", result: "throttled" }), 1);
  t.is(end.sum("gatehouse_provider_api_calls_total", { controller, operation: "urlMaps.insert", result: "throttled" }), urlMap.hits);
  t.is(end.sum("gatehouse_provider_api_calls_total", { controller, result: "throttled" }), urlMap.hits + bs.hits + hc.hits);
  t.true(calls.every((c) => !gcpTransient(c) || c.injected !== undefined), "no transient failure other than the injected ones");

  // Retries: every 429 that was not the last attempt of its call.
  const { retries, exhausted } = gcpRetries(calls);
  t.log(`log-derived: ${JSON.stringify(sorted(expected))}; 429s ${urlMap.hits + bs.hits + hc.hits}, retries ${retries}, calls given up ${exhausted}`);
  t.true(exhausted >= 1);
  t.is(retries, urlMap.hits + bs.hits + hc.hits - exhausted);
  t.deepEqual(end.find("gatehouse_provider_api_retries_total", { controller }).map((s) => s.value), [retries]);

  // Timed once; nothing waits any more.
  t.deepEqual(end.find("gatehouse_gateway_programmed_seconds_count", { controller }).map((s) => s.value), [1]);
  t.deepEqual(end.find("gatehouse_gateway_programmed_seconds_bucket", { controller, le: "+Inf" }).map((s) => s.value), [1]);
  // The controller keeps its series at 0 (dashboards show 0, not "no data").
  t.deepEqual(end.find("gatehouse_gateways_not_programmed", { controller }).map((x) => x.value), [0]);
  t.deepEqual(end.find("gatehouse_gateways_not_programmed").filter((s) => s.value !== 0), []);
  t.deepEqual(end.find("gatehouse_gateway_not_programmed_oldest_seconds").filter((s) => s.value !== 0), []);
});
