// KubeStatusSink against a real kube-apiserver (test harness): writes, merges with other
// controllers' entries, skips unchanged statuses, retries 409s, skips deleted objects.
// The two tests that log timings are serial (ava runs serial tests alone, before the others).
import test from "ava";
import { useControlPlane } from "./kube-suite.js";
import { compute } from "@gatehouse/core";
import { snapshotFromObjects } from "@gatehouse/model";
import type { StatusUpdate } from "@gatehouse/status";
import { GATEWAY_RESOURCES, apiVersionOf, resourcePath, type ResourceType } from "../src/kube/client.js";
import { KubeStatusSink } from "../src/kube/status/index.js";
import { capabilitiesFor } from "@gatehouse/provider-local";

const OURS = "gatehouse.dev/test";
const OTHER = "example.net/other";
const T0 = "2025-01-01T00:00:00Z";
const T1 = "2025-06-01T00:00:00Z";

const env = useControlPlane();

type Obj = Record<string, any>;
const R = GATEWAY_RESOURCES;

async function create(type: ResourceType, namespace: string, name: string, spec: Obj): Promise<Obj> {
  const r = await env.kube.post<Obj>(resourcePath(type, { namespace }), { apiVersion: apiVersionOf(type), kind: type.kind, metadata: { name }, spec });
  if (r.status !== 201) throw new Error(`create ${type.kind} ${name}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}
async function read(type: ResourceType, namespace: string, name: string): Promise<Obj> {
  const r = await env.kube.get<Obj>(resourcePath(type, { namespace, name }));
  if (r.status !== 200) throw new Error(`get ${type.kind} ${name}: ${r.status}`);
  return r.body;
}
/** Writes status directly, as another controller would. */
async function putStatus(type: ResourceType, namespace: string, name: string, status: Obj): Promise<void> {
  const o = await read(type, namespace, name);
  const r = await env.kube.put(resourcePath(type, { namespace, name, subresource: "status" }), { ...o, status });
  if (r.status !== 200) throw new Error(`put status: ${r.status} ${JSON.stringify(r.body)}`);
}

const cond = (type: string, status: "True" | "False", lastTransitionTime: string, reason = type, message = "") =>
  ({ type, status, observedGeneration: 1, lastTransitionTime, reason, message });
// As the API server stores it: the CRD defaults group and kind (the core echoes the defaulted spec).
const parent = (name: string, controllerName: string, conditions: Obj[]) =>
  ({ parentRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name }, controllerName, conditions });
const routeUpdate = (namespace: string, name: string, parents: Obj[]): StatusUpdate =>
  ({ kind: "HTTPRoute", namespace, name, generation: 1, status: { parents } });

const routeSpec = (gw: string) => ({ parentRefs: [{ name: gw }], rules: [{ backendRefs: [{ name: "svc", port: 80 }] }] });

test.serial("writes the computed statuses of a GatewayClass, Gateway and HTTPRoute, and they read back", async (t) => {
  const ns = await env.cp.newNamespace("status-write");
  const className = `class-${ns}`;
  const cls = await create(R.GatewayClass, "", className, { controllerName: OURS });
  const gw = await create(R.Gateway, ns, "gw", { gatewayClassName: className, listeners: [{ name: "http", port: 80, protocol: "HTTP" }] });
  const route = await create(R.HTTPRoute, ns, "web", routeSpec("gw"));
  const { snapshot } = snapshotFromObjects([cls, gw, route]);
  const out = compute({ snapshot, controllers: [capabilitiesFor(OURS)], now: T0 });
  t.is(out.statuses.length, 3);

  const sink = new KubeStatusSink(env.kube, { controllerNames: [OURS] });
  const started = performance.now();
  const report = await sink.write(out.statuses);
  const ms = performance.now() - started;
  t.log(`3 status writes (GET+PUT each, in parallel) in ${ms.toFixed(1)} ms`);
  t.deepEqual(report, { written: 3, unchanged: 0, conflicts: 0, deleted: 0, errors: [] });

  const c = await read(R.GatewayClass, "", className);
  t.like(c.status.conditions.find((x: Obj) => x.type === "Accepted"), { status: "True", lastTransitionTime: T0 });
  const g = await read(R.Gateway, ns, "gw");
  t.like(g.status.conditions.find((x: Obj) => x.type === "Accepted"), { status: "True" });
  t.is(g.status.listeners[0].name, "http");
  t.is(g.status.listeners[0].attachedRoutes, 1);
  const r = await read(R.HTTPRoute, ns, "web");
  t.is(r.status.parents.length, 1);
  t.like(r.status.parents[0], { controllerName: OURS, parentRef: { name: "gw" } });
  t.like(r.status.parents[0].conditions.find((x: Obj) => x.type === "Accepted"), { status: "True" });

  // Computed again from the objects as they are now: nothing to write.
  const again = compute({ snapshot: snapshotFromObjects([c, g, r]).snapshot, controllers: [capabilitiesFor(OURS)], now: T1 });
  t.deepEqual(await sink.write(again.statuses), { written: 0, unchanged: 3, conflicts: 0, deleted: 0, errors: [] });

  // Latency of one changed route status (GET + PUT), over a few writes.
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    const s = performance.now();
    const rep = await sink.write([routeUpdate(ns, "web", [parent("gw", OURS, [cond("Accepted", "True", T0, "Accepted", `write ${i}`)])])]);
    times.push(performance.now() - s);
    t.is(rep.written, 1);
  }
  times.sort((a, b) => a - b);
  t.log(`one route status write: median ${times[5]!.toFixed(1)} ms, max ${times[9]!.toFixed(1)} ms`);
});

test("another controller's parent entry is kept, in its position, though our computation never saw it", async (t) => {
  const ns = await env.cp.newNamespace("status-merge");
  await create(R.HTTPRoute, ns, "web", routeSpec("gw"));
  await putStatus(R.HTTPRoute, ns, "web", { parents: [parent("mesh", OTHER, [cond("Accepted", "True", T0)])] });
  const sink = new KubeStatusSink(env.kube, { controllerNames: [OURS] });

  // Computed from a stale copy without the other entry.
  t.like(await sink.write([routeUpdate(ns, "web", [parent("gw", OURS, [cond("Accepted", "True", T0)])])]), { written: 1 });
  let r = await read(R.HTTPRoute, ns, "web");
  t.deepEqual(r.status.parents.map((p: Obj) => `${p.controllerName}:${p.parentRef.name}`), [`${OTHER}:mesh`, `${OURS}:gw`]);

  // A third controller puts its entry first; our entry changes and stays where it is.
  await putStatus(R.HTTPRoute, ns, "web", { parents: [parent("third", "third.io/x", [cond("Accepted", "False", T0)]), ...r.status.parents] });
  t.like(await sink.write([routeUpdate(ns, "web", [parent("gw", OURS, [cond("Accepted", "False", T1, "NotAllowedByListeners")])])]), { written: 1 });
  r = await read(R.HTTPRoute, ns, "web");
  t.deepEqual(r.status.parents.map((p: Obj) => `${p.controllerName}:${p.parentRef.name}`), ["third.io/x:third", `${OTHER}:mesh`, `${OURS}:gw`]);
  t.like(r.status.parents[2].conditions[0], { status: "False", reason: "NotAllowedByListeners", lastTransitionTime: T1 });
  t.deepEqual(r.status.parents[1].conditions, [cond("Accepted", "True", T0)]);
});

test("an identical second write is skipped: no PUT, resourceVersion unchanged", async (t) => {
  const ns = await env.cp.newNamespace("status-same");
  await create(R.HTTPRoute, ns, "web", routeSpec("gw"));
  const sink = new KubeStatusSink(env.kube, { controllerNames: [OURS] });
  const u = routeUpdate(ns, "web", [parent("gw", OURS, [cond("Accepted", "True", T0)])]);
  t.like(await sink.write([u]), { written: 1, unchanged: 0 });
  const rv = (await read(R.HTTPRoute, ns, "web")).metadata.resourceVersion;
  let puts = 0;
  const counting = new KubeStatusSink(env.kube, { controllerNames: [OURS], beforePut: () => void puts++ });
  t.deepEqual(await counting.write([u]), { written: 0, unchanged: 1, conflicts: 0, deleted: 0, errors: [] });
  t.is(puts, 0);
  t.is((await read(R.HTTPRoute, ns, "web")).metadata.resourceVersion, rv);
});

test("lastTransitionTime is kept when a condition's status did not change (only the message did)", async (t) => {
  const ns = await env.cp.newNamespace("status-ltt");
  await create(R.HTTPRoute, ns, "web", routeSpec("gw"));
  await create(R.Gateway, ns, "gw", { gatewayClassName: "x", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] });
  const sink = new KubeStatusSink(env.kube, { controllerNames: [OURS] });
  await sink.write([routeUpdate(ns, "web", [parent("gw", OURS, [cond("Accepted", "True", T0, "Accepted", "one")])])]);
  // A computation from a copy that did not have our entry stamps `now` (T1): the stored T0 wins.
  t.like(await sink.write([routeUpdate(ns, "web", [parent("gw", OURS, [cond("Accepted", "True", T1, "Accepted", "two")])])]), { written: 1 });
  const r = await read(R.HTTPRoute, ns, "web");
  t.like(r.status.parents[0].conditions[0], { message: "two", lastTransitionTime: T0 });
  // Same timestamp-only difference, nothing else: no write at all.
  t.like(await sink.write([routeUpdate(ns, "web", [parent("gw", OURS, [cond("Accepted", "True", T1, "Accepted", "two")])])]), { written: 0, unchanged: 1 });

  // Gateway: top-level and listener conditions.
  const listener = (time: string, attached: number) =>
    ({ name: "http", supportedKinds: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }], attachedRoutes: attached, conditions: [cond("Accepted", "True", time)] });
  const gwUpdate = (time: string, attached: number): StatusUpdate =>
    ({ kind: "Gateway", namespace: ns, name: "gw", generation: 1, status: { conditions: [cond("Accepted", "True", time)], listeners: [listener(time, attached)] } });
  t.like(await sink.write([gwUpdate(T0, 0)]), { written: 1 });
  t.like(await sink.write([gwUpdate(T1, 1)]), { written: 1 });
  const g = await read(R.Gateway, ns, "gw");
  t.is(g.status.conditions[0].lastTransitionTime, T0);
  t.like(g.status.listeners[0], { attachedRoutes: 1 });
  t.is(g.status.listeners[0].conditions[0].lastTransitionTime, T0);
});

test("a write that races another writer gets a 409, reads again and succeeds", async (t) => {
  const ns = await env.cp.newNamespace("status-409");
  await create(R.HTTPRoute, ns, "web", routeSpec("gw"));
  let bumps = 0;
  const sink = new KubeStatusSink(env.kube, {
    controllerNames: [OURS],
    // Between our GET and PUT, someone changes the object (twice in a row): our resourceVersion is stale.
    beforePut: async (u, attempt) => {
      if (attempt > 2) return;
      bumps++;
      const r = await env.kube.patch(resourcePath(R.HTTPRoute, { namespace: u.namespace, name: u.name }), { metadata: { labels: { bump: String(attempt) } } });
      t.is(r.status, 200);
    },
  });
  const report = await sink.write([routeUpdate(ns, "web", [parent("gw", OURS, [cond("Accepted", "True", T0)])])]);
  t.deepEqual(report, { written: 1, unchanged: 0, conflicts: 2, deleted: 0, errors: [] });
  t.is(bumps, 2);
  const r = await read(R.HTTPRoute, ns, "web");
  t.is(r.metadata.labels.bump, "2");
  t.is(r.status.parents[0].controllerName, OURS);

  // Conflicts on every attempt: bounded, reported as an error.
  const stubborn = new KubeStatusSink(env.kube, {
    controllerNames: [OURS], maxAttempts: 3,
    beforePut: async (u, attempt) => {
      await env.kube.patch(resourcePath(R.HTTPRoute, { namespace: u.namespace, name: u.name }), { metadata: { labels: { bump: `s${attempt}` } } });
    },
  });
  const bad = await stubborn.write([routeUpdate(ns, "web", [parent("gw", OURS, [cond("Accepted", "False", T1)])])]);
  t.is(bad.conflicts, 3);
  t.is(bad.written, 0);
  t.is(bad.errors.length, 1);
  t.regex(bad.errors[0]!.message, /conflicting after 3 attempts/);
});

test("a deleted object is skipped; other updates in the batch are still written", async (t) => {
  const ns = await env.cp.newNamespace("status-404");
  await create(R.HTTPRoute, ns, "web", routeSpec("gw"));
  const sink = new KubeStatusSink(env.kube, { controllerNames: [OURS] });
  const report = await sink.write([
    routeUpdate(ns, "gone", [parent("gw", OURS, [cond("Accepted", "True", T0)])]),
    routeUpdate(ns, "web", [parent("gw", OURS, [cond("Accepted", "True", T0)])]),
  ]);
  t.deepEqual(report, { written: 1, unchanged: 0, conflicts: 0, deleted: 1, errors: [] });
  // Deleted between our GET and PUT: the PUT's 404 is a skip too.
  const racing = new KubeStatusSink(env.kube, {
    controllerNames: [OURS],
    beforePut: async (u) => void (await env.kube.delete(resourcePath(R.HTTPRoute, { namespace: u.namespace, name: u.name }))),
  });
  t.deepEqual(await racing.write([routeUpdate(ns, "web", [parent("gw", OURS, [cond("Accepted", "False", T1)])])]),
    { written: 0, unchanged: 0, conflicts: 0, deleted: 1, errors: [] });
});

test("every route kind and BackendTLSPolicy is written at the served version (v1 in v1.6.3)", async (t) => {
  const ns = await env.cp.newNamespace("status-kinds");
  const l4 = { parentRefs: [{ name: "gw" }], rules: [{ backendRefs: [{ name: "svc", port: 80 }] }] };
  await create(R.GRPCRoute, ns, "r", { parentRefs: [{ name: "gw" }], rules: [{ backendRefs: [{ name: "svc", port: 80 }] }] });
  await create(R.TLSRoute, ns, "r", { ...l4, hostnames: ["a.example.com"] });
  await create(R.TCPRoute, ns, "r", l4);
  await create(R.UDPRoute, ns, "r", l4);
  await create(R.BackendTLSPolicy, ns, "p", {
    targetRefs: [{ group: "", kind: "Service", name: "svc" }],
    validation: { hostname: "svc.example.com", wellKnownCACertificates: "System" },
  });
  const sink = new KubeStatusSink(env.kube, { controllerNames: [OURS] });
  const kinds = ["GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"] as const;
  const ancestors = [{
    ancestorRef: { group: "gateway.networking.k8s.io", kind: "Gateway", namespace: ns, name: "gw" },
    controllerName: OURS, conditions: [cond("Accepted", "True", T0)],
  }];
  const report = await sink.write([
    ...kinds.map((kind): StatusUpdate => ({ kind, namespace: ns, name: "r", generation: 1, status: { parents: [parent("gw", OURS, [cond("Accepted", "True", T0)])] } })),
    { kind: "BackendTLSPolicy", namespace: ns, name: "p", generation: 1, status: { ancestors } },
  ]);
  t.deepEqual(report, { written: 5, unchanged: 0, conflicts: 0, deleted: 0, errors: [] });
  for (const kind of kinds) t.is((await read(R[kind], ns, "r")).status.parents[0].controllerName, OURS, kind);
  t.deepEqual((await read(R.BackendTLSPolicy, ns, "p")).status.ancestors, ancestors);
});

test("an invalid status (rejected by the CRD's validation) is an error, not a retry loop", async (t) => {
  const ns = await env.cp.newNamespace("status-invalid");
  await create(R.HTTPRoute, ns, "web", routeSpec("gw"));
  const sink = new KubeStatusSink(env.kube, { controllerNames: [OURS] });
  const report = await sink.write([routeUpdate(ns, "web", [parent("gw", OURS, [cond("Accepted", "True", "not a time", "bad reason!")])])]);
  t.is(report.written, 0);
  t.is(report.errors.length, 1);
  t.regex(report.errors[0]!.message, /^PUT status: 422/);
});

test.serial("a batch of 200 route statuses is written in parallel (throughput logged)", async (t) => {
  const ns = await env.cp.newNamespace("status-batch");
  const names = Array.from({ length: 200 }, (_, i) => `r${i}`);
  for (let i = 0; i < names.length; i += 20) await Promise.all(names.slice(i, i + 20).map((n) => create(R.HTTPRoute, ns, n, routeSpec("gw"))));
  const sink = new KubeStatusSink(env.kube, { controllerNames: [OURS] });
  const updates = names.map((n) => routeUpdate(ns, n, [parent("gw", OURS, [cond("Accepted", "True", T0)])]));
  const s = performance.now();
  const report = await sink.write(updates);
  const ms = performance.now() - s;
  t.like(report, { written: 200, errors: [] });
  t.log(`200 route statuses (concurrency 16): ${ms.toFixed(0)} ms, ${(ms / 200).toFixed(1)} ms per object`);
  const s2 = performance.now();
  t.like(await sink.write(updates), { written: 0, unchanged: 200 });
  t.log(`the same 200 again (GET only, all unchanged): ${(performance.now() - s2).toFixed(0)} ms`);
});
