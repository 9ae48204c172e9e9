// Matching, table-driven: path types, precedence, headers, query parameters, method, GRPCRoute.
import test from "ava";
import { createRouter } from "../src/http/router/index.js";
import type { Decision, RequestView, Router } from "../src/http/router/types.js";
import { BASE, HTTP_GATEWAY, boundPort, httpRoute, req } from "./fixtures/router-world.js";

const to = (name: string) => `    backendRefs: [{ name: ${name}, port: 80 }]`;

/** Which backend got the request, or the status of a direct answer. */
function outcome(d: Decision): string | number {
  return d.type === "forward" ? d.target.backend.name : d.status;
}

function routerFor(routeYaml: string): Router {
  return createRouter(boundPort(BASE + "---" + HTTP_GATEWAY + "---" + routeYaml));
}

function table(t: import("ava").ExecutionContext, r: Router, cases: [Partial<RequestView> & { h?: Record<string, string | string[]> }, string | number][]) {
  for (const [view, want] of cases) t.is(outcome(r.decide(req(view))), want, JSON.stringify(view));
}

test("path types: Exact, PathPrefix with segment semantics, RegularExpression (whole path)", (t) => {
  const r = routerFor(httpRoute("p", `
  rules:
  - matches: [{ path: { type: Exact, value: /exact } }]
${to("v1")}
  - matches: [{ path: { type: PathPrefix, value: /foo } }]
${to("v2")}
  - matches: [{ path: { type: PathPrefix, value: /slash/ } }]
${to("v3")}
  - matches: [{ path: { type: RegularExpression, value: "/re/[0-9]+" } }]
${to("web")}
`));
  table(t, r, [
    [{ url: "/exact" }, "v1"],
    [{ url: "/exact?q=1" }, "v1"],
    [{ url: "/exact/" }, 404],
    [{ url: "/Exact" }, 404],
    [{ url: "/foo" }, "v2"],
    [{ url: "/foo/" }, "v2"],
    [{ url: "/foo/bar" }, "v2"],
    [{ url: "/foo?x" }, "v2"],
    [{ url: "/foobar" }, 404],
    [{ url: "/FOO" }, 404],
    [{ url: "/slash" }, "v3"],
    [{ url: "/slash/" }, "v3"],
    [{ url: "/slash/x" }, "v3"],
    [{ url: "/slashes" }, 404],
    [{ url: "/re/123" }, "web"],
    [{ url: "/re/123/x" }, 404],
    [{ url: "/x/re/123" }, 404],
    [{ url: "/re/12a" }, 404],
  ]);
});

test("precedence as the core orders it: exact over prefix, longer prefix first, then method, then more header matches", (t) => {
  const r = routerFor(httpRoute("p", `
  rules:
  - matches: [{ path: { type: PathPrefix, value: / } }]
${to("web")}
  - matches: [{ path: { type: PathPrefix, value: /a } }]
${to("v1")}
  - matches: [{ path: { type: PathPrefix, value: /a/b } }]
${to("v2")}
  - matches: [{ path: { type: Exact, value: /a } }]
${to("v3")}
  - matches: [{ path: { type: PathPrefix, value: /h }, headers: [{ name: x-a, value: "1" }, { name: x-b, value: "1" }] }]
${to("mirror-a")}
  - matches: [{ path: { type: PathPrefix, value: /h }, headers: [{ name: x-a, value: "1" }], method: POST }]
${to("mirror-b")}
`));
  table(t, r, [
    [{ url: "/" }, "web"],
    [{ url: "/a" }, "v3"],
    [{ url: "/a/" }, "v1"],
    [{ url: "/a/b/c" }, "v2"],
    [{ url: "/a/bc" }, "v1"],
    [{ url: "/h", method: "POST", h: { "x-a": "1", "x-b": "1" } }, "mirror-b"],
    [{ url: "/h", method: "GET", h: { "x-a": "1", "x-b": "1" } }, "mirror-a"],
    [{ url: "/h", method: "POST", h: { "x-a": "1" } }, "mirror-b"],
    [{ url: "/h", method: "GET", h: { "x-a": "1" } }, "web"],
  ]);
});

