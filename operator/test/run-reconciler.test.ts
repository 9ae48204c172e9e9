// The reconcile loop against in-memory fakes of our ports, wired through the real container.
import test from "ava";
import { pino } from "pino";
import { TOKENS } from "@gatehouse/model";
import type { Provider } from "@gatehouse/provider-api";
import type { StatusUpdate } from "@gatehouse/status";
import { OPERATOR_TOKENS } from "../src/ports.js";
import { buildContainer } from "../src/run/container.js";
import type { Metrics } from "../src/run/metrics.js";
import { LocalProvider, type Exposer } from "@gatehouse/provider-local";
import type { Operator } from "../src/run/operator.js";
import { defaultSettings, type Settings } from "../src/run/settings.js";
import { RUN_TOKENS } from "../src/run/tokens.js";
import {
  FakeElector, FakeFinalizers, FakeRecorder, FakeSink, FakeSource, FixedClock, RecordingProvider,
  gateway, gatewayClass, httpRoute, service, until,
} from "./run-fakes.js";

interface Rig {
  op: Operator; source: FakeSource; sink: FakeSink; elector: FakeElector; recorder: FakeRecorder; metrics: Metrics;
  provider: RecordingProvider; finalizers: FakeFinalizers;
}

function rig(opts: { leader?: boolean; provider?: RecordingProvider; settings?: Partial<Settings>; finalizers?: boolean } = {}): Rig {
  const source = new FakeSource();
  const sink = new FakeSink(source);
  const elector = new FakeElector(opts.leader ?? true);
  const recorder = new FakeRecorder();
  const finalizers = new FakeFinalizers(source);
  const settings = defaultSettings({ metricsAddress: undefined, healthAddress: undefined, ...opts.settings });
  const c = buildContainer(settings, {
    logger: pino({ level: "silent" }),
    kube: {
      source: () => source, statusSink: () => sink, leaderElector: () => elector, eventRecorder: () => recorder,
      finalizers: () => (opts.finalizers ? finalizers : undefined),
      annotations: () => undefined,
    },
  });
  // What a test does to swap the provider: rebind the multi-binding.
  const provider = opts.provider ?? new RecordingProvider();
  c.unbind(TOKENS.Provider);
  c.bind<Provider>(TOKENS.Provider).toConstantValue(provider);
  c.rebind(OPERATOR_TOKENS.Clock).toConstantValue(new FixedClock());
  const op = c.get<Operator>(RUN_TOKENS.Operator);
  return { op, source, sink, elector, recorder, metrics: c.get<Metrics>(OPERATOR_TOKENS.Metrics), provider, finalizers };
}

const cond = (s: Record<string, unknown> | undefined, type: string) =>
  ((s?.["conditions"] ?? []) as { type: string; status: string; reason: string; lastTransitionTime: string }[]).find((c) => c.type === type);
const parentCond = (s: Record<string, unknown> | undefined, type: string) =>
  ((s?.["parents"] ?? []) as { conditions: { type: string; status: string; reason: string }[] }[])[0]?.conditions.find((c) => c.type === type);

test("start: first reconcile writes class, Gateway and route statuses; the provider's results make the Gateway Programmed", async (t) => {
  const r = rig();
  r.source.put(gatewayClass(), gateway(), httpRoute("web"), service());
  await r.op.start();
  t.true(r.source.started);
  t.true(r.op.reconciler.ready);
  t.is(r.provider.applies, 1);
  t.is(r.sink.calls.length, 1, "one write call with every changed status");
  const by = new Map(r.sink.written.map((u) => [`${u.kind}/${u.name}`, u.status]));
  t.is(cond(by.get("GatewayClass/gh"), "Accepted")?.status, "True");
  t.is(cond(by.get("Gateway/gw"), "Programmed")?.status, "True", "not Pending: results of this reconcile's apply are merged in");
  t.deepEqual((by.get("Gateway/gw") as { addresses?: unknown }).addresses, [{ type: "IPAddress", value: "10.1.2.3" }]);
  t.is(parentCond(by.get("HTTPRoute/web"), "Accepted")?.status, "True");
  t.is(cond(by.get("Gateway/gw"), "Programmed")?.lastTransitionTime, "2026-01-02T03:04:05Z", "clock, second precision");
  await r.op.stop();
});

