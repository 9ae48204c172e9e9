// Filters: request/response header modifiers (rule then backend), redirects (path and the
// spec's port rules), URL rewrites (spec table and conformance cases), mirrors, 500s.
import test from "ava";
import { applyResponseEdits, createRouter } from "../src/http/router/index.js";
import type { Decision, RequestView, Router } from "../src/http/router/types.js";
import type { BoundPort } from "../src/runtime/types.js";
import { BASE, HTTP_GATEWAY, boundPort, gateway, httpRoute, req } from "./fixtures/router-world.js";

const to = (name: string) => `    backendRefs: [{ name: ${name}, port: 80 }]`;

function portFor(routeYaml: string, gw = HTTP_GATEWAY, port?: number): BoundPort {
  return boundPort(BASE + "---" + gw + "---" + routeYaml, port);
}

function forward(d: Decision) {
  if (d.type !== "forward") throw new Error(`expected a forward, got ${JSON.stringify(d)}`);
  return d;
}

function answer(d: Decision) {
  if (d.type !== "respond") throw new Error(`expected a direct answer, got ${JSON.stringify(d)}`);
  return d;
}

test("RequestHeaderModifier: set/add/remove (conformance shapes), the rule's then the backend's; the client's map is untouched", (t) => {
  const r = createRouter(portFor(httpRoute("hm", `
  rules:
  - filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set: [{ name: X-Header-Set, value: set-overwrites-values }]
        add: [{ name: X-Header-Add, value: header-val-1 }, { name: X-Header-Add-Append, value: header-val-2 }]
        remove: [X-Header-Remove]
    backendRefs:
    - name: v1
      port: 80
      filters:
      - type: RequestHeaderModifier
        requestHeaderModifier:
          set: [{ name: x-backend, value: v1 }]
          remove: [x-header-add]
`)));
  const view = req({ h: { "X-Header-Remove": "remove-val", "X-Header-Add-Append": "append-val-1", "X-Header-Set": "set-val", keep: "k" } });
  const before = structuredClone(view.headers);
  const d = forward(r.decide(view));
  t.deepEqual(d.target.headers, {
    "x-header-add-append": ["append-val-1", "header-val-2"],
    "x-header-set": ["set-overwrites-values"],
    "x-backend": ["v1"],
    keep: ["k"],
  });
  t.deepEqual(view.headers, before);
});

test("no header modifier: the client's header map is passed through as is (no copy)", (t) => {
  const r = createRouter(portFor(httpRoute("plain", `  rules:\n  - ${to("v1").trim()}`)));
  const view = req({ h: { a: "1" } });
  t.is(forward(r.decide(view)).target.headers, view.headers);
});

test("ResponseHeaderModifier: rule edits then backend edits; applyResponseEdits is case-insensitive and in order", (t) => {
  const r = createRouter(portFor(httpRoute("rm", `
  rules:
  - filters:
    - type: ResponseHeaderModifier
      responseHeaderModifier:
        set: [{ name: X-Header-Set, value: set-overwrites-values }]
        add: [{ name: X-Header-Add, value: add-appends-values }]
        remove: [X-Header-Remove]
    backendRefs:
    - name: v1
      port: 80
      filters:
      - type: ResponseHeaderModifier
        responseHeaderModifier:
          add: [{ name: x-backend, value: v1 }]
`)));
  const d = forward(r.decide(req()));
  t.deepEqual(d.response, {
    set: [{ name: "X-Header-Set", value: "set-overwrites-values" }],
    add: [{ name: "X-Header-Add", value: "add-appends-values" }, { name: "x-backend", value: "v1" }],
    remove: ["X-Header-Remove"],
  });
  const upstream: Record<string, string | string[] | undefined> = {
    "X-Header-Set": "old", "x-header-add": "a", "x-header-remove": "gone", "X-HEADER-REMOVE": "gone too", "content-type": "text/plain",
  };
  applyResponseEdits(upstream, d.response);
  t.deepEqual(upstream, {
    "x-header-set": "set-overwrites-values",
    "x-header-add": ["a", "add-appends-values"],
    "x-backend": "v1",
    "content-type": "text/plain",
  });
  const multi: Record<string, string | string[] | undefined> = { "set-cookie": ["a=1", "b=2"] };
  applyResponseEdits(multi, { set: [], add: [{ name: "Set-Cookie", value: "c=3" }], remove: [] });
  t.deepEqual(multi, { "set-cookie": ["a=1", "b=2", "c=3"] });
});

