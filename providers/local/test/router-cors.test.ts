// CORS (Gateway API v1.6 HTTPCORSFilter; the conformance test httproute-cors's routes and expectations).
import test from "ava";
import { applyResponseEdits, createRouter } from "../src/http/router/index.js";
import type { Decision } from "../src/http/router/types.js";
import { BASE, HTTP_GATEWAY, boundPort, httpRoute, req } from "./fixtures/router-world.js";

const ROUTES = [
  httpRoute("cors-multiple-origins-methods-headers", `
  rules:
  - matches: [{ path: { type: PathPrefix, value: /cors-1 } }]
    filters:
    - type: CORS
      cors:
        allowOrigins: ["https://www.foo.com", "https://*.bar.com"]
        allowMethods: [GET, OPTIONS]
        allowHeaders: [x-header-1, x-header-2]
        exposeHeaders: [x-header-3, x-header-4]
        allowCredentials: true
        maxAge: 3600
    backendRefs: [{ name: v1, port: 80 }]`),
  httpRoute("cors-wildcard-methods", `
  rules:
  - matches: [{ path: { type: PathPrefix, value: /cors-2 } }]
    filters: [{ type: CORS, cors: { allowOrigins: ["https://www.foo.com"], allowMethods: ["*"] } }]
    backendRefs: [{ name: v1, port: 80 }]`),
  httpRoute("cors-wildcard-origin", `
  rules:
  - matches: [{ path: { type: PathPrefix, value: /cors-wildcard-origin } }]
    filters: [{ type: CORS, cors: { allowOrigins: ["*"], allowMethods: [PUT], allowCredentials: false } }]
    backendRefs: [{ name: v1, port: 80 }]`),
  httpRoute("cors-wildcard-methods-headers", `
  rules:
  - matches: [{ path: { type: PathPrefix, value: /cors-wildcard-methods-headers } }]
    filters: [{ type: CORS, cors: { allowOrigins: ["*"], allowMethods: ["*"], allowHeaders: ["*"], allowCredentials: true } }]
    backendRefs: [{ name: v1, port: 80 }]
  - matches: [{ path: { type: PathPrefix, value: /cors-wildcard-methods-headers-unauth } }]
    filters: [{ type: CORS, cors: { allowOrigins: ["*"], allowMethods: ["*"], allowHeaders: ["*"], exposeHeaders: ["*"], allowCredentials: false } }]
    backendRefs: [{ name: v1, port: 80 }]`),
].join("---");

const router = createRouter(boundPort(BASE + "---" + HTTP_GATEWAY + "---" + ROUTES));

/** Headers the client finally sees: a direct answer's, or an upstream response's after the edits. */
function clientHeaders(d: Decision): Record<string, string> {
  const out: Record<string, string | string[] | undefined> = {};
  if (d.type === "respond") for (const [k, v] of Object.entries(d.headers)) out[k] = v.join(", ");
  else applyResponseEdits(out, d.response);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : String(v)]));
}

const preflight = (url: string, origin: string, method: string, headers?: string) =>
  router.decide(req({ method: "OPTIONS", url, h: { origin, "access-control-request-method": method, ...(headers ? { "access-control-request-headers": headers } : {}) } }));

test("preflight from an exact or wildcard-matching origin is answered directly with every allow header", (t) => {
  for (const origin of ["https://www.foo.com", "https://www.bar.com", "https://xpto.www.bar.com", "https://www.foo.com:443"]) {
    const d = preflight("/cors-1", origin, "GET", "x-header-1, x-header-2");
    if (d.type !== "respond") return t.fail(origin);
    t.true(d.status === 200 || d.status === 204);
    t.is(d.source, "httproute/default/cors-multiple-origins-methods-headers/rule/0/match/0");
    const h = clientHeaders(d);
    t.is(h["access-control-allow-origin"], origin);
    t.is(h["access-control-allow-methods"], "GET, OPTIONS");
    t.is(h["access-control-allow-headers"], "x-header-1, x-header-2");
    t.is(h["access-control-expose-headers"], "x-header-3, x-header-4");
    t.is(h["access-control-max-age"], "3600");
    t.is(h["access-control-allow-credentials"], "true");
  }
});

