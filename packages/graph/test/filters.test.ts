import test from "ava";
import { FEATURE } from "@gatehouse/model";
import type { RuleNode } from "../src/types.js";
import { WEB, capsWithout, gatewayClass, httpRoute, only, run, service } from "./route-helpers.js";

const web = { name: "web", port: 80 };
const objects = { Service: [WEB[0]] };

/** Builds one HTTPRoute with the given rules under a class lacking `missing` features. */
function rules(list: unknown[], ...missing: string[]): RuleNode[] {
  const { routes } = run({
    classes: [gatewayClass("gh", capsWithout(...missing))],
    objects: { ...objects, HTTPRoute: [httpRoute("r", list)] },
  });
  return only(routes).rules;
}
const invalid = (rule: unknown, ...missing: string[]) => only(rules([rule], ...missing)).invalid;

test("header modifiers are normalized into set/add/remove", (t) => {
  const rule = only(rules([{
    filters: [
      { type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "X-A", value: "1" }], remove: ["X-B"] } },
      { type: "ResponseHeaderModifier", responseHeaderModifier: { add: [{ name: "X-C", value: "2" }] } },
    ],
    backendRefs: [web],
  }]));
  t.deepEqual(rule.filters, [
    { type: "RequestHeaderModifier", source: "httproute/default/r/rule/0/filter/0", config: { set: [{ name: "X-A", value: "1" }], add: [], remove: ["X-B"] } },
    { type: "ResponseHeaderModifier", source: "httproute/default/r/rule/0/filter/1", config: { set: [], add: [{ name: "X-C", value: "2" }], remove: [] } },
  ]);
});

