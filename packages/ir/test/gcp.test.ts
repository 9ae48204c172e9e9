import test from "ava";
import { buildDesiredState, gatewayCentricView, GCP } from "../src/index.js";
import { retryConditions } from "../src/views/gcp-rules.js";
import { backend, CONTROLLER, gateway, graph, headers, listener, match, rng, route } from "./fixtures.js";

const gw = () => gateway([
  listener("http", 80, "HTTP"),
  listener("https", 443, "HTTPS", { hostname: "web.example.com", tls: { mode: "Terminate", certificates: [{ source: "secret/infra/cert", certificatePem: "C", privateKeyPem: "K", dnsNames: [], notAfter: "" }], options: {} } }),
]);

test("URL map per port with host rules, path matchers and prioritized route rules", (t) => {
  const src = "httproute/default/web";
  const r = route("HTTPRoute", "default", "web", [
    { matches: [match("/api", "PathPrefix", { method: "POST", queryParams: [{ type: "Exact", name: "q", value: "1" }] })],
      backends: [backend(src, 0, 0, "a", { weight: 2 }), backend(src, 0, 1, "b", { weight: 0 })],
      extra: { timeouts: { requestMs: 1500 }, retry: { attempts: 3, codes: [502, 503, 504], backoffMs: 100 } } },
    { matches: [match("/old", "Exact")], backends: [], filters: [{ type: "RequestRedirect", config: { statusCode: 301, scheme: "https", path: { type: "ReplaceFullPath", value: "/new" } } }] },
    { matches: [match("/rw")], filters: [{ type: "URLRewrite", config: { path: { type: "ReplacePrefixMatch", value: "/x" } } },
      { type: "RequestHeaderModifier", config: headers({ add: [{ name: "h", value: "v" }] }) }] },
    { matches: [match("/dead", "Exact")], backends: [backend(src, 3, 0, "gone", { valid: false, reason: "BackendNotFound" })] },
  ], { hostnames: ["web.example.com"], listeners: [{ name: "http", hostnames: ["web.example.com"] }, { name: "https", hostnames: ["web.example.com"] }] });
  const view = gatewayCentricView(buildDesiredState(graph([gw()], [r])), CONTROLLER);
  const g = view.gateways[0]!;
  t.deepEqual(g.urlMaps.map((m) => [m.name, m.port]), [["gh-infra-gw-80", 80], ["gh-infra-gw-443", 443]]);
  const m = g.urlMaps[0]!;
  t.deepEqual(m.hostRules.map((h) => h.hosts), [["web.example.com"]]);
  t.is(m.hostRules[0]!.pathMatcher, m.pathMatchers[0]!.name);
  const rules = m.pathMatchers[0]!.routeRules;
  t.deepEqual(rules.map((x) => x.priority), rules.map((_, i) => i + 1));
  t.deepEqual(rules.map((x) => x.sources[0]), [
    `${src}/rule/3/match/0`, `${src}/rule/1/match/0`, `${src}/rule/0/match/0`, `${src}/rule/2/match/0`, `${src}/rule/2/match/0`,
  ]);
  // Both Exact: the longer path (/dead) first.
  t.like(rules[1]!, { matchRules: [{ fullPathMatch: "/old" }], urlRedirect: { pathRedirect: "/new", httpsRedirect: true, redirectResponseCode: "MOVED_PERMANENTLY_DEFAULT" } });
  t.deepEqual(rules[0]!.routeAction?.faultInjectionPolicy, { abort: { httpStatus: 500, percentage: 100 } });
  t.is(rules[0]!.service?.kind, "notFound");
  const api = rules[2]!;
  t.deepEqual(api.matchRules.map((x) => [x.fullPathMatch, x.prefixMatch]), [["/api", undefined], [undefined, "/api/"]]);
  t.deepEqual(api.matchRules[0]!.headerMatches, [{ headerName: ":method", exactMatch: "POST" }]);
  t.deepEqual(api.matchRules[0]!.queryParameterMatches, [{ name: "q", exactMatch: "1" }]);
  t.deepEqual(api.routeAction?.weightedBackendServices.map((w) => [w.backendKey, w.weight]), [["Service/default/a:80", 2], ["Service/default/b:80", 0]]);
  t.deepEqual(api.routeAction?.timeout, { seconds: 1, nanos: 500_000_000 });
  t.deepEqual(api.routeAction?.retryPolicy, { retryConditions: ["connect-failure", "gateway-error"], numRetries: 3 });
  // Prefix rewrite: one rule per path form, each with the right replacement.
  t.deepEqual([rules[3]!, rules[4]!].map((x) => [x.matchRules[0]!.fullPathMatch ?? x.matchRules[0]!.prefixMatch, x.routeAction?.urlRewrite?.pathPrefixRewrite]),
    [["/rw", "/x"], ["/rw/", "/x/"]]);
  t.is(rules[3]!.headerAction?.requestHeadersToAdd[0]?.replace, false);
  t.deepEqual(g.targetProxies.map((p) => p.kind), ["targetHttpProxy", "targetHttpsProxy"]);
  const https = g.targetProxies[1]!;
  if (https.kind === "targetHttpsProxy") t.deepEqual(https.sslCertificates.map((c) => c.source), ["secret/infra/cert"]);
  t.deepEqual(g.forwardingRules.map((f) => [f.portRange, f.target]), g.targetProxies.map((p) => [`${p.port}-${p.port}`, p.name]));
  t.deepEqual(view.backendServices.map((b) => [b.key, b.invalid?.reason]), [
    ["Service/default/a:80", undefined], ["Service/default/b:80", undefined], ["Service/default/svc:80", undefined],
  ]); // "gone" answers 500 directly: no backend service for it
  t.deepEqual(view.backendServices[0]!.negs, [{ zone: "z1", name: view.backendServices[0]!.negs[0]!.name,
    endpoints: [{ ipAddress: "10.0.0.1", port: 8080 }, { ipAddress: "10.0.0.2", port: 8080 }] }]);
  t.deepEqual(view.unsupported.map((u) => u.message), ["retry backoff: GCP URL maps have no retry backoff"]);
});

