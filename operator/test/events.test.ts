// KubeEventRecorder against a real kube-apiserver: events.k8s.io/v1 Events are created with the
// right fields and repeats are aggregated into a series.
import test from "ava";
import { startControlPlane, type ControlPlane } from "@gatehouse/test-harness";
import { CORE_RESOURCES, KubeClient, resourcePath } from "../src/kube/client.js";
import { KubeEventRecorder, REPORTING_CONTROLLER } from "../src/kube/events/index.js";

let cp: ControlPlane;
let kube: KubeClient;

test.before(async () => {
  cp = await startControlPlane({ gatewayAPI: false });
  kube = new KubeClient(cp.kubeConfig);
});
test.after.always(async () => {
  kube?.close();
  await cp?.stop();
});

type Obj = Record<string, any>;

async function events(namespace: string): Promise<Obj[]> {
  const r = await kube.get<{ items: Obj[] }>(resourcePath(CORE_RESOURCES.Event, { namespace }));
  if (r.status !== 200) throw new Error(`list events: ${r.status}`);
  return r.body.items.filter((e) => e.reportingController === REPORTING_CONTROLLER);
}

const gw = (namespace: string) =>
  ({ kind: "Gateway", apiVersion: "gateway.networking.k8s.io/v1", namespace, name: "gw", uid: "0b5c8a52-6f43-4c3b-9a55-3d8d3b1f0c11" });

test("an Event is created with reporting controller, instance, regarding, action, reason and note", async (t) => {
  const ns = await cp.newNamespace("events");
  const errors: unknown[] = [];
  const rec = new KubeEventRecorder(kube, { instance: "replica-1", onError: (e) => errors.push(e) });
  await rec.record(gw(ns), "Normal", "Programmed", "the gateway is programmed");
  t.deepEqual(errors, []);
  const list = await events(ns);
  t.is(list.length, 1);
  t.like(list[0], {
    reportingController: REPORTING_CONTROLLER,
    reportingInstance: "replica-1",
    type: "Normal",
    action: "Programmed",
    reason: "Programmed",
    note: "the gateway is programmed",
    regarding: gw(ns),
  });
  t.regex(list[0]!.eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  t.is(list[0]!.series, undefined);
});

test("two identical records make one Event with series.count 2; a different note makes another", async (t) => {
  const ns = await cp.newNamespace("events-agg");
  const errors: unknown[] = [];
  const rec = new KubeEventRecorder(kube, { instance: "replica-1", onError: (e) => errors.push(e) });
  await rec.record(gw(ns), "Warning", "Invalid", "listener http: port 70000 is out of range");
  await rec.record(gw(ns), "Warning", "Invalid", "listener http: port 70000 is out of range");
  let list = await events(ns);
  t.is(list.length, 1);
  t.is(list[0]!.series?.count, 2);
  t.regex(list[0]!.series?.lastObservedTime, /\.\d{6}Z$/);

  // Concurrent repeats are counted, none lost.
  await Promise.all([1, 2, 3].map(() => rec.record(gw(ns), "Warning", "Invalid", "listener http: port 70000 is out of range")));
  list = await events(ns);
  t.is(list.length, 1);
  t.is(list[0]!.series?.count, 5);

  await rec.record(gw(ns), "Warning", "Invalid", "listener http: another problem");
  t.is((await events(ns)).length, 2);
  t.deepEqual(errors, []);
});

test("outside the series window a repeat creates a new Event; a deleted series Event is recreated", async (t) => {
  const ns = await cp.newNamespace("events-window");
  const rec = new KubeEventRecorder(kube, { instance: "replica-1", seriesWindowMs: 200 });
  await rec.record(gw(ns), "Normal", "Accepted", "accepted");
  await new Promise((r) => setTimeout(r, 400));
  await rec.record(gw(ns), "Normal", "Accepted", "accepted");
  t.is((await events(ns)).length, 2);

  const long = new KubeEventRecorder(kube, { instance: "replica-1" });
  await long.record(gw(ns), "Normal", "Resolved", "resolved");
  const first = (await events(ns)).find((e) => e.reason === "Resolved")!;
  await kube.delete(resourcePath(CORE_RESOURCES.Event, { namespace: ns, name: first.metadata.name }));
  await long.record(gw(ns), "Normal", "Resolved", "resolved");
  const again = (await events(ns)).filter((e) => e.reason === "Resolved");
  t.is(again.length, 1);
  t.not(again[0]!.metadata.name, first.metadata.name);
});

test("cluster-scoped objects' Events go to the default namespace; long notes are cut; failures never throw", async (t) => {
  const rec = new KubeEventRecorder(kube, { instance: "replica-1" });
  const name = `class-${Date.now()}`;
  await rec.record({ kind: "GatewayClass", apiVersion: "gateway.networking.k8s.io/v1", name }, "Normal", "Accepted", "x".repeat(5000));
  const list = (await events("default")).filter((e) => e.regarding?.name === name);
  t.is(list.length, 1);
  t.is(list[0]!.regarding.namespace, undefined);
  t.true(Buffer.byteLength(list[0]!.note) <= 1024);

  const errors: unknown[] = [];
  const bad = new KubeEventRecorder(kube, { instance: "", onError: (e) => errors.push(e) }); // reportingInstance is required
  await t.notThrowsAsync(bad.record({ kind: "Gateway", apiVersion: "gateway.networking.k8s.io/v1", namespace: "nowhere", name: "gw" }, "Normal", "A", "b"));
  t.is(errors.length, 1);
});