test("RequestRedirect path (conformance httproute-redirect-path) keeps the query and answers with the status code", (t) => {
  const r = createRouter(portFor(httpRoute("redirect-path", `
  rules:
  - matches: [{ path: { type: PathPrefix, value: /original-prefix } }]
    filters: [{ type: RequestRedirect, requestRedirect: { path: { type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix } } }]
  - matches: [{ path: { type: PathPrefix, value: /full } }]
    filters: [{ type: RequestRedirect, requestRedirect: { path: { type: ReplaceFullPath, replaceFullPath: /full-path-replacement } } }]
  - matches: [{ path: { type: PathPrefix, value: /path-and-host } }]
    filters: [{ type: RequestRedirect, requestRedirect: { hostname: example.org, path: { type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix } } }]
  - matches: [{ path: { type: PathPrefix, value: /path-and-status } }]
    filters: [{ type: RequestRedirect, requestRedirect: { statusCode: 301, path: { type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix } } }]
  - matches: [{ path: { type: PathPrefix, value: /full-path-and-host } }]
    filters: [{ type: RequestRedirect, requestRedirect: { hostname: example.org, path: { type: ReplaceFullPath, replaceFullPath: /replacement-full } } }]
  - matches: [{ path: { type: PathPrefix, value: /status-303 } }]
    filters: [{ type: RequestRedirect, requestRedirect: { statusCode: 303 } }]
`)));
  const cases: [string, number, string][] = [
    ["/original-prefix/lemon", 302, "http://example.com/replacement-prefix/lemon"],
    ["/original-prefix/lemon?a=1&b", 302, "http://example.com/replacement-prefix/lemon?a=1&b"],
    ["/full/path/original", 302, "http://example.com/full-path-replacement"],
    ["/path-and-host", 302, "http://example.org/replacement-prefix"],
    ["/path-and-status", 301, "http://example.com/replacement-prefix"],
    ["/full-path-and-host", 302, "http://example.org/replacement-full"],
    ["/status-303/x?y", 303, "http://example.com/status-303/x?y"],
  ];
  for (const [url, status, location] of cases) {
    const d = answer(r.decide(req({ url, hostPort: 80 })));
    t.is(d.status, status, url);
    t.deepEqual(d.headers.location, [location], url);
    t.is(d.source.startsWith("httproute/default/redirect-path/rule/"), true);
  }
});

/** The conformance test httproute-redirect-port-and-scheme's routes, on one listener port. */
const PORT_AND_SCHEME = httpRoute("redirect-port-and-scheme", `
  hostnames: [example.org]
  rules:
${[
  ["/scheme-nil-and-port-nil", ""],
  ["/scheme-nil-and-port-80", "port: 80"],
  ["/scheme-nil-and-port-443", "port: 443"],
  ["/scheme-nil-and-port-8080", "port: 8080"],
  ["/scheme-nil-and-port-8443", "port: 8443"],
  ["/scheme-https-and-port-nil", "scheme: https"],
  ["/scheme-https-and-port-443", "scheme: https, port: 443"],
  ["/scheme-https-and-port-8443", "scheme: https, port: 8443"],
  ["/scheme-http-and-port-nil", "scheme: http"],
  ["/scheme-http-and-port-80", "scheme: http, port: 80"],
  ["/scheme-http-and-port-8080", "scheme: http, port: 8080"],
].map(([path, extra]) => `  - matches: [{ path: { type: PathPrefix, value: ${path} } }]
    filters: [{ type: RequestRedirect, requestRedirect: { ${extra ? extra + ", " : ""}hostname: example.org } }]`).join("\n")}
`);

