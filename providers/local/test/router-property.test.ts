// decide() never throws and always gives a well-formed decision, whatever the request looks like.
import test from "ava";
import fc from "fast-check";
import { applyResponseEdits, createRouter } from "../src/http/router/index.js";
import type { Decision, RequestView } from "../src/http/router/types.js";
import { compileMatch, matches } from "../src/http/router/match.js";
import { buildRouteIndex, candidates } from "../src/http/router/route-index.js";
import { BASE, boundPort, gateway, httpRoute } from "./fixtures/router-world.js";

/** Every feature at once, on three listeners of one port. */
const YAML = [
  BASE,
  gateway(`
  - { name: foo, port: 80, protocol: HTTP, hostname: foo.example.com }
  - { name: wild, port: 80, protocol: HTTP, hostname: "*.example.com" }
  - { name: any, port: 80, protocol: HTTP }`),
  httpRoute("all", `
  hostnames: ["*.example.com", foo.example.com, example.com]
  rules:
  - matches:
    - { path: { type: Exact, value: /exact }, method: GET }
    - { path: { type: RegularExpression, value: "/re/(a|b)+" }, headers: [{ type: RegularExpression, name: x-re, value: ".*z" }] }
    - { path: { type: PathPrefix, value: /q }, queryParams: [{ name: a, value: "1" }, { type: RegularExpression, name: b, value: "[0-9]+" }] }
    filters:
    - { type: RequestHeaderModifier, requestHeaderModifier: { set: [{ name: x-s, value: s }], add: [{ name: x-a, value: a }], remove: [x-r] } }
    - { type: ResponseHeaderModifier, responseHeaderModifier: { set: [{ name: x-s, value: s }], add: [{ name: x-a, value: a }], remove: [x-r] } }
    - { type: RequestMirror, requestMirror: { backendRef: { name: mirror-a, port: 80 }, percent: 50 } }
    - { type: CORS, cors: { allowOrigins: ["https://*.example.com"], allowMethods: ["*"], allowHeaders: ["*"], allowCredentials: true } }
    backendRefs: [{ name: v1, port: 80, weight: 3 }, { name: missing, port: 80, weight: 1 }, { name: v2, port: 80, weight: 0 }]
  - matches: [{ path: { type: PathPrefix, value: /redirect } }]
    filters: [{ type: RequestRedirect, requestRedirect: { scheme: https, path: { type: ReplacePrefixMatch, replacePrefixMatch: /r } } }]
  - matches: [{ path: { type: PathPrefix, value: /rewrite/ } }]
    filters: [{ type: URLRewrite, urlRewrite: { hostname: internal.test, path: { type: ReplacePrefixMatch, replacePrefixMatch: "" } } }]
    backendRefs: [{ name: v3, port: 80 }]
  - matches: [{ path: { value: /none } }]`),
  httpRoute("fallback", `
  rules:
  - matches: [{ path: { type: PathPrefix, value: /fb } }]
    backendRefs: [{ name: web, port: 80 }]`),
].join("---");

const router = createRouter(boundPort(YAML), undefined, () => 0.25);

const token = fc.stringMatching(/^[a-z0-9-]{1,8}$/);
const pathish = fc.oneof(
  fc.constantFrom("/", "/exact", "/re/abab", "/q?a=1&b=22", "/redirect/x?y", "/rewrite/a/b", "/rewrite", "/none", "/fb/x", "/%zz?%zz=%"),
  fc.array(fc.oneof(token, fc.constantFrom("", ".", "..", "?", "&", "=", "%", "+", "a=1", "b=2")), { maxLength: 8 }).map((p) => "/" + p.join("/")),
  fc.string(),
);
const hostish = fc.oneof(
  fc.constantFrom("example.com", "foo.example.com", "a.b.example.com", "other.test", "", ".", "example.com.", "FOO.EXAMPLE.COM"),
  fc.string(),
);
const headerNames = fc.constantFrom("x-re", "origin", "access-control-request-method", "access-control-request-headers", "x-r", "x-s", "host");
const headers = fc.dictionary(fc.oneof(headerNames, token), fc.array(fc.oneof(fc.string(), fc.constantFrom("https://a.example.com", "zz", "GET")), { maxLength: 3 }), { maxKeys: 6 });