const cases: [string, unknown, string[], { reason: string; message: string }][] = [
  ["response header modification needs its feature",
    { filters: [{ type: "ResponseHeaderModifier", responseHeaderModifier: {} }] }, [FEATURE.HTTPRouteResponseHeaderModification],
    { reason: "UnsupportedValue", message: "spec.rules[0].filters[0].responseHeaderModifier: response header modifications are not supported by gatehouse.dev/test" }],
  ["a header filter type may appear once",
    { filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: {} }, { type: "RequestHeaderModifier", requestHeaderModifier: {} }] }, [],
    { reason: "UnsupportedValue", message: "spec.rules[0].filters[1].type: RequestHeaderModifier may appear only once (already at spec.rules[0].filters[0])" }],
  ["duplicate header names in set",
    { filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x-a", value: "1" }, { name: "X-A", value: "2" }] } }] }, [],
    { reason: "UnsupportedValue", message: 'spec.rules[0].filters[0].requestHeaderModifier.set[1].name: header "X-A" is listed twice' }],
  ["invalid header name",
    { filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: { remove: ["bad header"] } }] }, [],
    { reason: "UnsupportedValue", message: 'spec.rules[0].filters[0].requestHeaderModifier.remove[0]: "bad header" is not a valid header name' }],
  ["unknown filter type",
    { filters: [{ type: "Teleport" }] }, [],
    { reason: "UnsupportedValue", message: 'spec.rules[0].filters[0].type: "Teleport" is not a HTTPRoute filter type (RequestHeaderModifier, ResponseHeaderModifier, RequestRedirect, URLRewrite, RequestMirror, CORS, ExtensionRef, ExternalAuth)' }],
  ["missing filter body",
    { filters: [{ type: "RequestRedirect" }] }, [],
    { reason: "UnsupportedValue", message: "spec.rules[0].filters[0].requestRedirect: is required when type is RequestRedirect" }],
  ["port redirects need HTTPRoutePortRedirect",
    { filters: [{ type: "RequestRedirect", requestRedirect: { port: 8443 } }] }, [FEATURE.HTTPRoutePortRedirect],
    { reason: "UnsupportedValue", message: "spec.rules[0].filters[0].requestRedirect.port: port redirects are not supported by gatehouse.dev/test" }],
  ["scheme redirects need HTTPRouteSchemeRedirect",
    { filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https" } }] }, [FEATURE.HTTPRouteSchemeRedirect],
    { reason: "UnsupportedValue", message: "spec.rules[0].filters[0].requestRedirect.scheme: scheme redirects are not supported by gatehouse.dev/test" }],
  ["path redirects need HTTPRoutePathRedirect",
    { filters: [{ type: "RequestRedirect", requestRedirect: { path: { type: "ReplaceFullPath", replaceFullPath: "/x" } } }] }, [FEATURE.HTTPRoutePathRedirect],
    { reason: "UnsupportedValue", message: "spec.rules[0].filters[0].requestRedirect.path: path redirects are not supported by gatehouse.dev/test" }],
  ["redirect status code must be in the enum",
    { filters: [{ type: "RequestRedirect", requestRedirect: { statusCode: 305 } }] }, [],
    { reason: "UnsupportedValue", message: "spec.rules[0].filters[0].requestRedirect.statusCode: 305 is not one of 301, 302, 303, 307, 308" }],
  ["307 redirects need their feature",
    { filters: [{ type: "RequestRedirect", requestRedirect: { statusCode: 307 } }] }, ["HTTPRoute307RedirectStatusCode"],
    { reason: "UnsupportedValue", message: "spec.rules[0].filters[0].requestRedirect.statusCode: 307 redirects are not supported by gatehouse.dev/test" }],
  ["redirect scheme enum",
    { filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "ftp" } }] }, [],
    { reason: "UnsupportedValue", message: 'spec.rules[0].filters[0].requestRedirect.scheme: "ftp" is not one of http, https' }],
  ["redirect with backendRefs is incompatible",
    { filters: [{ type: "RequestRedirect", requestRedirect: {} }], backendRefs: [web] }, [],
    { reason: "IncompatibleFilters", message: "spec.rules[0].filters[0]: RequestRedirect cannot be used together with backendRefs" }],
  ["redirect and rewrite together are incompatible",
    { filters: [{ type: "URLRewrite", urlRewrite: {} }, { type: "RequestRedirect", requestRedirect: {} }] }, [],
    { reason: "IncompatibleFilters", message: "spec.rules[0].filters[1]: RequestRedirect (spec.rules[0].filters[1]) and URLRewrite (spec.rules[0].filters[0]) cannot be used together" }],
  ["ReplacePrefixMatch needs exactly one PathPrefix match",
    { matches: [{ path: { type: "Exact", value: "/a" } }], filters: [{ type: "URLRewrite", urlRewrite: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/b" } } }] }, [],
    { reason: "UnsupportedValue", message: "spec.rules[0].filters[0].urlRewrite.path.replacePrefixMatch: requires the rule to have exactly one match, of type PathPrefix" }],
  ["host rewrites need HTTPRouteHostRewrite",
    { filters: [{ type: "URLRewrite", urlRewrite: { hostname: "a.example.com" } }] }, [FEATURE.HTTPRouteHostRewrite],
    { reason: "UnsupportedValue", message: "spec.rules[0].filters[0].urlRewrite.hostname: host rewrites are not supported by gatehouse.dev/test" }],
  ["path rewrites need HTTPRoutePathRewrite",
    { filters: [{ type: "URLRewrite", urlRewrite: { path: { type: "ReplaceFullPath", replaceFullPath: "/" } } }] }, [FEATURE.HTTPRoutePathRewrite],
    { reason: "UnsupportedValue", message: "spec.rules[0].filters[0].urlRewrite.path: path rewrites are not supported by gatehouse.dev/test" }],
  ["path modifier type enum",
    { filters: [{ type: "URLRewrite", urlRewrite: { path: { type: "Regex" } } }] }, [],
    { reason: "UnsupportedValue", message: 'spec.rules[0].filters[0].urlRewrite.path.type: "Regex" is not one of ReplaceFullPath, ReplacePrefixMatch' }],
  ["mirrors need HTTPRouteRequestMirror",
    { filters: [{ type: "RequestMirror", requestMirror: { backendRef: web } }] }, [FEATURE.HTTPRouteRequestMirror],
    { reason: "UnsupportedValue", message: "spec.rules[0].filters[0].requestMirror: request mirrors are not supported by gatehouse.dev/test" }],
  ["several mirrors need HTTPRouteRequestMultipleMirrors",
    { filters: [{ type: "RequestMirror", requestMirror: { backendRef: web } }, { type: "RequestMirror", requestMirror: { backendRef: web } }] }, [FEATURE.HTTPRouteRequestMultipleMirrors],
    { reason: "UnsupportedValue", message: "spec.rules[0].filters[1]: multiple RequestMirror filters per rule are not supported by gatehouse.dev/test" }],
  ["percentage mirrors need HTTPRouteRequestPercentageMirror",
    { filters: [{ type: "RequestMirror", requestMirror: { backendRef: web, percent: 50 } }] }, [FEATURE.HTTPRouteRequestPercentageMirror],
    { reason: "UnsupportedValue", message: "spec.rules[0].filters[0].requestMirror.percent: percentage mirrors are not supported by gatehouse.dev/test" }],
  ["mirror fraction numerator must not exceed the denominator",
    { filters: [{ type: "RequestMirror", requestMirror: { backendRef: web, fraction: { numerator: 3, denominator: 2 } } }] }, [],
    { reason: "UnsupportedValue", message: "spec.rules[0].filters[0].requestMirror.fraction.numerator: 3 must be an integer from 0 to the denominator (2)" }],
  ["CORS needs HTTPRouteCORS",
    { filters: [{ type: "CORS", cors: {} }] }, [FEATURE.HTTPRouteCORS],
    { reason: "UnsupportedValue", message: "spec.rules[0].filters[0].cors: CORS filters are not supported by gatehouse.dev/test" }],
  ["CORS methods: * alone",
    { filters: [{ type: "CORS", cors: { allowMethods: ["GET", "*"] } }] }, [],
    { reason: "UnsupportedValue", message: 'spec.rules[0].filters[0].cors.allowMethods: "*" cannot be combined with other methods' }],
  ["backendRef filters need HTTPRouteBackendRequestHeaderModification",
    { backendRefs: [{ ...web, filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: {} }] }] }, [FEATURE.HTTPRouteBackendRequestHeaderModification],
    { reason: "UnsupportedValue", message: "spec.rules[0].backendRefs[0].filters[0]: filters on backendRefs are not supported by gatehouse.dev/test" }],
  ["only header modifiers on backendRefs",
    { backendRefs: [{ ...web, filters: [{ type: "URLRewrite", urlRewrite: {} }] }] }, [],
    { reason: "UnsupportedValue", message: "spec.rules[0].backendRefs[0].filters[0].type: URLRewrite filters on a backendRef are not supported by gatehouse (only RequestHeaderModifier and ResponseHeaderModifier)" }],
  ["request timeouts need HTTPRouteRequestTimeout",
    { timeouts: { request: "10s" } }, [FEATURE.HTTPRouteRequestTimeout],
    { reason: "UnsupportedValue", message: "spec.rules[0].timeouts.request: request timeouts are not supported by gatehouse.dev/test" }],
  ["backend timeouts need HTTPRouteBackendTimeout",
    { timeouts: { backendRequest: "1s" } }, [FEATURE.HTTPRouteBackendTimeout],
    { reason: "UnsupportedValue", message: "spec.rules[0].timeouts.backendRequest: backend request timeouts are not supported by gatehouse.dev/test" }],
  ["timeout format",
    { timeouts: { request: "10 seconds" } }, [],
    { reason: "UnsupportedValue", message: 'spec.rules[0].timeouts.request: "10 seconds" is not a Gateway API duration (e.g. "10s", "1m30s", "500ms")' }],
  ["backendRequest must not exceed request",
    { timeouts: { request: "1s", backendRequest: "2s" } }, [],
    { reason: "UnsupportedValue", message: 'spec.rules[0].timeouts.backendRequest: "2s" must not be longer than request ("1s")' }],
  ["retries need HTTPRouteRetry",
    { retry: { attempts: 2 } }, [FEATURE.HTTPRouteRetry],
    { reason: "UnsupportedValue", message: "spec.rules[0].retry: retries are not supported by gatehouse.dev/test" }],
  ["retry codes are 4xx/5xx",
    { retry: { codes: [503, 200] } }, [],
    { reason: "UnsupportedValue", message: "spec.rules[0].retry.codes[1]: 200 is not an HTTP status code from 400 to 599" }],
  ["session persistence needs its feature",
    { sessionPersistence: {} }, [FEATURE.HTTPRouteSessionPersistence],
    { reason: "UnsupportedValue", message: "spec.rules[0].sessionPersistence: session persistence settings are not supported by gatehouse.dev/test" }],
  ["permanent cookies need an absolute timeout",
    { sessionPersistence: { cookieConfig: { lifetimeType: "Permanent" } } }, [],
    { reason: "UnsupportedValue", message: "spec.rules[0].sessionPersistence.absoluteTimeout: is required when cookieConfig.lifetimeType is Permanent" }],
];
for (const [name, rule, missing, want] of cases) {
  test(`invalid: ${name}`, (t) => t.deepEqual(invalid(rule, ...missing), want));
}

