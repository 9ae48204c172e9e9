// KubeSource against a real kube-apiserver (test harness): initial list, plain JSON, watch
// events, coalesced notifications, identity of unchanged objects, referenced Secrets,
// namespace restriction, API server restart, 410 Gone. Every wait polls a condition with a
// generous deadline; nothing asserts how long something took (times are only logged).
import test from "ava";
import { startControlPlane, type ControlPlane } from "@gatehouse/test-harness";
import { normalizeSnapshot, type Snapshot } from "@gatehouse/model";
import { CORE_RESOURCES, GATEWAY_RESOURCES, KubeClient, apiVersionOf, resourcePath, type ResourceType } from "../src/kube/client.js";
import { KubeSource, type KubeSourceOptions } from "../src/kube/source/index.js";

let cp: ControlPlane;
let kube: KubeClient;
const sources: KubeSource[] = [];

test.before(async () => {
  cp = await startControlPlane();
  kube = new KubeClient(cp.kubeConfig);
});
test.after.always(async () => {
  await Promise.all(sources.map((s) => s.stop()));
  kube?.close();
  await cp?.stop();
});

type Obj = Record<string, any>;
const R = GATEWAY_RESOURCES;
const { Secret: SECRET, Service: SERVICE, ConfigMap: CONFIGMAP, EndpointSlice: SLICE } = CORE_RESOURCES;

async function create(type: ResourceType, namespace: string, name: string, fields: Obj): Promise<Obj> {
  const r = await kube.post<Obj>(resourcePath(type, { namespace }), { apiVersion: apiVersionOf(type), kind: type.kind, metadata: { name }, ...fields });
  if (r.status !== 201) throw new Error(`create ${type.kind} ${name}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}
async function patch(type: ResourceType, namespace: string, name: string, body: Obj): Promise<Obj> {
  const r = await kube.patch<Obj>(resourcePath(type, { namespace, name }), body);
  if (r.status !== 200) throw new Error(`patch ${type.kind} ${name}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}
async function remove(type: ResourceType, namespace: string, name: string): Promise<void> {
  const r = await kube.delete(resourcePath(type, { namespace, name }));
  if (r.status !== 200 && r.status !== 202) throw new Error(`delete ${type.kind} ${name}: ${r.status}`);
}

const route = (ns: string, name: string, host = "a.example.com") =>
  create(R.HTTPRoute, ns, name, { spec: { parentRefs: [{ name: "gw" }], hostnames: [host], rules: [{ backendRefs: [{ name: "svc", port: 80 }] }] } });
const TLS_DATA = { "tls.crt": Buffer.from("cert").toString("base64"), "tls.key": Buffer.from("key").toString("base64") };

async function startSource(opts: KubeSourceOptions = {}): Promise<{ source: KubeSource; calls: () => number }> {
  const source = new KubeSource(cp.kubeConfig, opts);
  sources.push(source);
  let n = 0;
  source.onChange(() => n++);
  await source.start();
  return { source, calls: () => n };
}

/** Polls until `cond` holds (20 s by default); fails with `what` otherwise. */
async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
/** Waits until no notification arrived for `quietMs` (the coalescer fires ≤ 500 ms after a burst starts). */
async function settle(calls: () => number, quietMs = 1_000): Promise<void> {
  let last = calls();
  let since = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    if (calls() !== last) { last = calls(); since = Date.now(); }
    else if (Date.now() - since >= quietMs) return;
  }
}
const names = (list: readonly Obj[]) => list.map((o) => (o["metadata"]["namespace"] ? `${o["metadata"]["namespace"]}/` : "") + o["metadata"]["name"]);
const find = (s: Snapshot, kind: keyof Snapshot, key: string): Obj | undefined =>
  (s[kind] as Obj[]).find((o) => `${o["metadata"]["namespace"]}/${o["metadata"]["name"]}` === key || o["metadata"]["name"] === key);