test("statuses equal to the cache are not written again; a later change writes only what changed", async (t) => {
  const r = rig();
  r.source.put(gatewayClass(), gateway(), httpRoute("a"), service());
  await r.op.start();
  await until(() => r.source.get("HTTPRoute", "default", "a")?.status !== undefined, "status in cache");
  await r.op.reconciler.idle();
  const before = r.sink.calls.length;
  r.source.put(httpRoute("b"));
  await until(() => r.sink.calls.length > before, "a second write");
  await r.op.reconciler.idle();
  const last = r.sink.calls.at(-1)!;
  t.true(last.some((u) => u.name === "b"));
  t.false(last.some((u) => u.name === "a"), "route a unchanged, not rewritten");
  t.true(await r.metrics.value("gatehouse_status_writes_total", { result: "skipped" }) > 0);
  await r.op.stop();
});

test("while the cache lags our last write, a status equal to the cache's older copy is still written", async (t) => {
  const r = rig();
  r.source.put(gatewayClass(), gateway(), httpRoute("a"), service());
  await r.op.start();
  await until(() => r.source.get("Gateway", "default", "gw")?.status !== undefined, "gateway status in cache");
  await r.op.reconciler.idle();
  const attached = (u: StatusUpdate | undefined) => (u?.status as { listeners?: { attachedRoutes: number }[] } | undefined)?.listeners?.[0]?.attachedRoutes;
  r.sink.lag = true; // from now on the cache keeps attachedRoutes=1
  r.source.put(httpRoute("b"));
  await until(() => r.sink.written.some((u) => u.kind === "Gateway" && attached(u) === 2), "attachedRoutes 2 written");
  await r.op.reconciler.idle();
  r.source.remove("HTTPRoute", "default", "b");
  await until(() => attached(r.sink.calls.at(-1)?.find((u) => u.kind === "Gateway")) === 1, "attachedRoutes 1 written again");
  t.pass();
  await r.op.stop();
});

test("resync rewrites a status someone else changed, though that change woke nothing", async (t) => {
  const r = rig();
  r.source.put(gatewayClass(), gateway(), httpRoute("a"), service());
  await r.op.start();
  await until(() => r.source.get("HTTPRoute", "default", "a")?.status !== undefined, "status in cache");
  await r.op.reconciler.idle();
  // Someone wipes our route status; the fake delivers it to the cache without a notification.
  r.source.putQuietly({ ...r.source.get("HTTPRoute", "default", "a")!, status: { parents: [] } });
  const before = r.sink.calls.length;
  r.op.reconciler.resync();
  await until(() => r.sink.calls.length > before, "resync wrote");
  t.true(r.sink.calls.at(-1)!.some((u) => u.kind === "HTTPRoute" && u.name === "a"));
  await r.op.stop();
});

test("a change during a reconcile schedules exactly one more", async (t) => {
  const r = rig();
  r.source.put(gatewayClass(), gateway(), service());
  let release!: () => void;
  r.sink.gate = new Promise((res) => (release = res));
  const started = r.op.start();
  await until(() => r.sink.calls.length === 1, "first write in progress");
  const during = r.op.reconciler.count;
  for (let i = 0; i < 5; i++) r.source.put(httpRoute(`r${i}`));
  t.is(await r.metrics.value("gatehouse_reconcile_queue_depth"), 5);
  r.sink.gate = undefined;
  release();
  await started;
  await r.op.reconciler.idle();
  // Statuses written by the second reconcile arrive as changes too; wait for quiet.
  await until(() => r.source.get("HTTPRoute", "default", "r4")?.status !== undefined, "r4 status");
  await r.op.reconciler.idle();
  t.is(during, 0);
  t.true(r.sink.calls[1]!.some((u) => u.name === "r4"), "the one extra reconcile saw all five routes");
  t.false(r.sink.calls.slice(2).some((c) => c.some((u) => u.kind === "HTTPRoute")), "no reconcile per change");
  await r.op.stop();
});

test("a standby computes but neither applies nor writes; on becoming leader it writes", async (t) => {
  const r = rig({ leader: false });
  r.source.put(gatewayClass(), gateway(), httpRoute("web"), service());
  await r.op.start();
  t.true(r.op.reconciler.ready, "ready: computing worked");
  t.truthy(r.op.reconciler.last, "computed");
  t.is(r.provider.applies, 0);
  t.is(r.sink.calls.length, 0);
  t.is(await r.metrics.value("gatehouse_leader"), 0);
  r.elector.set(true);
  await until(() => r.sink.calls.length >= 1, "write after takeover");
  t.true(r.provider.applies >= 1);
  t.is(await r.metrics.value("gatehouse_leader"), 1);
  await r.op.stop();
});

