import test from "ava";
import { buildDesiredState } from "../src/index.js";
import { backend, gateway, graph, headers, listener, match, route } from "./fixtures.js";

const httpGw = () => gateway([listener("http", 80, "HTTP")]);

test("only accepted gateways and valid listeners, sorted by key", (t) => {
  const a = gateway([listener("http", 80, "HTTP"), listener("bad", 81, "HTTP", { valid: false })], { namespace: "b", name: "gw" });
  const b = gateway([listener("http", 80, "HTTP")], { namespace: "a", name: "gw" });
  const c = gateway([listener("http", 80, "HTTP")], { namespace: "c", name: "gw", accepted: false });
  const ds = buildDesiredState(graph([a, c, b], []));
  t.deepEqual(ds.gateways.map((g) => g.key), ["a/gw", "b/gw"]);
  t.deepEqual(ds.gateways[1]!.listeners.map((l) => l.name), ["http"]);
  t.deepEqual(ds.gateways[1]!.ports, [{ port: 80, protocol: "HTTP", listeners: ["http"] }]);
});

test("entries sorted by Gateway API precedence with traceable sources", (t) => {
  const r1 = route("HTTPRoute", "default", "a", [
    { matches: [match("/"), match("/api/v1")] },
    { matches: [match("/api", "Exact")] },
    { matches: [match("/api", "PathPrefix", { headers: [{ type: "Exact", name: "x", value: "1" }] })] },
  ]);
  const r2 = route("HTTPRoute", "default", "b", [{ matches: [match("/api/v1")] }], { created: "2023-01-01T00:00:00Z" });
  const ds = buildDesiredState(graph([httpGw()], [r1, r2]));
  const vh = ds.gateways[0]!.listeners[0]!.virtualHosts;
  t.deepEqual(vh.map((v) => v.hostname), ["*"]);
  t.deepEqual(vh[0]!.routes.map((r) => r.source), [
    "httproute/default/a/rule/1/match/0",   // Exact
    "httproute/default/b/rule/0/match/0",   // /api/v1, older route
    "httproute/default/a/rule/0/match/1",   // /api/v1
    "httproute/default/a/rule/2/match/0",   // /api + header
    "httproute/default/a/rule/0/match/0",   // /
  ]);
});

test("invalid rules are skipped; route parents not accepted are ignored", (t) => {
  const r1 = route("HTTPRoute", "default", "a", [{ invalid: true }, { matches: [match("/ok")] }]);
  const r2 = route("HTTPRoute", "default", "b", [{}], { accepted: false });
  const ds = buildDesiredState(graph([httpGw()], [r1, r2]));
  t.deepEqual(ds.gateways[0]!.listeners[0]!.virtualHosts[0]!.routes.map((r) => r.source), ["httproute/default/a/rule/1/match/0"]);
});

test("virtual hosts by effective hostname, most specific first, with fall-through to covering hosts", (t) => {
  const gw = gateway([listener("http", 80, "HTTP", { hostname: "*.example.com" })]);
  const exact = route("HTTPRoute", "default", "exact", [{ matches: [match("/api")] }], { hostnames: ["foo.example.com"] });
  const any = route("HTTPRoute", "default", "any", [{ matches: [match("/")] }], { listeners: [{ name: "http", hostnames: [] }] });
  const ds = buildDesiredState(graph([gw], [any, exact]));
  const vhs = ds.gateways[0]!.listeners[0]!.virtualHosts;
  t.deepEqual(vhs.map((v) => v.hostname), ["foo.example.com", "*.example.com"]);
  t.deepEqual(vhs[0]!.routes.map((r) => [r.route, r.fromHostname]), [
    ["httproute/default/exact", undefined],
    ["httproute/default/any", "*.example.com"],
  ]);
  t.deepEqual(vhs[1]!.routes.map((r) => r.route), ["httproute/default/any"]);
});

test("listener without hostname and route without hostnames → '*'", (t) => {
  const ds = buildDesiredState(graph([httpGw()], [route("HTTPRoute", "default", "a", [{}])]));
  t.is(ds.gateways[0]!.listeners[0]!.virtualHosts[0]!.hostname, "*");
});

