import test from "ava";
import {
  CONTROLLER, WEB, capsWithout, caps, condition, gateway, gatewayClass, httpRoute, listener, only, route, run, toGw,
} from "./route-helpers.js";

const backend = { name: "web", port: 80 };

test("a route attached to one of our Gateways is Accepted with resolved refs and counted once", (t) => {
  const { routes, gateways } = run({ objects: { HTTPRoute: [httpRoute("r", [{ backendRefs: [backend] }])], Service: WEB.slice(0, 1) } });
  const r = only(routes);
  t.is(r.source, "httproute/default/r");
  t.is(r.key, "default/r");
  const p = only(r.parents);
  t.deepEqual(p.ref, { group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "infra", name: "gw" });
  t.is(p.gatewayKey, "infra/gw");
  t.is(p.controllerName, CONTROLLER);
  t.true(p.accepted);
  t.deepEqual(p.listeners, [{ name: "http", hostnames: [] }]);
  t.deepEqual(p.conditions, [
    { type: "Accepted", status: "True", reason: "Accepted", message: "Route is accepted" },
    { type: "ResolvedRefs", status: "True", reason: "ResolvedRefs", message: "All references are resolved" },
  ]);
  t.is(gateways[0]!.listeners[0]!.attachedRoutes, 1);
});

test("routes without a parentRef to one of our Gateways are not in the graph", (t) => {
  const { routes, gateways } = run({
    objects: {
      HTTPRoute: [
        route("HTTPRoute", "other-gw", { parentRefs: [{ name: "elsewhere" }] }),
        route("HTTPRoute", "service-parent", { parentRefs: [{ group: "", kind: "Service", name: "gw", namespace: "infra" }] }),
        route("HTTPRoute", "same-ns-default", { parentRefs: [{ name: "gw" }] }), // defaults to namespace default
        route("HTTPRoute", "no-refs", {}),
        route("HTTPRoute", "garbage", "not a spec" as never),
      ],
    },
  });
  t.deepEqual(routes, []);
  t.is(gateways[0]!.listeners[0]!.attachedRoutes, 0);
});

test("only parentRefs to our Gateways become parents, keeping their spec index", (t) => {
  const { routes } = run({
    objects: { HTTPRoute: [route("HTTPRoute", "r", { parentRefs: [{ name: "foreign" }, toGw()] })] },
  });
  t.deepEqual(only(routes).parents.map((p) => p.index), [1]);
});

test("unknown sectionName: Accepted=False NoMatchingParent", (t) => {
  const { routes, gateways } = run({ objects: { HTTPRoute: [route("HTTPRoute", "r", { parentRefs: [toGw({ sectionName: "nope" })] })] } });
  const p = only(only(routes).parents);
  t.false(p.accepted);
  t.deepEqual(p.listeners, []);
  t.deepEqual(condition(p.conditions, "Accepted"), {
    type: "Accepted", status: "False", reason: "NoMatchingParent", message: 'Gateway infra/gw has no listener named "nope"',
  });
  t.is(gateways[0]!.listeners[0]!.attachedRoutes, 0);
});

test("port selects listeners; a port with no listener is NoMatchingParent", (t) => {
  const gws = () => [gateway("gw", [listener("a", { port: 80 }), listener("b", { port: 8080 })])];
  const ok = run({ gateways: gws(), objects: { HTTPRoute: [route("HTTPRoute", "r", { parentRefs: [toGw({ port: 8080 })] })] } });
  t.deepEqual(only(only(ok.routes).parents).listeners, [{ name: "b", hostnames: [] }]);
  t.deepEqual(ok.gateways[0]!.listeners.map((l) => l.attachedRoutes), [0, 1]);

  const bad = run({ gateways: gws(), objects: { HTTPRoute: [route("HTTPRoute", "r", { parentRefs: [toGw({ port: 9000, sectionName: "a" })] })] } });
  t.is(condition(only(only(bad.routes).parents).conditions, "Accepted")?.message, 'Gateway infra/gw has no listener named "a" on port 9000');
});

test("HTTPRoute parentRef port needs HTTPRouteParentRefPort", (t) => {
  const { routes } = run({
    classes: [gatewayClass("gh", capsWithout("HTTPRouteParentRefPort"))],
    objects: { HTTPRoute: [route("HTTPRoute", "r", { parentRefs: [toGw({ port: 80 })] })] },
  });
  t.deepEqual(condition(only(only(routes).parents).conditions, "Accepted"), {
    type: "Accepted", status: "False", reason: "UnsupportedValue",
    message: "spec.parentRefs[0].port: attaching by port is not supported by gatehouse.dev/test",
  });
});