test("a provider that serves on every replica (local backend) applies on a standby too; the standby still writes nothing", async (t) => {
  const r = rig({ leader: false, provider: new RecordingProvider("gatehouse.dev/local", false, true) });
  r.source.put(gatewayClass(), gateway(), httpRoute("web"), service());
  await r.op.start();
  t.true(r.provider.applies >= 1);
  t.is(r.sink.calls.length, 0);
  await r.op.stop();
});

test("errors are counted, logged and retried; the loop keeps running and is not ready until one succeeds", async (t) => {
  const r = rig();
  r.sink.fail = new Error("connection refused");
  r.source.put(gatewayClass(), gateway(), service());
  await r.op.start();
  t.false(r.op.reconciler.ready);
  t.is(await r.metrics.value("gatehouse_reconcile_errors_total", { stage: "status" }), 1);
  t.is(await r.metrics.value("gatehouse_reconcile_total", { result: "error" }), 1);
  r.sink.fail = undefined;
  // The retry (backoff 500 ms) runs without any new change.
  await until(() => r.op.reconciler.ready, "ready after retry");
  t.is(await r.metrics.value("gatehouse_reconcile_total", { result: "success" }) >= 1, true);
  await r.op.stop();
});

test("a provider that throws keeps its previous results and does not stop status writes", async (t) => {
  const p = new RecordingProvider();
  const r = rig({ provider: p });
  r.source.put(gatewayClass(), gateway(), service());
  await r.op.start();
  p.apply = async () => { throw new Error("backend down"); };
  r.source.put(httpRoute("web"));
  await until(() => r.sink.written.some((u) => u.name === "web"), "route status");
  await r.op.reconciler.idle();
  t.is(await r.metrics.value("gatehouse_reconcile_errors_total", { stage: "provider" }) >= 1, true);
  const gw = r.source.get("Gateway", "default", "gw");
  t.is(cond(gw?.status, "Programmed")?.status, "True", "still Programmed from the last good results");
  await r.op.stop();
});

test("Events for Gateway Programmed and route Accepted transitions, once each", async (t) => {
  const r = rig();
  r.source.put(gatewayClass(), gateway(), httpRoute("web"), httpRoute("lost"), service());
  const lost = httpRoute("lost");
  (lost.spec as { parentRefs: unknown[] }).parentRefs = [{ name: "gw", sectionName: "nope" }];
  r.source.put(lost);
  await r.op.start();
  await until(() => r.source.get("HTTPRoute", "default", "web")?.status !== undefined, "cache updated");
  await r.op.reconciler.idle();
  await r.op.stop();
  const ev = r.recorder.events.map((e) => `${e.ref.kind}/${e.ref.name} ${e.type} ${e.reason}`).sort();
  t.deepEqual(ev, ["Gateway/gw Normal Programmed", "HTTPRoute/lost Warning NoMatchingParent", "HTTPRoute/web Normal Accepted"]);
  t.is(await r.metrics.value("gatehouse_events_total"), 3);
});

test("setReferenced gets the graph's Secrets and ConfigMaps; source counters become metrics", async (t) => {
  const r = rig();
  const gw = gateway();
  (gw.spec as { listeners: unknown[] }).listeners.push({ name: "https", port: 443, protocol: "HTTPS", tls: { certificateRefs: [{ name: "cert" }] } });
  r.source.put(gatewayClass(), gw, service());
  await r.op.start();
  t.deepEqual(r.source.referenced.at(-1), { secrets: ["default/cert"], configMaps: [], services: [] });
  t.is(await r.metrics.value("gatehouse_informer_restarts_total", { kind: "HTTPRoute" }), 2);
  t.is(await r.metrics.value("gatehouse_informer_relists_total", { kind: "HTTPRoute" }), 3);
  t.is(await r.metrics.value("gatehouse_objects", { kind: "Gateway" }), 1);
  await r.op.stop();
});

test("finalizers: added to our Gateways and routes when the provider needs them; deletion waits for finalize", async (t) => {
  const p = new RecordingProvider("gatehouse.dev/local", true);
  const r = rig({ provider: p, finalizers: true });
  r.source.put(gatewayClass(), gateway(), httpRoute("web"), service());
  await r.op.start();
  t.deepEqual(r.finalizers.added.map((x) => `${x.kind}/${x.name}`).sort(), ["Gateway/gw", "HTTPRoute/web"]);
  await until(() => (r.source.get("HTTPRoute", "default", "web")?.metadata.finalizers ?? []).length === 1, "finalizer in cache");
  await r.op.reconciler.idle();
  t.is(r.finalizers.added.length, 2, "not added twice");

  p.finalizeDone = false;
  const web = r.source.get("HTTPRoute", "default", "web")!;
  r.source.put({ ...web, metadata: { ...web.metadata, deletionTimestamp: "2026-01-02T03:04:05Z" } });
  await until(() => p.finalized.length >= 1, "finalize called");
  await r.op.reconciler.idle();
  t.deepEqual(r.finalizers.removed, [], "provider not done: finalizer stays");
  p.finalizeDone = true;
  await until(() => r.source.get("HTTPRoute", "default", "web") === undefined, "finalizer removed after retry, route gone");
  await r.op.reconciler.idle();
  t.true(r.finalizers.removed.length >= 1);
  t.true(r.finalizers.removed.every((x) => x.kind === "HTTPRoute" && x.name === "web"), "only the deleted route");
  t.false(r.finalizers.removed.some((x) => x.kind === "Gateway"));
  await r.op.stop();
});