test("500 direct responses: all invalid, all zero weight, no backends; not with a redirect", (t) => {
  const src = "httproute/default/a";
  const r = route("HTTPRoute", "default", "a", [
    { matches: [match("/invalid")], backends: [backend(src, 0, 0, "x", { valid: false, reason: "BackendNotFound", message: "gone" })] },
    { matches: [match("/zero")], backends: [backend(src, 1, 0, "x", { weight: 0 }), backend(src, 1, 1, "y", { weight: 0 })] },
    { matches: [match("/none")], backends: [] },
    { matches: [match("/redirect")], backends: [], filters: [{ type: "RequestRedirect", config: { scheme: "https", statusCode: 302 } }] },
    { matches: [match("/half")], backends: [backend(src, 4, 0, "x"), backend(src, 4, 1, "y", { valid: false, reason: "RefNotPermitted" })] },
  ]);
  const ds = buildDesiredState(graph([httpGw()], [r]));
  const by = new Map(ds.gateways[0]!.listeners[0]!.virtualHosts[0]!.routes.map((e) => [e.match.path.value, e]));
  t.deepEqual(by.get("/invalid")!.directResponse, { status: 500, reason: "AllBackendsInvalid" });
  t.deepEqual(by.get("/zero")!.directResponse, { status: 500, reason: "AllBackendsZeroWeight" });
  t.deepEqual(by.get("/none")!.directResponse, { status: 500, reason: "NoBackends" });
  t.is(by.get("/redirect")!.directResponse, undefined);
  const half = by.get("/half")!;
  t.is(half.directResponse, undefined);
  t.deepEqual(half.backends.map((b) => [b.id, b.invalid?.reason]), [["Service/default/x:80", undefined], ["Service/default/y:80", "RefNotPermitted"]]);
  t.deepEqual(by.get("/invalid")!.backends[0]!.endpoints, []);
});

test("backend endpoints sorted, id format", (t) => {
  const ds = buildDesiredState(graph([httpGw()], [route("HTTPRoute", "default", "a", [{}])]));
  const b = ds.gateways[0]!.listeners[0]!.virtualHosts[0]!.routes[0]!.backends[0]!;
  t.is(b.id, "Service/default/svc:80");
  t.deepEqual(b.endpoints.map((e) => e.address), ["10.0.0.1", "10.0.0.2"]);
});

test("filters keep the graph's normalized configs, in spec order, with sources; ExtensionRef has no data-plane form", (t) => {
  const src = "httproute/default/a";
  const mirror = backend(src, 0, 9, "mirror");
  const cors = { allowOrigins: ["https://a.example.com"], allowMethods: [], allowHeaders: [], exposeHeaders: [], allowCredentials: false, maxAge: 5 };
  const r = route("HTTPRoute", "default", "a", [{
    filters: [
      { type: "RequestRedirect", config: { hostname: "x.example.com", statusCode: 302 } },
      { type: "RequestMirror", config: { percent: 25 }, mirror },
      { type: "CORS", config: cors },
      { type: "RequestHeaderModifier", config: headers({ set: [{ name: "a", value: "b" }], remove: ["c"] }) },
      { type: "URLRewrite", config: { path: { type: "ReplacePrefixMatch", value: "/new" } } },
      { type: "ExtensionRef", config: { group: "x", kind: "Y", name: "z" }, unresolved: { reason: "InvalidKind", message: "m" } },
    ],
  }]);
  const ds = buildDesiredState(graph([httpGw()], [r]));
  const entry = ds.gateways[0]!.listeners[0]!.virtualHosts[0]!.routes[0]!;
  const f = entry.filters;
  t.deepEqual(f.map((x) => x.type), ["RequestRedirect", "RequestMirror", "CORS", "RequestHeaderModifier", "URLRewrite"]);
  t.deepEqual(f[0], { type: "RequestRedirect", source: `${src}/rule/0/filter/0`, hostname: "x.example.com", statusCode: 302 });
  t.like(f[1], { percent: 25 });
  t.deepEqual(f[2], { type: "CORS", source: `${src}/rule/0/filter/2`, ...cors });
  t.deepEqual(f[3], { type: "RequestHeaderModifier", source: `${src}/rule/0/filter/3`, set: [{ name: "a", value: "b" }], add: [], remove: ["c"] });
  t.deepEqual((f[4] as { path?: unknown }).path, { type: "ReplacePrefixMatch", value: "/new" });
  t.is((f[1] as { backend: { id: string } }).backend.id, "Service/default/mirror:80");
  t.deepEqual(entry.directResponse, { status: 500, reason: "UnresolvedExtensionRef" });
});

test("a mirror whose backend is invalid is dropped, the rule still forwards", (t) => {
  const src = "httproute/default/a";
  const broken = { ...backend(src, 0, 9, "gone"), valid: false, reason: "BackendNotFound", message: "no Service default/gone", endpoints: [] };
  const r = route("HTTPRoute", "default", "a", [{ filters: [{ type: "RequestMirror", config: { percent: 100 }, mirror: broken }] }]);
  const entry = buildDesiredState(graph([httpGw()], [r])).gateways[0]!.listeners[0]!.virtualHosts[0]!.routes[0]!;
  t.deepEqual(entry.filters, []);
  t.is(entry.directResponse, undefined);
  t.is(entry.backends.length, 1);
});