test("listener allowedRoutes: namespace and kind give NotAllowedByListeners", (t) => {
  const same = run({
    gateways: [gateway("gw", [listener("http", { allowed: { from: "Same" } })])],
    objects: { HTTPRoute: [httpRoute("r", [])] },
  });
  t.deepEqual(condition(only(only(same.routes).parents).conditions, "Accepted"), {
    type: "Accepted", status: "False", reason: "NotAllowedByListeners",
    message: 'no listener of Gateway infra/gw (http) allows routes from namespace "default"',
  });
  t.is(same.gateways[0]!.listeners[0]!.attachedRoutes, 0);

  const kind = run({
    gateways: [gateway("gw", [listener("tcp", { protocol: "TCP", port: 5432 })])],
    objects: { HTTPRoute: [httpRoute("r", [])] },
  });
  t.is(condition(only(only(kind.routes).parents).conditions, "Accepted")?.message, "no listener of Gateway infra/gw (tcp) allows HTTPRoute");
});

test("a route kind the class does not support is NotAllowedByListeners naming the controller", (t) => {
  const { routes } = run({
    classes: [gatewayClass("gh", caps({ routeKinds: ["HTTPRoute"] }))],
    gateways: [gateway("gw", [listener("tcp", { protocol: "TCP", port: 5432 })])],
    objects: { TCPRoute: [route("TCPRoute", "t", { parentRefs: [toGw()], rules: [{ backendRefs: [] }] })] },
  });
  t.deepEqual(condition(only(only(routes).parents).conditions, "Accepted"), {
    type: "Accepted", status: "False", reason: "NotAllowedByListeners",
    message: "TCPRoute is not supported by gatehouse.dev/test (class gh)",
  });
});

test("hostname intersection: effective hostnames per listener, NoMatchingListenerHostname when none", (t) => {
  const gws = () => [gateway("gw", [
    listener("wild", { hostname: "*.example.com" }),
    listener("exact", { hostname: "foo.example.com", port: 81 }),
    listener("any", { port: 82 }),
  ])];
  const { routes, gateways } = run({
    gateways: gws(),
    objects: { HTTPRoute: [httpRoute("r", [], { hostnames: ["*.example.com", "bar.example.com", "other.org"] })] },
  });
  t.deepEqual(only(only(routes).parents).listeners, [
    { name: "wild", hostnames: ["*.example.com", "bar.example.com"] },
    { name: "exact", hostnames: ["foo.example.com"] },
    { name: "any", hostnames: ["*.example.com", "bar.example.com", "other.org"] },
  ]);
  t.deepEqual(gateways[0]!.listeners.map((l) => l.attachedRoutes), [1, 1, 1]);

  const none = run({
    gateways: [gateway("gw", [listener("exact", { hostname: "foo.example.com" })])],
    objects: { HTTPRoute: [httpRoute("r", [], { hostnames: ["bar.example.com"] })] },
  });
  t.deepEqual(condition(only(only(none.routes).parents).conditions, "Accepted"), {
    type: "Accepted", status: "False", reason: "NoMatchingListenerHostname",
    message: "no hostname of bar.example.com matches a listener hostname of Gateway infra/gw (exact: foo.example.com)",
  });
  t.is(none.gateways[0]!.listeners[0]!.attachedRoutes, 0);
});

test("a route without hostnames takes the listener hostname", (t) => {
  const { routes } = run({
    gateways: [gateway("gw", [listener("h", { hostname: "foo.example.com" })])],
    objects: { HTTPRoute: [httpRoute("r", [])] },
  });
  t.deepEqual(only(only(routes).parents).listeners, [{ name: "h", hostnames: ["foo.example.com"] }]);
});

test("a Gateway that is not accepted: Accepted=False NoMatchingParent, attachment still counted", (t) => {
  const { routes, gateways } = run({
    gateways: [gateway("gw", [listener("http")], { accepted: false })],
    objects: { HTTPRoute: [httpRoute("r", [])] },
  });
  const p = only(only(routes).parents);
  t.deepEqual(condition(p.conditions, "Accepted"), { type: "Accepted", status: "False", reason: "NoMatchingParent", message: "Gateway infra/gw is not accepted" });
  t.deepEqual(p.listeners, []);
  t.is(gateways[0]!.listeners[0]!.attachedRoutes, 1);
});

