// End to end on a real kube-apiserver + etcd: Gateway API objects in, statuses out, with the
// operator assembled by its container (real KubeSource, KubeStatusSink) in this process.
import test from "ava";
import {
  ApiError, condition, controllerFor, eventually, gatewayYaml, httpGet, parentCondition, parents, routeYaml, serviceYaml,
  startOperator, useOperator, type Obj,
} from "./e2e-helpers.js";
import { RecordingProvider } from "./run-fakes.js";

const CONTROLLER = controllerFor("status");
const env = useOperator(CONTROLLER);

test("class Accepted with supportedFeatures; Gateway Accepted and Programmed; route attached", async (t) => {
  const ns = await env.cp.newNamespace("basic");
  await env.kube.apply(gatewayYaml(`gc-${ns}`, CONTROLLER) + "---" + serviceYaml() + "---" + routeYaml("web"), ns);

  const gc = await env.kube.waitFor("GatewayClass", undefined, `gc-${ns}`, (o) => condition(o, "Accepted")?.status === "True", "class Accepted");
  t.true(Array.isArray(gc.status.supportedFeatures) && gc.status.supportedFeatures.length > 0, "supportedFeatures listed");
  t.true(gc.status.supportedFeatures.some((f: { name: string }) => f.name === "HTTPRoute"));

  const gw = await env.kube.waitFor("Gateway", ns, "gw", (o) => condition(o, "Programmed")?.status === "True", "Gateway Programmed");
  t.is(condition(gw, "Accepted")?.status, "True");
  await env.kube.waitFor("Gateway", ns, "gw", (o) => o.status?.listeners?.[0]?.attachedRoutes === 1, "one attached route");

  const route = await env.kube.waitFor("HTTPRoute", ns, "web", (o) => parentCondition(o, CONTROLLER, "Accepted")?.status === "True", "route Accepted");
  t.is(parentCondition(route, CONTROLLER, "ResolvedRefs")?.status, "True");
  t.is(parents(route, CONTROLLER).length, 1);
});

test("routes rejected with the spec's reasons: no such listener, no matching hostname, missing backend", async (t) => {
  const ns = await env.cp.newNamespace("rejected");
  await env.kube.apply(gatewayYaml(`gc-${ns}`, CONTROLLER) + "---" + serviceYaml(), ns);
  await env.kube.apply(routeYaml("no-listener", { section: "nope" }) + "---" + routeYaml("other-host", { hostname: "app.other.org" })
    + "---" + routeYaml("no-backend", { backend: "missing" }), ns);

  const a = await env.kube.waitFor("HTTPRoute", ns, "no-listener", (o) => parentCondition(o, CONTROLLER, "Accepted") !== undefined, "status");
  t.like(parentCondition(a, CONTROLLER, "Accepted"), { status: "False", reason: "NoMatchingParent" });
  const b = await env.kube.waitFor("HTTPRoute", ns, "other-host", (o) => parentCondition(o, CONTROLLER, "Accepted") !== undefined, "status");
  t.like(parentCondition(b, CONTROLLER, "Accepted"), { status: "False", reason: "NoMatchingListenerHostname" });
  const c = await env.kube.waitFor("HTTPRoute", ns, "no-backend", (o) => parentCondition(o, CONTROLLER, "ResolvedRefs") !== undefined, "status");
  t.like(parentCondition(c, CONTROLLER, "Accepted"), { status: "True" });
  t.like(parentCondition(c, CONTROLLER, "ResolvedRefs"), { status: "False", reason: "BackendNotFound" });
});

test("a cross-namespace backendRef is RefNotPermitted until a ReferenceGrant allows it", async (t) => {
  const ns = await env.cp.newNamespace("xns-route");
  const backendNs = await env.cp.newNamespace("xns-backend");
  await env.kube.apply(serviceYaml("remote"), backendNs);
  await env.kube.apply(gatewayYaml(`gc-${ns}`, CONTROLLER) + "---" + routeYaml("web", { backend: "remote", backendNamespace: backendNs }), ns);

  const before = await env.kube.waitFor("HTTPRoute", ns, "web", (o) => parentCondition(o, CONTROLLER, "ResolvedRefs") !== undefined, "status");
  t.like(parentCondition(before, CONTROLLER, "ResolvedRefs"), { status: "False", reason: "RefNotPermitted" });

  await env.kube.apply(`
apiVersion: gateway.networking.k8s.io/v1
kind: ReferenceGrant
metadata: { name: allow-routes }
spec:
  from: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: ${ns} }]
  to: [{ group: "", kind: Service }]
`, backendNs);
  const after = await env.kube.waitFor("HTTPRoute", ns, "web", (o) => parentCondition(o, CONTROLLER, "ResolvedRefs")?.status === "True", "ResolvedRefs=True after the grant");
  t.like(parentCondition(after, CONTROLLER, "ResolvedRefs"), { reason: "ResolvedRefs" });
  t.is(parents(after, CONTROLLER).length, 1, "one entry, updated in place");
});