test("headers: Exact is case-sensitive on the value and not on the name; RegularExpression matches the whole value", (t) => {
  const r = routerFor(httpRoute("h", `
  rules:
  - matches: [{ path: { value: /exact }, headers: [{ name: X-Version, value: Beta }] }]
${to("v1")}
  - matches: [{ path: { value: /re }, headers: [{ type: RegularExpression, name: x-version, value: "v[0-9]+" }] }]
${to("v2")}
`));
  table(t, r, [
    [{ url: "/exact", h: { "x-version": "Beta" } }, "v1"],
    [{ url: "/exact", h: { "X-VERSION": "Beta" } }, "v1"],
    [{ url: "/exact", h: { "x-version": "beta" } }, 404],
    [{ url: "/exact", h: { "x-version": ["Beta", "x"] } }, 404],
    [{ url: "/exact" }, 404],
    [{ url: "/exact", headers: { "x-version": [] } }, 404],
    [{ url: "/re", h: { "x-version": "v12" } }, "v2"],
    [{ url: "/re", h: { "x-version": "v12x" } }, 404],
    [{ url: "/re", h: { "x-version": "xv1" } }, 404],
  ]);
});

test("query parameters: names case-sensitive, first value of a repeated parameter, decoded", (t) => {
  const r = routerFor(httpRoute("q", `
  rules:
  - matches: [{ queryParams: [{ name: animal, value: whale }] }]
${to("v1")}
  - matches: [{ queryParams: [{ type: RegularExpression, name: color, value: "bl(ue|ack)" }] }]
${to("v2")}
  - matches: [{ queryParams: [{ name: msg, value: "hello world" }] }]
${to("v3")}
`));
  table(t, r, [
    [{ url: "/?animal=whale" }, "v1"],
    [{ url: "/path?x=1&animal=whale" }, "v1"],
    [{ url: "/?animal=whale&animal=dolphin" }, "v1"],
    [{ url: "/?animal=dolphin&animal=whale" }, 404],
    [{ url: "/?Animal=whale" }, 404],
    [{ url: "/?animal=Whale" }, 404],
    [{ url: "/?animal" }, 404],
    [{ url: "/?color=blue" }, "v2"],
    [{ url: "/?color=black" }, "v2"],
    [{ url: "/?color=bluex" }, 404],
    [{ url: "/?msg=hello%20world" }, "v3"],
    [{ url: "/?msg=hello+world" }, "v3"],
    [{ url: "/?msg=%zz" }, 404],
    [{ url: "/" }, 404],
  ]);
});

test("method matches", (t) => {
  const r = routerFor(httpRoute("m", `
  rules:
  - matches: [{ method: POST }]
${to("v1")}
  - matches: [{ method: GET, path: { type: Exact, value: /get } }]
${to("v2")}
`));
  table(t, r, [
    [{ method: "POST", url: "/anything" }, "v1"],
    [{ method: "GET", url: "/get" }, "v2"],
    [{ method: "GET", url: "/other" }, 404],
    [{ method: "post", url: "/anything" }, 404],
  ]);
});

test("GRPCRoute: service/method become paths, header matches apply, mixed with HTTPRoutes", (t) => {
  const grpc = `
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: { name: g, namespace: default, generation: 1, creationTimestamp: "2025-01-01T00:00:00Z" }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [grpc.example.com]
  rules:
  - matches: [{ method: { service: echo.Echo, method: Say } }]
    backendRefs: [{ name: v1, port: 80 }]
  - matches: [{ method: { service: echo.Echo }, headers: [{ name: x-tenant, value: blue }] }]
    backendRefs: [{ name: v2, port: 80 }]
  - matches: [{ method: { method: Ping } }]
    backendRefs: [{ name: v3, port: 80 }]
`;
  const r = routerFor(grpc);
  const host = "grpc.example.com";
  table(t, r, [
    [{ host, method: "POST", url: "/echo.Echo/Say" }, "v1"],
    [{ host, method: "POST", url: "/echo.Echo/Other", h: { "x-tenant": "blue" } }, "v2"],
    [{ host, method: "POST", url: "/echo.Echo/Other" }, 404],
    [{ host, method: "POST", url: "/health.Health/Ping" }, "v3"],
    [{ host, method: "POST", url: "/echo.EchoX/Say" }, 404],
    [{ host: "example.com", method: "POST", url: "/echo.Echo/Say" }, 404],
  ]);
  const d = r.decide(req({ host, method: "POST", url: "/echo.Echo/Say" }));
  t.is(d.type === "forward" && d.route.kind, "GRPCRoute");
});