test("redirect defaults statusCode to 302 and normalizes the path modifier", (t) => {
  const rule = only(rules([{
    matches: [{ path: { type: "PathPrefix", value: "/old" } }],
    filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", hostname: "new.example.com", port: 443, path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/new" } } }],
  }]));
  t.is(rule.invalid, undefined);
  t.deepEqual(rule.filters[0]!.config, { scheme: "https", hostname: "new.example.com", port: 443, path: { type: "ReplacePrefixMatch", value: "/new" }, statusCode: 302 });
});

test("a mirror resolves its backend and a fraction becomes a percent", (t) => {
  const rule = only(rules([{ filters: [{ type: "RequestMirror", requestMirror: { backendRef: web, fraction: { numerator: 1, denominator: 4 } } }], backendRefs: [web] }]));
  const f = only(rule.filters);
  if (f.type !== "RequestMirror") return t.fail(f.type);
  t.deepEqual(f.config, { percent: 25 });
  t.is(f.mirror.source, "httproute/default/r/rule/0/filter/0/mirror");
  t.true(f.mirror.valid);
  t.is(f.mirror.serviceKey, "default/web");
});

test("a mirror to a missing Service keeps the rule but sets ResolvedRefs=False", (t) => {
  const { routes } = run({ objects: { ...objects, HTTPRoute: [httpRoute("r", [{ filters: [{ type: "RequestMirror", requestMirror: { backendRef: { name: "gone", port: 80 } } }], backendRefs: [web] }])] } });
  const r = only(routes);
  t.is(r.rules[0]!.invalid, undefined);
  const f = r.rules[0]!.filters[0]!;
  t.is(f.type, "RequestMirror");
  t.false(f.type === "RequestMirror" && f.mirror.valid);
  t.deepEqual(r.parents[0]!.conditions[1], {
    type: "ResolvedRefs", status: "False", reason: "BackendNotFound",
    message: "spec.rules[0].filters[0].requestMirror.backendRef: Service default/gone not found",
  });
});