test("an invalid listener still counts the route (spec: listener status does not impact attachment), but the route says it is not served", (t) => {
  const { routes, gateways } = run({
    gateways: [gateway("gw", [listener("https", { protocol: "HTTPS", port: 443, valid: false })])],
    objects: { HTTPRoute: [httpRoute("r", [])] },
  });
  const parent = only(only(routes).parents);
  t.false(parent.accepted);
  t.deepEqual(parent.conditions[0], {
    type: "Accepted", status: "False", reason: "NoReadyListeners",
    message: "the listeners this route attaches to on Gateway infra/gw (https) are not valid; see the Gateway's listener conditions",
  });
  t.is(gateways[0]!.listeners[0]!.attachedRoutes, 1);
  const mixed = run({
    gateways: [gateway("gw", [listener("https", { protocol: "HTTPS", port: 443, valid: false }), listener("http")])],
    objects: { HTTPRoute: [httpRoute("r", [])] },
  });
  t.true(only(only(mixed.routes).parents).accepted, "one valid listener is enough");
});

test("several parentRefs to one Gateway count each listener once; exact duplicates collapse", (t) => {
  const { routes, gateways } = run({
    gateways: [gateway("gw", [listener("a"), listener("b", { port: 81 })])],
    objects: {
      HTTPRoute: [route("HTTPRoute", "r", {
        parentRefs: [toGw({ sectionName: "a" }), toGw({ sectionName: "b" }), toGw({ sectionName: "a" })],
      })],
    },
  });
  t.deepEqual(only(routes).parents.map((p) => [p.index, p.listeners.map((l) => l.name)]), [[0, ["a"]], [1, ["b"]]]);
  t.deepEqual(gateways[0]!.listeners.map((l) => l.attachedRoutes), [1, 1]);

  const overlap = run({
    gateways: [gateway("gw", [listener("a")])],
    objects: { HTTPRoute: [route("HTTPRoute", "r", { parentRefs: [toGw(), toGw({ sectionName: "a" })] })] },
  });
  t.is(only(overlap.routes).parents.length, 2);
  t.is(overlap.gateways[0]!.listeners[0]!.attachedRoutes, 1);
});

test("a route on two Gateways gets a parent for each", (t) => {
  const { routes, gateways } = run({
    gateways: [gateway("a", [listener("http")]), gateway("b", [listener("http")], { namespace: "other" })],
    objects: { HTTPRoute: [route("HTTPRoute", "r", { parentRefs: [{ name: "a", namespace: "infra" }, { name: "b", namespace: "other" }] })] },
  });
  t.deepEqual(only(routes).parents.map((p) => [p.gatewayKey, p.accepted]), [["infra/a", true], ["other/b", true]]);
  t.deepEqual(gateways.map((g) => g.listeners[0]!.attachedRoutes), [1, 1]);
});

test("some rules invalid: Accepted, ResolvedRefs, PartiallyInvalid in that order", (t) => {
  const { routes } = run({
    classes: [gatewayClass("gh", capsWithout("HTTPRouteMethodMatching"))],
    objects: {
      Service: WEB.slice(0, 1),
      HTTPRoute: [httpRoute("r", [{ backendRefs: [backend] }, { matches: [{ method: "GET" }], backendRefs: [backend] }])],
    },
  });
  const r = only(routes);
  t.is(r.rules[0]!.invalid, undefined);
  t.deepEqual(r.rules[1]!.invalid, {
    reason: "UnsupportedValue",
    message: "spec.rules[1].matches[0].method: method matches are not supported by gatehouse.dev/test",
  });
  t.deepEqual(only(r.parents).conditions, [
    { type: "Accepted", status: "True", reason: "Accepted", message: "Route is accepted" },
    { type: "ResolvedRefs", status: "True", reason: "ResolvedRefs", message: "All references are resolved" },
    {
      type: "PartiallyInvalid", status: "True", reason: "UnsupportedValue",
      message: "Dropped Rule(s): spec.rules[1].matches[0].method: method matches are not supported by gatehouse.dev/test",
    },
  ]);
});

test("all rules invalid: Accepted=False with the rule's reason, no PartiallyInvalid, still counted", (t) => {
  const { routes, gateways } = run({
    objects: { HTTPRoute: [httpRoute("r", [{ matches: [{ path: { type: "Exact", value: "nope" } }] }])] },
  });
  const p = only(only(routes).parents);
  t.false(p.accepted);
  t.deepEqual(p.conditions, [
    {
      type: "Accepted", status: "False", reason: "UnsupportedValue",
      message: 'All rules are invalid: spec.rules[0].matches[0].path.value: "nope" must start with "/"',
    },
    { type: "ResolvedRefs", status: "True", reason: "ResolvedRefs", message: "All references are resolved" },
  ]);
  t.is(gateways[0]!.listeners[0]!.attachedRoutes, 1);
});