test("RequestRedirect port rules (Gateway API HTTPRequestRedirectFilter.port; conformance redirect-port-and-scheme)", (t) => {
  const gw = gateway(`
  - { name: http, port: 80, protocol: HTTP }
  - { name: http-8080, port: 8080, protocol: HTTP }`);
  const on80 = createRouter(portFor(PORT_AND_SCHEME, gw, 80));
  const on8080 = createRouter(portFor(PORT_AND_SCHEME, gw, 8080));
  // An HTTPS listener on 443: the router only sees the listener port and the request scheme.
  const on443 = createRouter({ ...portFor(PORT_AND_SCHEME, gw, 80), listenerPort: 443, protocol: "HTTPS" });
  const cases: [Router, "http" | "https", string, string][] = [
    [on80, "http", "/scheme-nil-and-port-nil", "http://example.org/scheme-nil-and-port-nil"],
    [on80, "http", "/scheme-nil-and-port-80", "http://example.org/scheme-nil-and-port-80"],
    [on80, "http", "/scheme-nil-and-port-8080", "http://example.org:8080/scheme-nil-and-port-8080"],
    [on80, "http", "/scheme-nil-and-port-443", "http://example.org:443/scheme-nil-and-port-443"],
    [on80, "http", "/scheme-https-and-port-nil", "https://example.org/scheme-https-and-port-nil"],
    [on80, "http", "/scheme-https-and-port-443", "https://example.org/scheme-https-and-port-443"],
    [on80, "http", "/scheme-https-and-port-8443", "https://example.org:8443/scheme-https-and-port-8443"],
    [on8080, "http", "/scheme-nil-and-port-nil", "http://example.org:8080/scheme-nil-and-port-nil"],
    [on8080, "http", "/scheme-nil-and-port-80", "http://example.org/scheme-nil-and-port-80"],
    [on8080, "http", "/scheme-https-and-port-nil", "https://example.org/scheme-https-and-port-nil"],
    [on8080, "http", "/scheme-http-and-port-nil", "http://example.org/scheme-http-and-port-nil"],
    [on443, "https", "/scheme-nil-and-port-nil", "https://example.org/scheme-nil-and-port-nil"],
    [on443, "https", "/scheme-nil-and-port-443", "https://example.org/scheme-nil-and-port-443"],
    [on443, "https", "/scheme-nil-and-port-8443", "https://example.org:8443/scheme-nil-and-port-8443"],
    [on443, "https", "/scheme-http-and-port-nil", "http://example.org/scheme-http-and-port-nil"],
    [on443, "https", "/scheme-http-and-port-80", "http://example.org/scheme-http-and-port-80"],
    [on443, "https", "/scheme-http-and-port-8080", "http://example.org:8080/scheme-http-and-port-8080"],
  ];
  for (const [r, scheme, url, location] of cases) {
    const d = answer(r.decide(req({ host: "example.org", hostPort: 12345, scheme, url })));
    t.is(d.status, 302);
    t.deepEqual(d.headers.location, [location], `${scheme} ${url}`);
  }
});

test("RequestRedirect without hostname keeps the request's host (without the client's port)", (t) => {
  const r = createRouter(portFor(httpRoute("s", `
  rules:
  - filters: [{ type: RequestRedirect, requestRedirect: { scheme: https, statusCode: 308 } }]
`)));
  const d = answer(r.decide(req({ host: "shop.example.com", hostPort: 80, url: "/cart?id=1" })));
  t.is(d.status, 308);
  t.deepEqual(d.headers.location, ["https://shop.example.com/cart?id=1"]);
  t.is(d.body, "");
});