test("stop: finishes the running reconcile, stops the elector, source and providers; ignores later changes", async (t) => {
  const r = rig();
  r.source.put(gatewayClass(), gateway(), service());
  await r.op.start();
  let release!: () => void;
  r.sink.gate = new Promise((res) => (release = res));
  r.source.put(httpRoute("web"));
  await until(() => r.sink.calls.length === 2, "write in progress");
  const stopped = r.op.stop();
  r.source.put(httpRoute("late"));
  release();
  await stopped;
  t.true(r.elector.stopped);
  t.true(r.source.stopped);
  t.true(r.provider.closed);
  t.false(r.sink.written.some((u) => u.name === "late"));
});

test("the container binds one LocalProvider per --controller-name (loopback: no exposer)", async (t) => {
  const settings = defaultSettings({ controllerNames: ["a.example/x", "gatehouse.dev/local"], metricsAddress: undefined, healthAddress: undefined });
  t.is(settings.localAddresses, "loopback", "not in a pod");
  const exposers: string[] = [];
  const c = buildContainer(settings, {
    logger: pino({ level: "silent" }),
    kube: { exposer: (_ctx, name) => { exposers.push(name); return { expose: async () => [] }; } },
  });
  const providers = c.getAll<Provider>(TOKENS.Provider);
  t.deepEqual(providers.map((p) => p.capabilities.controllerName), ["a.example/x", "gatehouse.dev/local"]);
  t.true(providers.every((p) => p instanceof LocalProvider && !p.needsFinalizer && p.everyReplica));
  t.deepEqual(providers[0]!.capabilities.parameters, [{ group: "gatehouse.dev", kind: "LocalProxyConfig" }]);
  t.deepEqual(exposers, []);
  t.true(c.isBound(RUN_TOKENS.Finalizers), "bound; used only when a provider needs finalizers");
  await Promise.all(providers.map((p) => p.close()));
});

test("--local-addresses incluster: each LocalProvider gets an exposer for its controllerName", async (t) => {
  const settings = defaultSettings({ controllerNames: ["a.example/x", "gatehouse.dev/local"], localAddresses: "incluster", metricsAddress: undefined, healthAddress: undefined });
  const exposers: string[] = [];
  const exposer: Exposer = { expose: async () => [] };
  const c = buildContainer(settings, {
    logger: pino({ level: "silent" }),
    kube: { exposer: (_ctx, name) => { exposers.push(name); return exposer; } },
  });
  const providers = c.getAll<Provider>(TOKENS.Provider);
  t.deepEqual(exposers, ["a.example/x", "gatehouse.dev/local"]);
  await Promise.all(providers.map((p) => p.close()));
});

test("metrics: provider API calls and retries from the provider's stats; Gateways programmed on the first apply are timed", async (t) => {
  const p = new RecordingProvider();
  const calls = [{ operation: "CreateService", result: "success" as const, count: 3 }, { operation: "GetService", result: "throttled" as const, count: 2 }];
  (p as RecordingProvider & { stats(): unknown }).stats = () => ({ apiCalls: calls, retries: 2 });
  const r = rig({ provider: p });
  r.source.put(gatewayClass(), gateway(), httpRoute("a"), service());
  await r.op.start();
  await r.op.reconciler.idle();
  t.is(await r.metrics.value("gatehouse_provider_api_calls_total", { controller: "gatehouse.dev/local", operation: "CreateService", result: "success" }), 3);
  t.is(await r.metrics.value("gatehouse_provider_api_calls_total", { result: "throttled" }), 2);
  t.is(await r.metrics.value("gatehouse_provider_api_retries_total", { controller: "gatehouse.dev/local" }), 2);
  // Programmed in the same reconcile that first saw it: nothing was waiting, nothing is.
  t.is(await r.metrics.value("gatehouse_gateways_not_programmed"), 0);
  await r.op.stop();
});