test("an invalid spec.hostnames entry rejects the route with UnsupportedValue", (t) => {
  const { routes } = run({ objects: { HTTPRoute: [httpRoute("r", [], { hostnames: ["ok.example.com", "Bad_Host", "10.0.0.1"] })] } });
  t.deepEqual(condition(only(only(routes).parents).conditions, "Accepted"), {
    type: "Accepted", status: "False", reason: "UnsupportedValue",
    message: 'spec.hostnames[1]: "Bad_Host" is not a valid hostname; spec.hostnames[2]: "10.0.0.1" is not a valid hostname',
  });
});

test("HTTPRoute without rules gets the default rule matching every path", (t) => {
  const { routes } = run({ objects: { HTTPRoute: [route("HTTPRoute", "r", { parentRefs: [toGw()] })] } });
  const rule = only(only(routes).rules);
  t.deepEqual(rule.matches, [{ path: { type: "PathPrefix", value: "/" }, headers: [], queryParams: [] }]);
  t.is(rule.source, "httproute/default/r/rule/0");
});

test("TCPRoute: attaches to a TCP listener, ignores hostnames, a second rule is dropped", (t) => {
  const { routes, gateways } = run({
    gateways: [gateway("gw", [listener("pg", { protocol: "TCP", port: 5432 })])],
    objects: {
      Service: [{ kind: "Service", metadata: { name: "db", namespace: "default" }, spec: { ports: [{ port: 5432 }] } }],
      TCPRoute: [route("TCPRoute", "t", { parentRefs: [toGw()], rules: [{ backendRefs: [{ name: "db", port: 5432 }] }, { backendRefs: [] }] })],
    },
  });
  const r = only(routes);
  t.is(r.rules[0]!.backends[0]!.protocol, "tcp");
  t.true(r.rules[0]!.backends[0]!.valid);
  t.deepEqual(r.rules[1]!.invalid, { reason: "UnsupportedValue", message: "spec.rules[1]: TCPRoute supports a single rule; only spec.rules[0] is used" });
  t.deepEqual(only(r.parents).listeners, [{ name: "pg", hostnames: [] }]);
  t.is(condition(only(r.parents).conditions, "PartiallyInvalid")?.status, "True");
  t.is(gateways[0]!.listeners[0]!.attachedRoutes, 1);
});

test("TLSRoute hostnames intersect with the TLS listener hostname", (t) => {
  const { routes } = run({
    gateways: [gateway("gw", [listener("tls", { protocol: "TLS", port: 443, hostname: "*.example.com" })])],
    objects: { TLSRoute: [route("TLSRoute", "t", { parentRefs: [toGw()], hostnames: ["a.example.com"], rules: [{ backendRefs: [] }] })] },
  });
  t.deepEqual(only(only(routes).parents).listeners, [{ name: "tls", hostnames: ["a.example.com"] }]);
});

test("output is ordered by kind then key, whatever the input order", (t) => {
  const { routes } = run({
    gateways: [gateway("gw", [listener("http"), listener("tcp", { protocol: "TCP", port: 9 })])],
    objects: {
      TCPRoute: [route("TCPRoute", "a", { parentRefs: [toGw()] })],
      HTTPRoute: [httpRoute("z", []), httpRoute("b", []), route("HTTPRoute", "a", { parentRefs: [toGw()] }, { namespace: "x" })],
      GRPCRoute: [route("GRPCRoute", "g", { parentRefs: [toGw()] })],
    },
  });
  t.deepEqual(routes.map((r) => `${r.kind}/${r.key}`), ["HTTPRoute/default/b", "HTTPRoute/default/z", "HTTPRoute/x/a", "GRPCRoute/default/g", "TCPRoute/default/a"]);
});

test("garbage inside a route never throws", (t) => {
  const spec = { parentRefs: [toGw(), 7, null, { name: 3 }], hostnames: "x", rules: [null, 5, { matches: "x", filters: {}, backendRefs: [null, 1] }] };
  t.notThrows(() => run({ objects: { HTTPRoute: [route("HTTPRoute", "r", spec)], GRPCRoute: [route("GRPCRoute", "g", spec)], TCPRoute: [route("TCPRoute", "t", spec)] } }));
  const { routes } = run({ objects: { HTTPRoute: [route("HTTPRoute", "r", spec)] } });
  t.deepEqual(only(routes).rules.map((r) => r.invalid?.message), [
    "spec.rules[0]: must be an object, got null",
    "spec.rules[1]: must be an object, got 5",
    'spec.rules[2].matches: must be a list, got "x"',
  ]);
});
