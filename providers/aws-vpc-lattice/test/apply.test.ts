// Apply against the fake through the real SDK client: create, no-op, change, delete.
import test from "ava";
import {
  annotationsOf, computeOf, converge, defaultConfigYaml, desiredOf, docs, fake, gateway, gatewayClass, httpRoute, mutatingCount,
  provider, service, simpleRule, tlsRoute, VPC, withPassthrough,
} from "./fixtures.js";
import { ANNOTATION } from "../src/known.js";
import { TAG } from "../src/tags.js";

const world = (extra = "") => docs(
  gatewayClass(), defaultConfigYaml(), gateway("gw"),
  service("web", ["10.0.0.1", "10.0.0.2"]), service("api", ["10.0.1.1"]),
  httpRoute("web", "gw", `${simpleRule("/", "web")}\n${simpleRule("/api", "api")}`, ["web.example.com"]),
  extra,
);

test("a Gateway and a route become a service network, a service, listeners, rules and target groups", async (t) => {
  const lattice = await fake();
  t.teardown(() => lattice.close());
  const p = provider(lattice);
  t.teardown(() => p.close());
  const desired = desiredOf(world());
  const plan = await p.plan(desired);
  t.deepEqual(lattice.calls.count(), 0, "plan makes no calls");
  t.deepEqual(plan.changes.map((c) => `${c.op} ${c.resource}`), [
    "create lattice:serviceNetwork", "create lattice:vpcAssociation",
    "create lattice:targetGroup", "create lattice:targetGroup", "create lattice:service",
    "update lattice:targets", "update lattice:targets", "create lattice:serviceAssociation", "create lattice:listener",
    "create lattice:rule", "create lattice:rule", "create lattice:rule",
  ]);
  t.true(plan.changes.every((c) => c.sources.length > 0));
  const r = await p.apply(plan, desired);
  t.like(r.gateways[0], { key: "default/gw", programmed: true, reason: "Programmed" });
  t.regex(r.gateways[0]!.message, /service network gw-default \(arn:aws:vpc-lattice:/);
  t.is(r.gateways[0]!.addresses.length, 1);
  t.regex(r.gateways[0]!.addresses[0]!.value, /^web-default-.*\.on\.aws$/);
  t.is(r.routes.length, 1);
  t.is(r.routes[0]!.error, undefined);
  t.is(r.routes[0]!.annotations![ANNOTATION.dns("default/gw")], r.gateways[0]!.addresses[0]!.value);
  t.is(ANNOTATION.dns("default/gw"), "gatehouse.dev/lattice-dns-default.gw");

  const c = lattice.state.counts();
  t.like(c, { serviceNetwork: 1, vpcAssociation: 1, service: 1, serviceAssociation: 1, listener: 1, rule: 3, targetGroup: 2, targets: 3 });
  for (const res of lattice.state.resources()) {
    t.is(res.tags[TAG.cluster], "test", `${res.kind} tagged`);
    t.is(res.tags[TAG.controller], "gatehouse.dev/aws-vpc-lattice");
    t.is(res.tags["team"], "web");
  }
  const svc = lattice.state.resources().find((x) => x.kind === "service")!;
  t.is(svc.tags[TAG.owner], "httproute/default/web");
  t.is(lattice.state.snapshot().services[0]!["customDomainName"], "web.example.com");

  // The core turns the results into status.
  const { statuses } = computeOf(world(), [r]);
  const gw = statuses.find((s) => s.kind === "Gateway")!.status as { conditions: { type: string; status: string }[]; addresses: unknown[] };
  t.is(gw.conditions.find((x) => x.type === "Programmed")!.status, "True");
  t.deepEqual(gw.addresses, r.gateways[0]!.addresses);

  // No-op: nothing planned, no mutating call.
  const before = lattice.calls.count({ mutating: true });
  t.deepEqual((await p.plan(desired)).changes, []);
  await converge(p, desired);
  t.is(lattice.calls.count({ mutating: true }), before);
});

test("a one-rule change is a minimal diff; removing the route deletes everything it owned", async (t) => {
  const lattice = await fake();
  t.teardown(() => lattice.close());
  const p = provider(lattice);
  t.teardown(() => p.close());
  await converge(p, desiredOf(world()));
  lattice.calls.clear();
  // The /api rule now sends to web with weights.
  const changed = docs(gatewayClass(), defaultConfigYaml(), gateway("gw"), service("web", ["10.0.0.1", "10.0.0.2"]), service("api", ["10.0.1.1"]),
    httpRoute("web", "gw", `${simpleRule("/", "web")}\n${simpleRule("/api", "web")}`, ["web.example.com"]));
  const plan = await p.plan(desiredOf(changed));
  t.deepEqual(plan.changes.map((c) => `${c.op} ${c.resource}`), ["update lattice:rule", "update lattice:rule", "delete lattice:targetGroup"]);
  await converge(p, desiredOf(changed));
  t.deepEqual(lattice.calls.counters({ mutating: true }), { UpdateRule: 2, DeleteTargetGroup: 1 });
  t.is(lattice.state.counts().targetGroup, 1);

  // The route goes: its service (listeners, rules), association and target groups go.
  const noRoute = docs(gatewayClass(), defaultConfigYaml(), gateway("gw"), service("web", ["10.0.0.1"]));
  const r = await converge(p, desiredOf(noRoute));
  t.like(lattice.state.counts(), { serviceNetwork: 1, vpcAssociation: 1, service: 0, serviceAssociation: 0, listener: 0, rule: 0, targetGroup: 0 });
  t.like(r.gateways[0], { programmed: true, addresses: [] });
  // The Gateway goes: everything goes.
  const res = await p.finalize({ kind: "Gateway", namespace: "default", name: "gw" });
  t.true(res.done, res.message);
  t.true(lattice.state.isEmpty({ key: TAG.cluster }));
  t.true(lattice.state.isEmpty());
});

test("a restarted provider knows its resources from the annotations alone: no-op, then finalize", async (t) => {
  const lattice = await fake();
  t.teardown(() => lattice.close());
  const p1 = provider(lattice);
  const r = await converge(p1, desiredOf(world()));
  await p1.close();
  const ann = annotationsOf(r);
  t.truthy(ann["gateway/default/gw"]![ANNOTATION.gateway]);
  t.truthy(ann["httproute/default/web"]![ANNOTATION.route("default/gw")]);

  const p2 = provider(lattice);
  t.teardown(() => p2.close());
  lattice.calls.clear();
  t.deepEqual((await p2.plan(desiredOf(world(), ann))).changes, []);
  await converge(p2, desiredOf(world(), ann));
  t.is(lattice.calls.count(), 0, "no call at all");
  const route = await p2.finalize({ kind: "HTTPRoute", namespace: "default", name: "web" });
  t.true(route.done, route.message);
  t.like(lattice.state.counts(), { service: 0, targetGroup: 0, serviceNetwork: 1 });
  const gw = await p2.finalize({ kind: "Gateway", namespace: "default", name: "gw" });
  t.true(gw.done, gw.message);
  t.true(lattice.state.isEmpty());
});

test("rules that swap priorities move through a free priority, never sharing one", async (t) => {
  const lattice = await fake();
  t.teardown(() => lattice.close());
  const p = provider(lattice);
  t.teardown(() => p.close());
  const at = (a: string, b: string) => docs(gatewayClass(), defaultConfigYaml(), gateway("gw"), service("web", ["10.0.0.1"]), service("api", ["10.0.1.1"]),
    httpRoute("web", "gw", `  - matches: [{ path: { type: Exact, value: "${a}" } }]\n    backendRefs: [{ name: web, port: 80 }]\n  - matches: [{ path: { type: Exact, value: "${b}" } }]\n    backendRefs: [{ name: api, port: 80 }]`));
  await converge(p, desiredOf(at("/aaaa", "/b")));
  const byPath = () => Object.fromEntries(lattice.state.snapshot().rules.map((r) => [
    JSON.stringify((r["match"] as { httpMatch: { pathMatch: { match: unknown } } }).httpMatch.pathMatch.match), r["priority"]]));
  t.deepEqual(byPath(), { '{"exact":"/aaaa"}': 1, '{"exact":"/b"}': 2 });
  lattice.calls.clear();
  await converge(p, desiredOf(at("/a", "/bbbb")));
  t.deepEqual(byPath(), { '{"exact":"/a"}': 2, '{"exact":"/bbbb"}': 1 });
  t.deepEqual(lattice.calls.counters({ mutating: true }), { UpdateRule: 3 });
  t.true(lattice.calls.list({ mutating: true }).every((c) => c.status === 200));
  t.deepEqual((await p.plan(desiredOf(at("/a", "/bbbb")))).changes, []);
});

const tlsWorld = (weights: [string, number][], ips = ["10.0.2.1", "10.0.2.2"]) => docs(
  gatewayClass(), defaultConfigYaml(), gateway("gw", withPassthrough()),
  service("web", ["10.0.0.1"]), service("db", ips), service("db2", ["10.0.3.1"]),
  httpRoute("web", "gw", simpleRule("/", "web"), ["web.example.com"]),
  tlsRoute("db", "gw", weights, ["db.example.com"]),
);

test("a TLSRoute on a Passthrough listener: a service with its custom domain, a TLS_PASSTHROUGH listener, TCP target groups; no-op; weights; finalize", async (t) => {
  const lattice = await fake();
  t.teardown(() => lattice.close());
  const p = provider(lattice);
  t.teardown(() => p.close());
  const desired = desiredOf(tlsWorld([["db", 1]]));
  const r = await converge(p, desired);
  t.like(r.gateways[0], { programmed: true });
  t.deepEqual(r.routes.map((x) => [x.route, x.error]), [["httproute/default/web", undefined], ["tlsroute/default/db", undefined]]);
  t.truthy(r.routes[1]!.annotations![ANNOTATION.route("default/gw")]);
  t.regex(r.routes[1]!.annotations![ANNOTATION.dns("default/gw")]!, /^db-default-.*\.on\.aws$/);
  const snap = lattice.state.snapshot();
  const svc = snap.services.find((s) => s["name"] === "db-default")!;
  t.is(svc["customDomainName"], "db.example.com");
  const lis = snap.listeners.filter((l) => l["serviceId"] === svc["id"] || String(l["serviceArn"] ?? "").endsWith(String(svc["id"])));
  t.is(lis.length, 1);
  t.like(lis[0], { name: "tls-443", protocol: "TLS_PASSTHROUGH", port: 443 });
  const tcp = snap.targetGroups.filter((g) => (g["config"] as { protocol: string }).protocol === "TCP");
  t.is(tcp.length, 1);
  t.like(tcp[0]!["config"] as object, { port: 80, protocol: "TCP", vpcIdentifier: VPC });
  t.deepEqual((snap.targets[String(tcp[0]!["id"])] ?? []).map((x) => x["id"]).sort(), ["10.0.2.1", "10.0.2.2"]);
  t.deepEqual(snap.rules.filter((x) => x["listenerId"] === lis[0]!["id"] && !x["isDefault"]), [], "no rules besides the default one");
  const defaultAction = lis[0]!["defaultAction"] as { forward: { targetGroups: { targetGroupIdentifier: string; weight: number }[] } };
  t.deepEqual(defaultAction.forward.targetGroups.map((g) => g.weight), [1]);

  // The core turns the results into the TLSRoute's status.
  const { statuses } = computeOf(tlsWorld([["db", 1]]), [r]);
  const st = statuses.find((s) => s.kind === "TLSRoute")!.status as { parents: { conditions: { type: string; status: string }[] }[] };
  t.is(st.parents[0]!.conditions.find((c) => c.type === "Accepted")!.status, "True");

  // No-op.
  lattice.calls.clear();
  t.deepEqual((await p.plan(desired)).changes, []);
  await converge(p, desired);
  t.is(lattice.calls.count(), 0);

  // A second backend: one TCP group created, the listener's default action updated in place.
  const split = desiredOf(tlsWorld([["db", 3], ["db2", 1]]));
  t.deepEqual((await p.plan(split)).changes.map((c) => `${c.op} ${c.resource}`),
    ["create lattice:targetGroup", "update lattice:targets", "update lattice:listener"]);
  await converge(p, split);
  t.deepEqual(lattice.calls.counters({ mutating: true }), { CreateTargetGroup: 1, RegisterTargets: 1, UpdateListener: 1 });
  const after = lattice.state.snapshot().listeners.find((l) => l["protocol"] === "TLS_PASSTHROUGH")!;
  t.deepEqual((after["defaultAction"] as typeof defaultAction).forward.targetGroups.map((g) => g.weight), [3, 1]);
  // Back to one backend: the listener moves first, then the unused group is deleted.
  lattice.calls.clear();
  await converge(p, desired);
  t.deepEqual(lattice.calls.counters({ mutating: true }), { UpdateListener: 1, DeleteTargetGroup: 1 });

  // The TLSRoute is deleted: its service, listener and TCP group go; the HTTPRoute stays.
  const gone = await p.finalize({ kind: "TLSRoute", namespace: "default", name: "db" });
  t.true(gone.done, gone.message);
  t.like(lattice.state.counts(), { service: 1, listener: 1, targetGroup: 1 });
  t.false(lattice.state.snapshot().targetGroups.some((g) => (g["config"] as { protocol: string }).protocol === "TCP"));
  t.true((await p.finalize({ kind: "HTTPRoute", namespace: "default", name: "web" })).done);
  t.true((await p.finalize({ kind: "Gateway", namespace: "default", name: "gw" })).done);
  t.true(lattice.state.isEmpty());
});

test("a fresh provider finalizes a route and a Gateway from FinalizeTarget.annotations alone", async (t) => {
  const lattice = await fake();
  t.teardown(() => lattice.close());
  const p1 = provider(lattice);
  const r = await converge(p1, desiredOf(tlsWorld([["db", 1], ["db2", 1]])));
  await p1.close();
  const ann = annotationsOf(r);
  const only = (a: Record<string, string | null> | undefined) =>
    Object.fromEntries(Object.entries(a ?? {}).filter((e): e is [string, string] => e[1] !== null && e[0].startsWith("gatehouse.dev/")));

  // A new instance: nothing in memory, no apply yet. The TLSRoute is deleted first…
  const p2 = provider(lattice);
  t.teardown(() => p2.close());
  const waiting = await p2.finalize({ kind: "HTTPRoute", namespace: "default", name: "web" });
  t.false(waiting.done, "without annotations a fresh instance waits for the first apply");
  const route = await p2.finalize({ kind: "TLSRoute", namespace: "default", name: "db", annotations: only(ann["tlsroute/default/db"]) });
  t.true(route.done, route.message);
  t.is(lattice.state.snapshot().services.length, 1);
  // …then the Gateway, whose annotation also indexes the HTTPRoute's service (that route was deleted too).
  const p3 = provider(lattice);
  t.teardown(() => p3.close());
  const gw = await p3.finalize({ kind: "Gateway", namespace: "default", name: "gw", annotations: only(ann["gateway/default/gw"]) });
  t.true(gw.done, gw.message);
  t.true(lattice.state.isEmpty({ key: TAG.cluster }), "nothing of ours left");
  t.true(lattice.state.isEmpty());
});