test("virtual hosts: exact before wildcard before any; wildcard covers one or more labels but not the bare suffix", (t) => {
  const yaml = [
    httpRoute("exact", `  hostnames: [a.example.com]\n  rules:\n  - ${to("v1").trim()}`),
    httpRoute("wild", `  hostnames: ["*.example.com"]\n  rules:\n  - ${to("v2").trim()}`),
    httpRoute("any", `  rules:\n  - matches: [{ path: { type: Exact, value: /any } }]\n${to("v3")}`),
  ].join("---");
  const r = routerFor(yaml);
  table(t, r, [
    [{ host: "a.example.com" }, "v1"],
    [{ host: "A.Example.COM" }, "v1"],
    [{ host: "a.example.com." }, "v1"],
    [{ host: "b.example.com" }, "v2"],
    [{ host: "x.y.example.com" }, "v2"],
    [{ host: "example.com" }, 404],
    [{ host: "example.com", url: "/any" }, "v3"],
    [{ host: "b.example.com", url: "/any" }, "v2"],
    [{ host: "", url: "/any" }, "v3"],
  ]);
});

test("many routes (indexed by first segment) keep precedence across pinned and regex paths", (t) => {
  const rule = (match: string, name: string) => `  - matches: [${match}]\n${to(name)}`;
  const r = routerFor(httpRoute("many", `
  rules:
${[
  rule("{ path: { type: PathPrefix, value: /other } }", "web"),
  rule("{ path: { type: Exact, value: / } }", "v1"),
  rule("{ path: { type: PathPrefix, value: /api } }", "v2"),
  rule("{ path: { type: PathPrefix, value: /api/v2 } }", "v3"),
  rule("{ path: { type: RegularExpression, value: \"/api/.*/special\" } }", "mirror-a"),
  rule("{ path: { type: Exact, value: /apix } }", "mirror-b"),
  rule("{ path: { type: PathPrefix, value: /docs/ }, headers: [{ name: x-a, value: \"1\" }] }", "v1"),
  rule("{ path: { type: PathPrefix, value: /docs } }", "v2"),
  rule("{ path: { type: RegularExpression, value: \"/d.*\" } }", "v3"),
  rule("{ path: { type: PathPrefix, value: /q }, queryParams: [{ name: k, value: v }] }", "mirror-a"),
].join("\n")}
`));
  table(t, r, [
    [{ url: "/" }, "v1"],
    [{ url: "/?x" }, "v1"],
    [{ url: "/other" }, "web"],
    [{ url: "/api" }, "v2"],
    [{ url: "/api/v2/x" }, "v3"],
    [{ url: "/api/v1/special" }, "v2"], // regex paths rank below every prefix (the core's order)
    [{ url: "/v1/special" }, 404],
    [{ url: "/apix" }, "mirror-b"],
    [{ url: "/apix/y" }, 404],
    [{ url: "/docs", h: { "x-a": "1" } }, "v1"],
    [{ url: "/docs" }, "v2"],
    [{ url: "/docsy" }, "v3"],
    [{ url: "/q?k=v" }, "mirror-a"],
    [{ url: "/q?k=w" }, 404],
    [{ url: "/dz/q?k=v" }, "v3"],
    [{ url: "*" }, 404],
    [{ url: "" }, "v1"],
  ]);
});