test("URLRewrite ReplacePrefixMatch: every row of the spec's table", (t) => {
  const rows: [string, string, string, string][] = [
    // request path, prefix match, replace prefix, modified path
    ["/foo/bar", "/foo", "/xyz", "/xyz/bar"],
    ["/foo/bar", "/foo", "/xyz/", "/xyz/bar"],
    ["/foo/bar", "/foo/", "/xyz", "/xyz/bar"],
    ["/foo/bar", "/foo/", "/xyz/", "/xyz/bar"],
    ["/foo", "/foo", "/xyz", "/xyz"],
    ["/foo/", "/foo", "/xyz", "/xyz/"],
    ["/foo/bar", "/foo", "", "/bar"],
    ["/foo/", "/foo", "", "/"],
    ["/foo", "/foo", "", "/"],
    ["/foo/", "/foo", "/", "/"],
    ["/foo", "/foo", "/", "/"],
  ];
  const routes = rows.map(([, prefix, replace], i) => httpRoute(`row${i}`, `
  hostnames: [row${i}.test]
  rules:
  - matches: [{ path: { type: PathPrefix, value: "${prefix}" } }]
    filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplacePrefixMatch, replacePrefixMatch: "${replace}" } } }]
${to("v1")}`)).join("---");
  const r = createRouter(portFor(routes));
  rows.forEach(([path, prefix, replace, want], i) => {
    t.is(forward(r.decide(req({ host: `row${i}.test`, url: path }))).target.path, want, `${path} ${prefix} → ${JSON.stringify(replace)}`);
    t.is(forward(r.decide(req({ host: `row${i}.test`, url: `${path}?q=1` }))).target.path, `${want}?q=1`);
  });
});

test("URLRewrite: conformance httproute-rewrite-path and httproute-rewrite-host", (t) => {
  const r = createRouter(portFor(httpRoute("rewrite-path", `
  rules:
  - matches: [{ path: { type: PathPrefix, value: /prefix/one } }]
    filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplacePrefixMatch, replacePrefixMatch: /one } } }]
${to("v1")}
  - matches: [{ path: { type: PathPrefix, value: /strip-prefix } }]
    filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplacePrefixMatch, replacePrefixMatch: / } } }]
${to("v1")}
  - matches: [{ path: { type: PathPrefix, value: /full/one } }]
    filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplaceFullPath, replaceFullPath: /one } } }]
${to("v1")}
  - matches: [{ path: { type: PathPrefix, value: /host } }]
    filters: [{ type: URLRewrite, urlRewrite: { hostname: one.example.org } }]
${to("v1")}
  - matches: [{ path: { type: PathPrefix, value: /both } }]
    filters: [{ type: URLRewrite, urlRewrite: { hostname: two.example.org, path: { type: ReplacePrefixMatch, replacePrefixMatch: /v2 } } }]
${to("v1")}
`)));
  const cases: [string, string, string][] = [
    ["/prefix/one/two", "/one/two", "example.com:8080"],
    ["/strip-prefix/three", "/three", "example.com:8080"],
    ["/strip-prefix", "/", "example.com:8080"],
    ["/full/one/two", "/one", "example.com:8080"],
    ["/full/one/two?x=y", "/one?x=y", "example.com:8080"],
    ["/host/x", "/host/x", "one.example.org"],
    ["/both/api?v", "/v2/api?v", "two.example.org"],
  ];
  for (const [url, path, authority] of cases) {
    const d = forward(r.decide(req({ url, hostPort: 8080 })));
    t.is(d.target.path, path, url);
    t.is(d.target.authority, authority, url);
  }
});

test("RequestMirror: several mirrors, each percentage rolled with random(), same rewritten path and headers", (t) => {
  const port = portFor(httpRoute("mirror", `
  rules:
  - filters:
    - type: URLRewrite
      urlRewrite: { path: { type: ReplaceFullPath, replaceFullPath: /mirrored } }
    - type: RequestHeaderModifier
      requestHeaderModifier: { set: [{ name: x-mirror, value: "yes" }] }
    - type: RequestMirror
      requestMirror: { backendRef: { name: mirror-a, port: 80 } }
    - type: RequestMirror
      requestMirror: { backendRef: { name: mirror-b, port: 80 }, percent: 30 }
${to("v1")}
`));
  let roll = 0;
  const r = createRouter(port, undefined, () => roll);
  roll = 0.29;
  const d = forward(r.decide(req({ url: "/x?q" })));
  t.deepEqual(d.mirrors.map((m) => m.backend.name), ["mirror-a", "mirror-b"]);
  for (const m of d.mirrors) {
    t.is(m.path, "/mirrored?q");
    t.is(m.authority, "example.com");
    t.deepEqual(m.headers["x-mirror"], ["yes"]);
  }
  roll = 0.3;
  t.deepEqual(forward(r.decide(req())).mirrors.map((m) => m.backend.name), ["mirror-a"]);
  // With the default Math.random, 30% over many requests lands near 30%.
  const rr = createRouter(port);
  let b = 0;
  for (let i = 0; i < 2000; i++) if (forward(rr.decide(req())).mirrors.length === 2) b++;
  t.true(b > 450 && b < 750, `${b} of 2000`);
});