const view: fc.Arbitrary<RequestView> = fc.record({
  method: fc.oneof(fc.constantFrom("GET", "POST", "OPTIONS", "PUT"), fc.string()),
  url: pathish,
  host: hostish,
  hostPort: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
  headers,
  scheme: fc.constantFrom("http" as const, "https" as const),
}, { requiredKeys: ["method", "url", "host", "headers", "scheme"] });

function wellFormed(d: Decision): boolean {
  if (d.source === "error") return false; // the safety net caught a throw
  if (d.type === "respond") {
    return Number.isInteger(d.status) && d.status >= 200 && d.status <= 599 && typeof d.body === "string"
      && Object.values(d.headers).every((v) => Array.isArray(v) && v.every((s) => typeof s === "string"));
  }
  const targets = [d.target, ...d.mirrors];
  return targets.every((t) => typeof t.path === "string" && typeof t.authority === "string" && !t.backend.invalid
    && Object.values(t.headers).every((v) => Array.isArray(v)));
}

test("decide() is total on arbitrary request views", (t) => {
  fc.assert(fc.property(view, (v) => {
    const before = JSON.stringify(v);
    const d = router.decide(v);
    if (!wellFormed(d)) return false;
    if (d.type === "forward") applyResponseEdits({ "X-R": "1" }, d.response);
    return JSON.stringify(v) === before; // the request view is never mutated
  }), { numRuns: 3000 });
  t.pass();
});

test("decide() survives malformed views (wrong types from a buggy caller)", (t) => {
  const junk = fc.record({
    method: fc.anything(), url: fc.anything(), host: fc.anything(), hostPort: fc.anything(),
    headers: fc.oneof(fc.constant(undefined), fc.dictionary(fc.oneof(headerNames, token), fc.anything())),
    scheme: fc.anything(),
  });
  fc.assert(fc.property(junk, (v) => {
    const d = router.decide(v as unknown as RequestView);
    return (d.type === "respond" || d.type === "forward") && d.source !== "error";
  }), { numRuns: 1000 });
  t.pass();
});

test("the same request always takes the same route (only weighted picks vary)", (t) => {
  fc.assert(fc.property(view, (v) => {
    const a = router.decide(v), b = router.decide(v);
    return a.source === b.source;
  }), { numRuns: 1000 });
  t.pass();
});

test("the first-segment route index never changes which route matches first", (t) => {
  const pathTypes = fc.constantFrom("Exact" as const, "PathPrefix" as const, "RegularExpression" as const);
  const seg = fc.constantFrom("a", "b", "ab", "", "a.b", "%20");
  const value = fc.array(seg, { minLength: 0, maxLength: 3 }).map((s) => "/" + s.join("/"));
  const matchArb = fc.record({ type: pathTypes, value }).map((p) => compileMatch({
    path: p.type === "RegularExpression" ? { type: p.type, value: `${p.value}.*` } : p, headers: [], queryParams: [],
  }));
  const path = fc.oneof(value, fc.string(), value.map((v) => v + "/"));
  fc.assert(fc.property(fc.array(matchArb, { minLength: 0, maxLength: 20 }), fc.array(path, { maxLength: 20 }), (ms, paths) => {
    const routes = ms.map((match, i) => ({ match, i }));
    const index = buildRouteIndex(routes);
    for (const p of paths) {
      const want = routes.find((r) => matches(r.match, "GET", p, p, -1, {}));
      const got = candidates(index, p).find((r) => matches(r.match, "GET", p, p, -1, {}));
      if (want !== got) return false;
    }
    return true;
  }), { numRuns: 2000 });
  t.pass();
});