test("listener isolation: a host claimed by a more specific listener stays its", (t) => {
  const g = gateway([listener("wild", 80, "HTTP", { hostname: "*.example.com" }), listener("foo", 80, "HTTP", { hostname: "foo.example.com" })]);
  const a = route("HTTPRoute", "default", "a", [{}], { listeners: [{ name: "wild", hostnames: [] }] });
  const b = route("HTTPRoute", "default", "b", [{}], { listeners: [{ name: "foo", hostnames: [] }] });
  const view = gatewayCentricView(buildDesiredState(graph([g], [a, b])), CONTROLLER);
  const m = view.gateways[0]!.urlMaps[0]!;
  t.deepEqual(m.hostRules.map((h) => h.hosts[0]), ["foo.example.com", "*.example.com"]);
  t.deepEqual(m.pathMatchers.map((p) => p.routeRules[0]!.sources[0]), ["httproute/default/b/rule/0/match/0", "httproute/default/a/rule/0/match/0"]);
});

test("invalid backends become backend services without endpoints; weights scale into 0..1000", (t) => {
  const src = "httproute/default/w";
  const r = route("HTTPRoute", "default", "w", [{ backends: [
    backend(src, 0, 0, "a", { weight: 1_000_000 }), backend(src, 0, 1, "x", { valid: false, reason: "RefNotPermitted", weight: 1 }),
  ] }]);
  const view = gatewayCentricView(buildDesiredState(graph([gateway([listener("http", 80, "HTTP")])], [r])), CONTROLLER);
  const wbs = view.gateways[0]!.urlMaps[0]!.pathMatchers[0]!.routeRules[0]!.routeAction!.weightedBackendServices;
  t.deepEqual(wbs.map((w) => w.weight), [1000, 1]);
  const bad = view.backendServices.find((b) => b.key === "Service/default/x:80")!;
  t.deepEqual(bad.negs, []);
  t.is(bad.invalid?.reason, "RefNotPermitted");
});

test("property: every GCP resource name is RFC 1035 within 63 chars, and unique per kind", (t) => {
  const next = rng(99);
  const chars = "abcdefghijklmnopqrstuvwxyz0123456789-.";
  const rand = (n: number) => Array.from({ length: 1 + Math.floor(next() * n) }, () => chars[Math.floor(next() * chars.length)]).join("");
  const gws = Array.from({ length: 30 }, () => gateway([listener("http", 80 + Math.floor(next() * 3), "HTTP")], { namespace: rand(63), name: rand(63) }));
  const routes = gws.flatMap((g, i) => Array.from({ length: 4 }, (_, j) => {
    const name = rand(253), ns = rand(63);
    return route("HTTPRoute", ns, name, [{ matches: [match(`/${i}/${j}`)], backends: [backend(`httproute/${ns}/${name}`, 0, 0, rand(63), { namespace: ns })] }],
      { gatewayKey: g.key });
  }));
  const view = gatewayCentricView(buildDesiredState(graph(gws, routes)), CONTROLLER);
  const all = [
    ...view.backendServices.map((b) => b.name),
    ...view.backendServices.flatMap((b) => b.negs.map((n) => n.name)),
    ...view.gateways.flatMap((g) => [...g.urlMaps.map((m) => m.name), ...g.targetProxies.map((p) => p.name), ...g.forwardingRules.map((f) => f.name)]),
    ...view.gateways.flatMap((g) => g.urlMaps.flatMap((m) => m.pathMatchers.map((p) => p.name))),
  ];
  t.true(all.length > 200);
  for (const n of all) t.regex(n, GCP.namePattern);
  t.is(new Set(view.backendServices.map((b) => b.name)).size, view.backendServices.length);
  const maps = view.gateways.flatMap((g) => g.urlMaps.map((m) => m.name));
  t.is(new Set(maps).size, maps.length);
});

test("deterministic view", (t) => {
  const routes = ["b", "a"].map((n) => route("HTTPRoute", "default", n, [{ matches: [match(`/${n}`)], backends: [n] }]));
  const one = JSON.stringify(gatewayCentricView(buildDesiredState(graph([gw()], routes)), CONTROLLER));
  const two = JSON.stringify(gatewayCentricView(buildDesiredState(graph([gw()], [...routes].reverse())), CONTROLLER));
  t.is(one, two);
});

test("retry codes map to GCP classes only when the whole class is asked for; the rest is reported", (t) => {
  t.deepEqual(retryConditions([502, 503, 504, 409]), { conditions: ["connect-failure", "gateway-error", "retriable-4xx"], problems: [] });
  t.deepEqual(retryConditions([503, 429]), {
    conditions: ["connect-failure"],
    problems: ['retry codes 503: GCP retries them only as "gateway-error" (502, 503, 504)', "retry codes 429: GCP has no retry condition for them"],
  });
});