test.serial("initial list: every created object, plain JSON, sorted, before start() resolves", async (t) => {
  const ns = await cp.newNamespace("src-initial");
  const N = 300;
  const t0 = Date.now();
  for (let i = 0; i < N; i += 25) {
    await Promise.all(Array.from({ length: Math.min(25, N - i) }, (_, j) => route(ns, `r-${String(i + j).padStart(3, "0")}`)));
  }
  await create(R.GatewayClass, "", `class-${ns}`, { spec: { controllerName: "gatehouse.dev/test" } });
  await create(R.Gateway, ns, "gw", { spec: { gatewayClassName: `class-${ns}`, listeners: [{ name: "http", port: 80, protocol: "HTTP" }] } });
  await create(SERVICE, ns, "svc", { spec: { ports: [{ port: 80 }] } });
  t.log(`created ${N + 3} objects in ${Date.now() - t0} ms`);

  const t1 = performance.now();
  const { source } = await startSource({ watchNamespaces: [ns] });
  t.log(`start() (initial list of all 14 kinds, ${N} HTTPRoutes in pages of 500) took ${Math.round(performance.now() - t1)} ms`);
  const s = source.snapshot();
  t.is(s.HTTPRoute.length, N);
  t.deepEqual(names(s.HTTPRoute), [...names(s.HTTPRoute)].sort());
  t.deepEqual(normalizeSnapshot(s), s, "sorted as normalizeSnapshot sorts");
  const r0 = s.HTTPRoute[0] as Obj;
  t.is(r0["metadata"]["name"], "r-000");
  t.is(typeof r0["metadata"]["creationTimestamp"], "string");
  t.is(r0["kind"], "HTTPRoute");
  t.is(r0["apiVersion"], "gateway.networking.k8s.io/v1");
  t.is(r0["metadata"]["managedFields"], undefined);
  t.is(Object.getPrototypeOf(r0), Object.prototype);
  t.truthy(find(s, "Gateway", `${ns}/gw`));
  t.truthy(find(s, "Service", `${ns}/svc`));
  t.truthy(find(s, "GatewayClass", `class-${ns}`), "cluster-scoped kinds are listed cluster-wide");
  t.truthy(find(s, "Namespace", ns));
  t.is(typeof (find(s, "Namespace", ns) as Obj)["metadata"]["creationTimestamp"], "string");
  // Nothing changed: the very same arrays and objects.
  const again = source.snapshot();
  for (const k of Object.keys(s) as (keyof Snapshot)[]) t.is(again[k], s[k], k);
  const c = source.counters();
  t.is(c.HTTPRoute.objects, N);
  t.is(c.TLSRoute.apiVersion, "gateway.networking.k8s.io/v1");
  t.is(c.ReferenceGrant.apiVersion, "gateway.networking.k8s.io/v1");
  t.is(c.EndpointSlice.apiVersion, "discovery.k8s.io/v1");
});

test.serial("create, update and delete arrive; bursts are coalesced; unchanged objects keep their identity", async (t) => {
  const ns = await cp.newNamespace("src-events");
  await route(ns, "stays");
  const { source, calls } = await startSource({ watchNamespaces: [ns] });
  const s0 = source.snapshot();
  const stays = find(s0, "HTTPRoute", `${ns}/stays`);
  t.truthy(stays);

  await route(ns, "web");
  await until("web in the snapshot", () => !!find(source.snapshot(), "HTTPRoute", `${ns}/web`));
  await until("a notification", () => calls() >= 1);
  const s1 = source.snapshot();
  t.is(find(s1, "HTTPRoute", `${ns}/stays`), stays, "unchanged object keeps its identity");
  t.not(s1.HTTPRoute, s0.HTTPRoute);
  t.is(s1.GatewayClass, s0.GatewayClass, "unchanged kind keeps its array");
  t.is(s1.Service, s0.Service);
  await settle(calls);

  // 20 quick updates: a handful of notifications, not 20.
  const before = calls();
  const t0 = Date.now();
  for (let i = 1; i <= 20; i++) await patch(R.HTTPRoute, ns, "web", { spec: { hostnames: [`h${i}.example.com`] } });
  const writeMs = Date.now() - t0;
  await until("last update in the snapshot", () => find(source.snapshot(), "HTTPRoute", `${ns}/web`)?.["spec"]["hostnames"][0] === "h20.example.com");
  await settle(calls);
  const n = calls() - before;
  t.log(`20 updates written in ${writeMs} ms → ${n} notifications`);
  t.true(n >= 1);
  // At most one per 500 ms of writing, plus the trailing one, plus slack for a slow machine.
  t.true(n <= Math.ceil(writeMs / 500) + 3, `${n} notifications for 20 updates in ${writeMs} ms`);
  t.true(n < 20);
  t.is(find(source.snapshot(), "HTTPRoute", `${ns}/stays`), stays);

  const beforeDelete = calls();
  await remove(R.HTTPRoute, ns, "web");
  await until("web gone", () => !find(source.snapshot(), "HTTPRoute", `${ns}/web`));
  await until("a notification for the delete", () => calls() > beforeDelete);
  t.deepEqual(names(source.snapshot().HTTPRoute), [`${ns}/stays`]);
});