test("an unresolvable ExtensionRef keeps the rule, marks the filter unresolved and fails ResolvedRefs", (t) => {
  const { routes } = run({
    classes: [gatewayClass("gh", capsWithout())],
    objects: { ...objects, HTTPRoute: [httpRoute("r", [{ filters: [{ type: "ExtensionRef", extensionRef: { group: "example.com", kind: "Thing", name: "t" } }], backendRefs: [web] }])] },
  });
  const route = only(routes);
  const rule = only(route.rules);
  t.is(rule.invalid, undefined);
  const f = rule.filters[0]!;
  if (f.type !== "ExtensionRef") return t.fail(f.type);
  t.deepEqual(f.unresolved, {
    reason: "InvalidKind",
    message: 'spec.rules[0].filters[0].extensionRef: "example.com"/"Thing" "t" is not a filter kind gatehouse knows; requests matching this rule get 500',
  });
  const conds = route.parents[0]!.conditions;
  t.like(conds.find((c) => c.type === "Accepted"), { status: "True" });
  t.like(conds.find((c) => c.type === "ResolvedRefs"), { status: "False", reason: "InvalidKind" });
});

test("CORS defaults", (t) => {
  const rule = only(rules([{ filters: [{ type: "CORS", cors: { allowOrigins: ["https://*.example.com"] } }] }]));
  t.deepEqual(rule.filters[0]!.config, { allowOrigins: ["https://*.example.com"], allowMethods: [], allowHeaders: [], exposeHeaders: [], allowCredentials: false, maxAge: 5 });
});