test("RequestMirror fraction and 0%; an invalid mirror backend is dropped by the core and never sent", (t) => {
  const r = createRouter(portFor(httpRoute("mirror", `
  rules:
  - filters:
    - type: RequestMirror
      requestMirror: { backendRef: { name: mirror-a, port: 80 }, fraction: { numerator: 1, denominator: 4 } }
    - type: RequestMirror
      requestMirror: { backendRef: { name: mirror-b, port: 80 }, percent: 0 }
    - type: RequestMirror
      requestMirror: { backendRef: { name: missing, port: 80 } }
${to("v1")}
`)), undefined, () => 0.2);
  t.deepEqual(forward(r.decide(req())).mirrors.map((m) => m.backend.name), ["mirror-a"]);
});

test("rules that cannot forward answer 500: no backends, all invalid, all weight 0, unresolved ExtensionRef", (t) => {
  const r = createRouter(portFor(httpRoute("bad", `
  rules:
  - matches: [{ path: { value: /none } }]
  - matches: [{ path: { value: /missing } }]
    backendRefs: [{ name: missing, port: 80 }]
  - matches: [{ path: { value: /zero } }]
    backendRefs: [{ name: v1, port: 80, weight: 0 }, { name: v2, port: 80, weight: 0 }]
  - matches: [{ path: { value: /ext } }]
    filters: [{ type: ExtensionRef, extensionRef: { group: example.com, kind: Thing, name: x } }]
${to("v1")}
`)));
  for (const url of ["/none", "/missing", "/zero", "/ext"]) {
    const d = answer(r.decide(req({ url })));
    t.is(d.status, 500, url);
    t.true(d.source.startsWith("httproute/default/bad/rule/"), url);
  }
});

test("an invalid backend among valid ones gets exactly its weight's share of 500s", (t) => {
  const r = createRouter(portFor(httpRoute("partial", `
  rules:
  - backendRefs: [{ name: v1, port: 80, weight: 3 }, { name: missing, port: 80, weight: 1 }]
`)));
  let ok = 0, failed = 0;
  for (let i = 0; i < 400; i++) {
    const d = r.decide(req());
    if (d.type === "forward") ok++;
    else if (d.status === 500) failed++;
  }
  t.deepEqual([ok, failed], [300, 100]);
});

test("timeouts and retry are passed on with the forward decision", (t) => {
  const r = createRouter(portFor(httpRoute("t", `
  rules:
  - timeouts: { request: 10s, backendRequest: 2s }
${to("v1")}
`)));
  t.deepEqual(forward(r.decide(req())).timeouts, { requestMs: 10000, backendRequestMs: 2000 });
});

test("authority: the client's host, with its port when it had one, IPv6 in brackets", (t) => {
  const r = createRouter(portFor(httpRoute("a", `  rules:\n  - ${to("v1").trim()}`)));
  const v: RequestView = req({ host: "example.com", scheme: "https" });
  t.is(forward(r.decide(v)).target.authority, "example.com");
  t.is(forward(r.decide(req({ host: "::1", hostPort: 8080 }))).target.authority, "[::1]:8080");
  t.is(forward(r.decide(req({ host: "[::1]", hostPort: 8080 }))).target.authority, "[::1]:8080");
  t.is(forward(r.decide(req({ host: "10.1.2.3" }))).target.authority, "10.1.2.3");
});