test("TLS passthrough, TCP and UDP listeners get L4 routes; ports group listeners most specific first", (t) => {
  const gw = gateway([
    listener("tls-any", 443, "TLS", { tls: { mode: "Passthrough", certificates: [], options: {} } }),
    listener("tls-foo", 443, "TLS", { hostname: "foo.example.com", tls: { mode: "Passthrough", certificates: [], options: {} } }),
    listener("tcp", 5432, "TCP"),
    listener("udp", 53, "UDP"),
  ]);
  const tls = route("TLSRoute", "default", "t", [{}], { hostnames: ["foo.example.com"], listeners: [{ name: "tls-foo", hostnames: ["foo.example.com"] }] });
  const tlsAny = route("TLSRoute", "default", "t2", [{}], { listeners: [{ name: "tls-any", hostnames: [] }] });
  const tcpNew = route("TCPRoute", "default", "new", [{}], { created: "2025-01-01T00:00:00Z", listeners: [{ name: "tcp", hostnames: [] }] });
  const tcpOld = route("TCPRoute", "default", "old", [{}], { created: "2020-01-01T00:00:00Z", listeners: [{ name: "tcp", hostnames: [] }] });
  const udp = route("UDPRoute", "default", "u", [{}], { listeners: [{ name: "udp", hostnames: [] }] });
  const ds = buildDesiredState(graph([gw], [tls, tlsAny, tcpNew, tcpOld, udp]));
  const g = ds.gateways[0]!;
  const l = new Map(g.listeners.map((x) => [x.name, x]));
  t.deepEqual(l.get("tls-foo")!.tls_routes.map((r) => [r.route, r.hostnames]), [["tlsroute/default/t", ["foo.example.com"]]]);
  t.deepEqual(l.get("tls-any")!.tls_routes.map((r) => [r.route, r.hostnames]), [["tlsroute/default/t2", []]]);
  // Both TCPRoutes are attached; only the oldest is served (nothing in a connection tells them apart).
  t.deepEqual(l.get("tcp")!.tcp.map((r) => r.route), ["tcproute/default/old"]);
  t.deepEqual(l.get("udp")!.udp.map((r) => r.source), ["udproute/default/u/rule/0"]);
  t.deepEqual(g.ports, [
    { port: 53, protocol: "UDP", listeners: ["udp"] },
    { port: 443, protocol: "TLS", listeners: ["tls-foo", "tls-any"] },
    { port: 5432, protocol: "TCP", listeners: ["tcp"] },
  ]);
});

test("deterministic: same output for shuffled inputs", (t) => {
  const routes = ["c", "a", "b"].map((n, i) => route("HTTPRoute", "default", n, [{ matches: [match(`/${n}`), match("/")] }],
    { hostnames: i === 0 ? ["x.example.com"] : [] }));
  const gws = [httpGw(), gateway([listener("http", 80, "HTTP")], { namespace: "z", name: "other" })];
  const one = JSON.stringify(buildDesiredState(graph(gws, routes)));
  const two = JSON.stringify(buildDesiredState(graph([...gws].reverse(), [...routes].reverse())));
  t.is(one, two);
});

test("never throws on a sparse graph", (t) => {
  const broken = { gateways: [{ ...httpGw(), listeners: undefined }], routes: [{ parents: undefined, rules: undefined }] };
  t.notThrows(() => buildDesiredState(broken as never));
});

test("a backend whose BackendTLSPolicy has no valid CA is invalid: its share answers 500", (t) => {
  const src = "httproute/default/a";
  const tls = { policy: "backendtlspolicy/default/p", hostname: "svc.example.com", caCertificatesPem: [], subjectAltNames: [] };
  const r = route("HTTPRoute", "default", "a", [{ backends: [backend(src, 0, 0, "svc", { tls })] }]);
  const entry = buildDesiredState(graph([httpGw()], [r])).gateways[0]!.listeners[0]!.virtualHosts[0]!.routes[0]!;
  t.deepEqual(entry.backends[0]!.invalid, { reason: "NoValidCACertificate", message: "backendtlspolicy/default/p has no valid CA certificate to verify Service/default/svc:80" });
  t.deepEqual(entry.backends[0]!.endpoints, []);
  t.deepEqual(entry.directResponse, { status: 500, reason: "AllBackendsInvalid" });
});