test("another controller's parent entry on a route is preserved across our writes", async (t) => {
  const ns = await env.cp.newNamespace("shared-route");
  await env.kube.apply(gatewayYaml(`gc-${ns}`, CONTROLLER) + "---" + serviceYaml() + "---" + routeYaml("web"), ns);
  await env.kube.waitFor("HTTPRoute", ns, "web", (o) => parentCondition(o, CONTROLLER, "Accepted")?.status === "True", "route Accepted");

  const other = {
    parentRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name: "their-gw" },
    controllerName: "example.com/other",
    conditions: [{ type: "Accepted", status: "True", reason: "Accepted", message: "theirs", observedGeneration: 1, lastTransitionTime: "2026-01-01T00:00:00Z" }],
  };
  await env.kube.update("HTTPRoute", ns, "web", (o) => { o.status.parents.push(other); }, "status");
  // A spec change makes us write again (new observedGeneration).
  await env.kube.update("HTTPRoute", ns, "web", (o) => { o.spec.rules[0].matches[0].path.value = "/v2"; });
  const route = await env.kube.waitFor("HTTPRoute", ns, "web",
    (o) => parentCondition(o, CONTROLLER, "Accepted")?.observedGeneration === 2, "our entry at generation 2");
  const theirs = (route.status.parents as { controllerName: string }[]).filter((p) => p.controllerName === "example.com/other");
  t.deepEqual(theirs, [other]);
  t.is(parents(route, CONTROLLER).length, 1);
});

test("an invalid HTTPRoute is rejected by the API server's CEL rules (422) and never reaches the operator", async (t) => {
  const ns = await env.cp.newNamespace("cel");
  await env.kube.apply(gatewayYaml(`gc-${ns}`, CONTROLLER), ns);
  const err = await t.throwsAsync(env.kube.apply(routeYaml("bad", { path: "no-leading-slash" }), ns));
  t.true(err instanceof ApiError && err.status === 422, String(err?.message));
  // A valid route created afterwards gets its status, so the operator has seen everything before it.
  await env.kube.apply(serviceYaml() + "---" + routeYaml("good"), ns);
  await env.kube.waitFor("HTTPRoute", ns, "good", (o) => parentCondition(o, CONTROLLER, "Accepted") !== undefined, "status of the valid route");
  await env.run.op.reconciler.idle();
  const seen = env.run.op.reconciler.last?.graph.routes.map((r) => r.key) ?? [];
  t.true(seen.includes(`${ns}/good`));
  t.false(seen.includes(`${ns}/bad`));
  t.is(await env.kube.get("HTTPRoute", ns, "bad"), undefined);
});

test("/healthz, /readyz and /metrics answer; metrics count reconciles, writes and objects", async (t) => {
  const health = env.run.op.http.port("health")!;
  const metrics = env.run.op.http.port("metrics")!;
  t.is((await httpGet(health, "/healthz")).status, 200);
  t.is((await httpGet(health, "/readyz")).status, 200);
  await eventually(async () => (await env.run.metrics.value("gatehouse_status_writes_total", { result: "written" })) > 0, "a status write counted");
  const body = (await httpGet(metrics, "/metrics")).body;
  for (const name of ["gatehouse_reconcile_total", "gatehouse_reconcile_duration_seconds_bucket", "gatehouse_reconcile_queue_depth",
    "gatehouse_status_writes_total", "gatehouse_leader", "gatehouse_objects", "gatehouse_informer_restarts_total", "gatehouse_informer_relists_total"]) {
    t.true(body.includes(name), name);
  }
  t.regex(body, /gatehouse_leader 1/, "no leader election: always leads");
  t.regex(body, /gatehouse_objects\{kind="GatewayClass"\} [1-9]/);
});

test("Events: the Gateway's Programmed and a route's Accepted transitions are recorded on the objects", async (t) => {
  const ns = await env.cp.newNamespace("events");
  await env.kube.apply(gatewayYaml(`gc-${ns}`, CONTROLLER) + "---" + serviceYaml() + "---" + routeYaml("web") + "---" + routeYaml("lost", { section: "nope" }), ns);
  type Ev = { regarding: { kind: string; name: string }; reason: string; type: string; note: string; reportingController: string };
  const events = async () => ((await env.kube.client.get<{ items: Ev[] }>(`/apis/events.k8s.io/v1/namespaces/${ns}/events`)).body.items ?? []);
  const has = (list: Ev[], kind: string, name: string, reason: string) => list.some((e) => e.regarding.kind === kind && e.regarding.name === name && e.reason === reason);
  await eventually(async () => {
    const list = await events();
    return has(list, "Gateway", "gw", "Programmed") && has(list, "HTTPRoute", "web", "Accepted") && has(list, "HTTPRoute", "lost", "NoMatchingParent");
  }, "three events");
  const lost = (await events()).find((e) => e.regarding.name === "lost")!;
  t.is(lost.type, "Warning");
  t.regex(lost.note, /Accepted=False/);
});

test("finalizers: a provider that owns external resources gets a finalizer on its Gateways and routes; deletion waits for finalize", async (t) => {
  const controller = `${CONTROLLER}-cloud`;
  const provider = new RecordingProvider(controller, true);
  const cloud = await startOperator(env.cp, { controllerNames: [controller] }, { providers: [provider] });
  try {
    const ns = await env.cp.newNamespace("finalizers");
    await env.kube.apply(gatewayYaml(`gc-${ns}`, controller) + "---" + serviceYaml() + "---" + routeYaml("web"), ns);
    const has = (o: Obj) => {
      const f = o.metadata["finalizers"];
      return Array.isArray(f) && f.includes("gatehouse.dev/cleanup");
    };
    await env.kube.waitFor("Gateway", ns, "gw", has, "finalizer on the Gateway");
    await env.kube.waitFor("HTTPRoute", ns, "web", has, "finalizer on the route");

    await env.kube.delete("HTTPRoute", ns, "web");
    await eventually(async () => (await env.kube.get("HTTPRoute", ns, "web")) === undefined, "route gone once finalized");
    t.true(provider.finalized.some((r) => r.kind === "HTTPRoute" && r.namespace === ns && r.name === "web"));
    t.true(provider.applies > 0);
    t.truthy(await env.kube.get("Gateway", ns, "gw"), "the Gateway stays");
  } finally {
    await cloud.stop();
  }
});
