// Listener / virtual host / route selection, forwarding and 404.
import test from "ava";
import { createRouter } from "../src/http/router/index.js";
import { BASE, HTTP_GATEWAY, boundPort, gateway, httpRoute, req } from "./fixtures/router-world.js";

const backendRef = (name: string) => `    backendRefs: [{ name: ${name}, port: 80 }]`;

const routes = BASE + "---" + HTTP_GATEWAY + "---" + httpRoute("site", `
  hostnames: [example.com]
  rules:
  - matches: [{ path: { type: PathPrefix, value: /api } }]
${backendRef("v1")}
  - matches: [{ path: { type: Exact, value: /exact } }]
${backendRef("v2")}
`) + "---" + httpRoute("catchall", `
  rules:
  - ${backendRef("web").trim()}
`);

test("routes by path to the rule's backend, forwarding path and authority as received", (t) => {
  const r = createRouter(boundPort(routes));
  const d = r.decide(req({ url: "/api/users?x=1", hostPort: 8080 }));
  if (d.type !== "forward") return t.fail(JSON.stringify(d));
  t.is(d.source, "httproute/default/site/rule/0/match/0");
  t.is(d.target.backend.name, "v1");
  t.is(d.target.path, "/api/users?x=1");
  t.is(d.target.authority, "example.com:8080");
  t.deepEqual(d.mirrors, []);
  t.deepEqual(d.response, { set: [], add: [], remove: [] });
});

test("a host without its own routes falls to the catch-all; unmatched paths on example.com fall through too", (t) => {
  const r = createRouter(boundPort(routes));
  const other = r.decide(req({ host: "other.test", url: "/api" }));
  t.is(other.type === "forward" && other.target.backend.name, "web");
  const fall = r.decide(req({ url: "/nothing" }));
  t.is(fall.type === "forward" && fall.target.backend.name, "web");
  const exact = r.decide(req({ url: "/exact" }));
  t.is(exact.type === "forward" && exact.target.backend.name, "v2");
});

test("no route → 404 with a short text body and source none", (t) => {
  const only = BASE + "---" + HTTP_GATEWAY + "---" + httpRoute("site", `
  hostnames: [example.com]
  rules:
  - matches: [{ path: { type: PathPrefix, value: /api } }]
${backendRef("v1")}
`);
  const r = createRouter(boundPort(only));
  for (const d of [r.decide(req({ url: "/other" })), r.decide(req({ host: "nope.test", url: "/api" }))]) {
    if (d.type !== "respond") return t.fail(JSON.stringify(d));
    t.is(d.status, 404);
    t.is(d.source, "none");
    t.true(d.body.length > 0 && d.body.length < 100);
    t.deepEqual(d.headers["content-type"], ["text/plain; charset=utf-8"]);
  }
});

test("listener isolation: a request is routed only by the most specific listener matching its host", (t) => {
  const yaml = BASE + "---" + gateway(`
  - { name: empty, port: 80, protocol: HTTP, hostname: "*.example.com" }
  - { name: foo, port: 80, protocol: HTTP, hostname: foo.example.com }
  - { name: any, port: 80, protocol: HTTP }`) + "---" + httpRoute("foo", `
  parentRefs: [{ name: gw, sectionName: foo }]
  rules:
  - matches: [{ path: { type: PathPrefix, value: /foo } }]
${backendRef("v1")}
`).replace("  parentRefs: [{ name: gw }]\n", "") + "---" + httpRoute("any", `
  parentRefs: [{ name: gw, sectionName: any }]
  rules:
  - ${backendRef("v2").trim()}
`).replace("  parentRefs: [{ name: gw }]\n", "");
  const port = boundPort(yaml);
  t.deepEqual(port.listeners.map((l) => l.name), ["foo", "empty", "any"]);
  const r = createRouter(port);
  const foo = r.decide(req({ host: "foo.example.com", url: "/foo/x" }));
  t.is(foo.type === "forward" && foo.target.backend.name, "v1");
  // foo's listener has no route for /bar: 404, never the catch-all of the `any` listener.
  const fooBar = r.decide(req({ host: "foo.example.com", url: "/bar" }));
  t.is(fooBar.type === "respond" && fooBar.status, 404);
  // *.example.com has no routes at all: 404.
  const wild = r.decide(req({ host: "a.b.example.com", url: "/" }));
  t.is(wild.type === "respond" && wild.status, 404);
  // example.com itself is not covered by *.example.com: the `any` listener.
  const bare = r.decide(req({ host: "example.com", url: "/" }));
  t.is(bare.type === "forward" && bare.target.backend.name, "v2");
});

test("header match: names case-insensitive, repeated values joined with a comma", (t) => {
  const yaml = BASE + "---" + HTTP_GATEWAY + "---" + httpRoute("h", `
  rules:
  - matches: [{ headers: [{ name: X-Env, value: "canary,blue" }] }]
${backendRef("v2")}
  - ${backendRef("v1").trim()}
`);
  const r = createRouter(boundPort(yaml));
  const joined = r.decide(req({ headers: { "x-env": ["canary", "blue"] } }));
  t.is(joined.type === "forward" && joined.target.backend.name, "v2");
  const single = r.decide(req({ h: { "X-Env": "canary" } }));
  t.is(single.type === "forward" && single.target.backend.name, "v1");
});