test.serial("Secrets: only referenced ones, with certificate data only", async (t) => {
  const ns = await cp.newNamespace("src-secrets");
  await create(SECRET, ns, "cert", { type: "kubernetes.io/tls", data: TLS_DATA, metadata: { name: "cert", annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{secret}", keep: "me" } } });
  await create(SECRET, ns, "other", { type: "kubernetes.io/tls", data: TLS_DATA });
  await create(SECRET, ns, "opaque", { type: "Opaque", data: { password: Buffer.from("hunter2").toString("base64"), "ca.crt": Buffer.from("ca").toString("base64") } });
  await create(R.Gateway, ns, "gw", {
    spec: { gatewayClassName: "none", listeners: [{ name: "https", port: 443, protocol: "HTTPS", tls: { certificateRefs: [{ name: "cert" }] } }] },
  });
  const { source, calls } = await startSource({ watchNamespaces: [ns] });
  let s = source.snapshot();
  t.deepEqual(names(s.Secret), [`${ns}/cert`], "the listener's certificate is there from the first snapshot, nothing else");
  const cert = s.Secret[0] as Obj;
  t.deepEqual(Object.keys(cert["data"]).sort(), ["tls.crt", "tls.key"]);
  t.is(cert["type"], "kubernetes.io/tls");
  t.deepEqual(cert["metadata"]["annotations"], { keep: "me" }, "last-applied-configuration (it repeats the data) is dropped");
  t.is(cert["metadata"]["managedFields"], undefined);

  // The graph reports more: the opaque Secret becomes visible, minus its password.
  await settle(calls, 500);
  let n = calls();
  source.setReferenced({ secrets: [`${ns}/cert`, `${ns}/opaque`], configMaps: [] });
  await until("notification for a newly referenced Secret", () => calls() > n);
  s = source.snapshot();
  t.deepEqual(names(s.Secret), [`${ns}/cert`, `${ns}/opaque`]);
  t.deepEqual((s.Secret[1] as Obj)["data"], { "ca.crt": Buffer.from("ca").toString("base64") });
  t.is(find(s, "Secret", `${ns}/cert`), cert, "identity kept");

  // An unreferenced Secret changes: no notification, and the snapshot's Secret array is untouched.
  await settle(calls, 500);
  n = calls();
  await patch(SECRET, ns, "other", { data: { "tls.crt": Buffer.from("new").toString("base64") } });
  await new Promise((r) => setTimeout(r, 300));
  await route(ns, "marker");
  await until("marker in the snapshot", () => !!find(source.snapshot(), "HTTPRoute", `${ns}/marker`));
  await settle(calls);
  t.is(calls() - n, 1, "only the route notified");
  t.is(source.snapshot().Secret, s.Secret);

  // A referenced Secret changes: notification and new content.
  n = calls();
  await patch(SECRET, ns, "cert", { data: { "tls.crt": Buffer.from("rotated").toString("base64") } });
  await until("rotated certificate", () => find(source.snapshot(), "Secret", `${ns}/cert`)?.["data"]["tls.crt"] === Buffer.from("rotated").toString("base64"));
  await until("notification for the referenced Secret", () => calls() > n);
});

test.serial("ConfigMaps: only those a BackendTLSPolicy references", async (t) => {
  const ns = await cp.newNamespace("src-configmaps");
  await create(SERVICE, ns, "svc", { spec: { ports: [{ port: 443 }] } });
  await create(CONFIGMAP, ns, "ca", { data: { "ca.crt": "PEM" } });
  await create(CONFIGMAP, ns, "unrelated", { data: { x: "y" } });
  const { source, calls } = await startSource({ watchNamespaces: [ns] });
  t.deepEqual(names(source.snapshot().ConfigMap), []);
  const n = calls();
  await create(R.BackendTLSPolicy, ns, "btls", {
    spec: {
      targetRefs: [{ group: "", kind: "Service", name: "svc" }],
      validation: { hostname: "svc.example.com", caCertificateRefs: [{ group: "", kind: "ConfigMap", name: "ca" }] },
    },
  });
  await until("the policy's CA ConfigMap", () => names(source.snapshot().ConfigMap).includes(`${ns}/ca`));
  t.deepEqual(names(source.snapshot().ConfigMap), [`${ns}/ca`]);
  await until("notification", () => calls() > n);
});

test.serial("Services and EndpointSlices of unreferenced Services do not notify once the graph reports its Services", async (t) => {
  const ns = await cp.newNamespace("src-services");
  await create(SERVICE, ns, "used", { spec: { ports: [{ port: 80 }] } });
  await create(SERVICE, ns, "unused", { spec: { ports: [{ port: 80 }] } });
  const { source, calls } = await startSource({ watchNamespaces: [ns] });
  source.setReferenced({ secrets: [], configMaps: [], services: [`${ns}/used`] });
  await settle(calls, 500);
  let n = calls();
  await patch(SERVICE, ns, "unused", { metadata: { labels: { touched: "1" } } });
  await create(SLICE, ns, "unused-abc", {
    metadata: { name: "unused-abc", labels: { "kubernetes.io/service-name": "unused" } },
    addressType: "IPv4", endpoints: [{ addresses: ["10.1.0.1"] }], ports: [{ port: 80 }],
  });
  // Still in the snapshot (the core may read any Service), just no rebuild for it.
  await until("unused's slice in the snapshot", () => !!find(source.snapshot(), "EndpointSlice", `${ns}/unused-abc`));
  await until("unused's label", () => find(source.snapshot(), "Service", `${ns}/unused`)?.["metadata"]["labels"]?.["touched"] === "1");
  await settle(calls, 500);
  t.is(calls(), n, "no notification for an unreferenced Service");
  await create(SLICE, ns, "used-abc", {
    metadata: { name: "used-abc", labels: { "kubernetes.io/service-name": "used" } },
    addressType: "IPv4", endpoints: [{ addresses: ["10.1.0.2"] }], ports: [{ port: 80 }],
  });
  await until("notification for the referenced Service's slice", () => calls() > n);
  n = calls();
  await patch(SERVICE, ns, "used", { metadata: { labels: { touched: "1" } } });
  await until("notification for the referenced Service", () => calls() > n);
});

test.serial("with controllerNames, other controllers' classes, Gateways and routes are cached but wake nothing; ours and status-only writes behave", async (t) => {
  const ns = await cp.newNamespace("src-owned");
  const mine = `mine-${ns}`, theirs = `theirs-${ns}`;
  await create(R.GatewayClass, "", mine, { spec: { controllerName: "gatehouse.dev/test-owned" } });
  await create(R.GatewayClass, "", theirs, { spec: { controllerName: "example.com/other" } });
  await create(R.Gateway, ns, "gw", { spec: { gatewayClassName: mine, listeners: [{ name: "http", port: 80, protocol: "HTTP" }] } });
  await create(R.Gateway, ns, "other", { spec: { gatewayClassName: theirs, listeners: [{ name: "http", port: 80, protocol: "HTTP" }] } });
  const { source, calls } = await startSource({ watchNamespaces: [ns], controllerNames: ["gatehouse.dev/test-owned"] });
  await settle(calls, 500);
  let n = calls();
  await create(R.HTTPRoute, ns, "theirs", { spec: { parentRefs: [{ name: "other" }], rules: [{}] } });
  await until("their route cached", () => !!find(source.snapshot(), "HTTPRoute", `${ns}/theirs`));
  await settle(calls, 500);
  t.is(calls(), n, "a route of another controller's Gateway wakes nothing");
  await route(ns, "ours");
  await until("our route notifies", () => calls() > n);
  await settle(calls, 500);
  n = calls();
  const r = await kube.get<Obj>(`${resourcePath(R.HTTPRoute, { namespace: ns })}/ours`);
  const put = await kube.put(`${resourcePath(R.HTTPRoute, { namespace: ns })}/ours/status`,
    { ...r.body, status: { parents: [{ parentRef: { name: "gw" }, controllerName: "gatehouse.dev/test-owned", conditions: [
      { type: "Accepted", status: "True", reason: "Accepted", message: "", lastTransitionTime: "2026-01-01T00:00:00Z", observedGeneration: 1 },
    ] }] } });
  t.is(put.status, 200);
  await until("status write cached", () => Array.isArray(find(source.snapshot(), "HTTPRoute", `${ns}/ours`)?.["status"]?.["parents"]));
  await settle(calls, 500);
  t.is(calls(), n, "a status-only write wakes nothing");
});

test.serial("watchNamespaces restricts the namespaced kinds only", async (t) => {
  const a = await cp.newNamespace("src-ns-a");
  const b = await cp.newNamespace("src-ns-b");
  const c = await cp.newNamespace("src-ns-c");
  await route(a, "in-a");
  await route(b, "in-b");
  await route(c, "in-c");
  const { source } = await startSource({ watchNamespaces: [a, c] });
  let s = source.snapshot();
  t.deepEqual(names(s.HTTPRoute), [`${a}/in-a`, `${c}/in-c`]);
  t.truthy(find(s, "Namespace", b), "Namespaces are always watched cluster-wide");
  await route(b, "late-b");
  await route(c, "late-c");
  await until("late-c", () => !!find(source.snapshot(), "HTTPRoute", `${c}/late-c`));
  s = source.snapshot();
  t.deepEqual(names(s.HTTPRoute), [`${a}/in-a`, `${c}/in-c`, `${c}/late-c`]);
});

test.serial("410 Gone: the stream relists, drops what vanished, keeps unchanged objects", async (t) => {
  const ns = await cp.newNamespace("src-gone");
  await route(ns, "kept");
  await route(ns, "deleted");
  await route(ns, "changed");
  const { source } = await startSource({ watchNamespaces: [ns] });
  const kept = find(source.snapshot(), "HTTPRoute", `${ns}/kept`);
  // Stop watching, change things the watch will never report, then watch from an expired resourceVersion.
  source.pauseWatchForTest("HTTPRoute");
  await remove(R.HTTPRoute, ns, "deleted");
  await patch(R.HTTPRoute, ns, "changed", { spec: { hostnames: ["changed.example.com"] } });
  await route(ns, "added");
  t.is(source.counters().HTTPRoute.relists, 0);
  source.resumeWatchForTest("HTTPRoute", "1");
  await until("a relist", () => source.counters().HTTPRoute.relists > 0);
  const s = source.snapshot();
  t.deepEqual(names(s.HTTPRoute), [`${ns}/added`, `${ns}/changed`, `${ns}/kept`]);
  t.is(find(s, "HTTPRoute", `${ns}/changed`)?.["spec"]["hostnames"][0], "changed.example.com");
  t.is(find(s, "HTTPRoute", `${ns}/kept`), kept, "an object with the same resourceVersion keeps its identity across a relist");
  // And the stream watches again after the relist.
  await route(ns, "after");
  await until("after the relist", () => !!find(source.snapshot(), "HTTPRoute", `${ns}/after`));
});

test.serial("API server restart: watches restart and later changes arrive", async (t) => {
  const ns = await cp.newNamespace("src-restart");
  await route(ns, "before");
  const { source, calls } = await startSource({ watchNamespaces: [ns] });
  const before = find(source.snapshot(), "HTTPRoute", `${ns}/before`);
  const t0 = Date.now();
  await cp.restartApiServer();
  const t1 = Date.now();
  const n = calls(); // before the create: its notification may fire as soon as the event arrives
  await route(ns, "after");
  await until("route created after the restart", () => !!find(source.snapshot(), "HTTPRoute", `${ns}/after`), 60_000);
  t.log(`API server restart took ${t1 - t0} ms; the change made after it arrived ${Date.now() - t1} ms after the server was ready`);
  await until("notification", () => calls() > n);
  const c = source.counters();
  const restarts = Object.values(c).reduce((m, k) => m + k.restarts, 0);
  const relists = Object.values(c).reduce((m, k) => m + k.relists, 0);
  t.log(`after the restart: ${restarts} watch restarts, ${relists} relists over all kinds`);
  t.true(c.HTTPRoute.restarts > 0);
  t.is(find(source.snapshot(), "HTTPRoute", `${ns}/before`), before, "unchanged object kept across the restart");
  await patch(R.HTTPRoute, ns, "before", { spec: { hostnames: ["b.example.com"] } });
  await until("update after the restart", () => find(source.snapshot(), "HTTPRoute", `${ns}/before`)?.["spec"]["hostnames"][0] === "b.example.com");
});

test.serial("stop() ends every watch and leaves no timers", async (t) => {
  const ns = await cp.newNamespace("src-stop");
  const { source } = await startSource({ watchNamespaces: [ns] });
  await route(ns, "poke");
  await until("poke seen", () => !!find(source.snapshot(), "HTTPRoute", `${ns}/poke`)); // its notification is pending now
  const active = () => (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo();
  const timersBefore = active().filter((r) => r === "Timeout").length;
  t.true(timersBefore > 0);
  await Promise.all(sources.map((s) => s.stop()));
  t.deepEqual(active().filter((r) => r === "Timeout"), [], "no timer left (coalescer, backoff)");
  await source.stop(); // idempotent
});

test.serial("stop() during start() rejects start", async (t) => {
  // Cluster-wide this time: also exercises the unrestricted paths.
  const source = new KubeSource(cp.kubeConfig);
  const started = source.start();
  await source.stop();
  const r = await started.then(() => "resolved", (e: Error) => e.message);
  t.true(r === "resolved" || /stopped/.test(r), r);
});