test("timeouts, retry and session persistence are normalized", (t) => {
  const rule = only(rules([{
    timeouts: { request: "1m30s", backendRequest: "0s" },
    retry: { attempts: 3, codes: [503, 500, 503], backoff: "100ms" },
    sessionPersistence: { sessionName: "s", absoluteTimeout: "1h", cookieConfig: { lifetimeType: "Permanent" } },
  }]));
  t.is(rule.invalid, undefined);
  t.deepEqual(rule.timeouts, { requestMs: 90_000, backendRequestMs: 0 });
  t.deepEqual(rule.retry, { attempts: 3, codes: [500, 503], backoffMs: 100 });
  t.deepEqual(rule.sessionPersistence, { type: "Cookie", sessionName: "s", absoluteTimeoutMs: 3_600_000, cookieLifetimeType: "Permanent" });
});

test("backendRef header filters land on the backend", (t) => {
  const rule = only(rules([{ backendRefs: [{ ...web, filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x", value: "y" }] } }] }] }]));
  t.deepEqual(rule.backends[0]!.filters, [{
    type: "RequestHeaderModifier", source: "httproute/default/r/rule/0/backend/0/filter/0", config: { set: [{ name: "x", value: "y" }], add: [], remove: [] },
  }]);
});

test("rulesPerRoute counts matches; later rules beyond the limit are dropped", (t) => {
  const { routes } = run({
    classes: [gatewayClass("gh", { ...capsWithout(), limits: { rulesPerRoute: 3, matchesPerRule: 2 } })],
    objects: { ...objects, HTTPRoute: [httpRoute("r", [
      { matches: [{ path: { value: "/a" } }, { path: { value: "/b" } }] },
      { matches: [{ path: { value: "/c" } }, { path: { value: "/d" } }, { path: { value: "/e" } }] },
      { matches: [{ path: { value: "/f" } }, { path: { value: "/g" } }] },
      {},
    ])] },
  });
  t.deepEqual(only(routes).rules.map((r) => r.invalid?.message), [
    undefined,
    "spec.rules[1].matches: 3 matches exceed the 2 per rule supported by gatehouse.dev/test",
    "spec.rules[2]: exceeds the 3 rules per route (counting each match as a rule) supported by gatehouse.dev/test",
    undefined,
  ]);
});

test("a route across two classes is validated against both", (t) => {
  const other = { ...capsWithout(FEATURE.HTTPRouteCORS), controllerName: "gatehouse.dev/other" };
  const { routes } = run({
    classes: [gatewayClass("gh"), gatewayClass("lattice", other)],
    gateways: [
      { ...(run().gateways[0]!), key: "infra/a", name: "a" },
      { ...(run().gateways[0]!), key: "infra/b", name: "b", className: "lattice", controllerName: "gatehouse.dev/other" },
    ],
    objects: {
      Service: [service("web", [{ port: 80 }])],
      HTTPRoute: [httpRoute("r", [{ filters: [{ type: "CORS", cors: {} }] }, {}], { parentRefs: [{ name: "a", namespace: "infra" }, { name: "b", namespace: "infra" }] })],
    },
  });
  const r = only(routes);
  t.is(r.rules[0]!.invalid?.message, "spec.rules[0].filters[0].cors: CORS filters are not supported by gatehouse.dev/other");
  t.deepEqual(r.parents.map((p) => p.controllerName), ["gatehouse.dev/test", "gatehouse.dev/other"]);
});

test("spec.rules and spec.hostnames of the wrong type reject the route, naming the fields", (t) => {
  const bad = httpRoute("r", []) as { spec: Record<string, unknown> };
  bad.spec.rules = 5;
  bad.spec.hostnames = "x";
  const { routes } = run({ objects: { ...objects, HTTPRoute: [bad] } });
  t.deepEqual(only(routes).parents[0]!.conditions[0], {
    type: "Accepted", status: "False", reason: "UnsupportedValue",
    message: 'spec.hostnames: must be a list of hostnames, got "x"; spec.rules: must be a list of rules, got 5',
  });
});