test("preflight from an origin not allowed is answered by the gateway with no CORS headers (scheme, port and bare suffix all count)", (t) => {
  for (const origin of ["https://foobar.com", "http://www.foo.com", "https://www.foo.com:8443", "https://bar.com", "null", "https://www.foo.com/path"]) {
    const d = preflight("/cors-1", origin, "GET");
    t.deepEqual(clientHeaders(d), {}, origin);
    t.like(d, { type: "respond", status: 204 }, origin);
  }
});

test("actual requests from an allowed origin get Allow-Origin, -Credentials and -Expose-Headers on the response", (t) => {
  const d = router.decide(req({ url: "/cors-1", h: { origin: "https://www.bar.com", "access-control-request-method": "GET" } }));
  if (d.type !== "forward") return t.fail();
  t.is(d.target.backend.name, "v1");
  const h = clientHeaders(d);
  t.is(h["access-control-allow-origin"], "https://www.bar.com");
  t.is(h["access-control-allow-credentials"], "true");
  t.is(h["access-control-expose-headers"], "x-header-3, x-header-4");
  t.is(h["access-control-allow-methods"], undefined);
  t.is(h.vary, "Origin");
  const denied = router.decide(req({ url: "/cors-1", h: { origin: "https://foobar.com" } }));
  t.deepEqual(clientHeaders(denied), {});
  const noOrigin = router.decide(req({ url: "/cors-1" }));
  t.deepEqual(clientHeaders(noOrigin), {});
});

test("allowMethods * echoes the requested method; no credentials header unless allowCredentials", (t) => {
  const h = clientHeaders(preflight("/cors-2", "https://www.foo.com", "POST"));
  t.is(h["access-control-allow-methods"], "POST");
  t.is(h["access-control-allow-origin"], "https://www.foo.com");
  t.is(h["access-control-allow-credentials"], undefined);
  t.is(h["access-control-max-age"], "5");
});

test("allowOrigins * accepts any origin, with or without a port", (t) => {
  for (const origin of ["https://foobar.com", "https://foobar.com:12345"]) {
    const h = clientHeaders(preflight("/cors-wildcard-origin", origin, "PUT"));
    t.true([origin, "*"].includes(h["access-control-allow-origin"]!));
    t.is(h["access-control-allow-methods"], "PUT");
    t.is(h["access-control-allow-credentials"], undefined);
    const actual = clientHeaders(router.decide(req({ method: "PUT", url: "/cors-wildcard-origin", h: { origin } })));
    t.true([origin, "*"].includes(actual["access-control-allow-origin"]!));
  }
});

test("wildcard methods/headers with credentials echo the request, never *", (t) => {
  const h = clientHeaders(preflight("/cors-wildcard-methods-headers", "https://other.foo.com", "PUT", "x-header-1, x-header-2"));
  t.is(h["access-control-allow-origin"], "https://other.foo.com");
  t.is(h["access-control-allow-methods"], "PUT");
  t.is(h["access-control-allow-headers"], "x-header-1, x-header-2");
  t.is(h["access-control-allow-credentials"], "true");
  const unauth = clientHeaders(preflight("/cors-wildcard-methods-headers-unauth", "https://other.foo.com", "PUT", "x-header-1"));
  t.is(unauth["access-control-allow-credentials"], undefined);
  t.is(unauth["access-control-allow-headers"], "x-header-1");
  t.is(unauth["access-control-expose-headers"], "*");
  const noHeadersAsked = clientHeaders(preflight("/cors-wildcard-methods-headers", "https://other.foo.com", "PUT"));
  t.is(noHeadersAsked["access-control-allow-headers"], undefined);
  const actual = clientHeaders(router.decide(req({ url: "/cors-wildcard-methods-headers", h: { origin: "https://other.foo.com" } })));
  t.is(actual["access-control-allow-origin"], "https://other.foo.com");
  t.is(actual["access-control-allow-credentials"], "true");
});

test("an OPTIONS request without Access-Control-Request-Method is not a preflight: forwarded", (t) => {
  const d = router.decide(req({ method: "OPTIONS", url: "/cors-1", h: { origin: "https://www.foo.com" } }));
  t.is(d.type, "forward");
});
