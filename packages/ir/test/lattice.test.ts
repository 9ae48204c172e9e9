import test from "ava";
import { buildDesiredState, LATTICE, routeCentricView } from "../src/index.js";
import { backend, CONTROLLER, gateway, graph, listener, match, rng, route } from "./fixtures.js";

const gw = (ns = "infra", name = "gw") => gateway([listener("http", 80, "HTTP"), listener("https", 443, "HTTPS", {
  tls: { mode: "Terminate", certificates: [{ source: "secret/infra/cert", certificatePem: "C", privateKeyPem: "K", dnsNames: [], notAfter: "" }], options: {} },
})], { namespace: ns, name });

test("one service per route and parent, listeners per port, rules in precedence order", (t) => {
  const src = "httproute/default/web";
  const r = route("HTTPRoute", "default", "web", [
    { matches: [match("/")], backends: [backend(src, 0, 0, "a", { weight: 3000 }), backend(src, 0, 1, "b", { weight: 1000 })] },
    { matches: [match("/api", "Exact", { method: "GET", headers: [{ type: "Exact", name: "x", value: "1" }] })], backends: [backend(src, 1, 0, "a")] },
    { matches: [match("/broken")], backends: [backend(src, 2, 0, "gone", { valid: false, reason: "BackendNotFound" })] },
  ], { hostnames: ["*.example.com", "web.example.com"], listeners: [
    { name: "http", hostnames: ["*.example.com", "web.example.com"] }, { name: "https", hostnames: ["web.example.com"] },
  ] });
  const view = routeCentricView(buildDesiredState(graph([gw()], [r])), CONTROLLER);
  t.is(view.services.length, 1);
  const svc = view.services[0]!;
  t.is(svc.name, "web-default");
  t.is(svc.customDomainName, "web.example.com");
  t.deepEqual(svc.hostnames, ["*.example.com", "web.example.com"]);
  t.deepEqual(svc.listeners.map((l) => [l.name, l.port, l.protocol]), [["http-80", 80, "HTTP"], ["https-443", 443, "HTTPS"]]);
  t.deepEqual(svc.listeners[1]!.certificates, ["secret/infra/cert"]);
  const rules = svc.listeners[0]!.rules;
  t.deepEqual(rules.map((x) => x.priority), [1, 2, 3, 4]);
  t.deepEqual(rules.map((x) => x.sources[0]), [
    `${src}/rule/1/match/0`, `${src}/rule/2/match/0`, `${src}/rule/2/match/0`, `${src}/rule/0/match/0`,
  ]);
  t.deepEqual(rules[0]!.match.httpMatch, { pathMatch: { caseSensitive: true, match: { exact: "/api" } }, method: "GET",
    headerMatches: [{ name: "x", caseSensitive: true, match: { exact: "1" } }] });
  t.deepEqual(rules[1]!.match.httpMatch.pathMatch?.match, { exact: "/broken" });
  t.deepEqual(rules[2]!.match.httpMatch.pathMatch?.match, { prefix: "/broken/" });
  t.deepEqual(rules[1]!.action, { fixedResponse: { statusCode: 500 } });
  const fwd = rules[3]!.action;
  t.true("forward" in fwd);
  if ("forward" in fwd) t.deepEqual(fwd.forward.targetGroups.map((g) => [g.targetGroupKey, g.weight]), [["Service/default/a:80", 999], ["Service/default/b:80", 333]]);
  t.deepEqual(svc.listeners[0]!.defaultAction, { fixedResponse: { statusCode: 404 } });
  t.deepEqual(svc.targetGroups.map((g) => g.key), ["Service/default/a:80", "Service/default/b:80"]);
  t.deepEqual(svc.targetGroups[0]!.targets, [{ id: "10.0.0.1", port: 8080 }, { id: "10.0.0.2", port: 8080 }]);
  t.like(svc.targetGroups[0]!.config, { port: 80, protocol: "HTTP", protocolVersion: "HTTP1", ipAddressType: "IPV4" });
  t.deepEqual(svc.sources, [src, "gateway/infra/gw"]);
  const names = new Set(rules.map((x) => x.name));
  t.is(names.size, rules.length);
});

test("a route on two Lattice gateways gets two services with distinct hashed names", (t) => {
  const r = route("HTTPRoute", "default", "web", [{}]);
  r.parents.push({ ...r.parents[0]!, index: 1, gatewayKey: "other/gw" });
  const view = routeCentricView(buildDesiredState(graph([gw(), gw("other", "gw")], [r])), CONTROLLER);
  t.is(view.services.length, 2);
  t.not(view.services[0]!.name, view.services[1]!.name);
  for (const s of view.services) t.regex(s.name, /^web-default-[0-9a-z]{8}$/);
});

test("other controllers are ignored; L4 and unrepresentable matches are reported", (t) => {
  const mine = gateway([listener("http", 80, "HTTP"), listener("tcp", 9000, "TCP")]);
  const theirs = gateway([listener("http", 80, "HTTP")], { namespace: "x", name: "theirs", controllerName: "other/ctrl" });
  const r = route("HTTPRoute", "default", "q", [{ matches: [match("/", "PathPrefix", { queryParams: [{ type: "Exact", name: "a", value: "b" }] })] }]);
  const tcp = route("TCPRoute", "default", "db", [{}], { listeners: [{ name: "tcp", hostnames: [] }] });
  const view = routeCentricView(buildDesiredState(graph([mine, theirs], [r, tcp])), CONTROLLER);
  t.deepEqual(view.services.map((s) => s.gatewayKey), ["infra/gw"]);
  t.deepEqual(view.unsupported.map((u) => u.route), ["httproute/default/q", "tcproute/default/db"]);
});

test("property: service, rule, listener and target group names always within Lattice limits", (t) => {
  const next = rng(7);
  const chars = "abcdefghijklmnopqrstuvwxyz0123456789-.";
  const rand = (n: number) => Array.from({ length: 1 + Math.floor(next() * n) }, () => chars[Math.floor(next() * chars.length)]).join("");
  const routes = Array.from({ length: 200 }, (_, i) => {
    const ns = i % 7 === 0 ? `svc-${rand(20)}` : rand(63);
    const name = rand(253);
    const source = `httproute/${ns}/${name}`;
    return route("HTTPRoute", ns, name, [{ matches: [match(`/${rand(10)}`)], backends: [backend(source, 0, 0, rand(63), { namespace: ns })] }]);
  });
  const view = routeCentricView(buildDesiredState(graph([gw()], routes)), CONTROLLER);
  t.true(view.services.length > 150);
  const svcNames = new Set<string>();
  for (const s of view.services) {
    svcNames.add(s.name);
    t.true(s.name.length >= 3 && s.name.length <= 40 && LATTICE.namePattern.test(s.name) && !s.name.startsWith("svc-"), s.name);
    for (const l of s.listeners) {
      t.true(l.name.length >= 3 && l.name.length <= 63 && LATTICE.namePattern.test(l.name) && !l.name.startsWith("listener-"));
      for (const r of l.rules) t.true(r.name.length >= 3 && r.name.length <= 63 && LATTICE.namePattern.test(r.name) && !r.name.startsWith("rule-"), r.name);
    }
    for (const g of s.targetGroups) t.true(g.name.length >= 3 && g.name.length <= 128 && LATTICE.namePattern.test(g.name) && !g.name.startsWith("tg-"), g.name);
  }
  t.is(svcNames.size, view.services.length);
});

test("deterministic view", (t) => {
  const routes = ["b", "a", "c"].map((n) => route("HTTPRoute", "default", n, [{ matches: [match(`/${n}`)] }]));
  const one = JSON.stringify(routeCentricView(buildDesiredState(graph([gw()], routes)), CONTROLLER));
  const two = JSON.stringify(routeCentricView(buildDesiredState(graph([gw()], [...routes].reverse())), CONTROLLER));
  t.is(one, two);
});

test("HTTPS: the service's certificateArn comes from the listener's tls.options; a Secret-only listener is reported", (t) => {
  const https = (options: Record<string, string>) => listener("https", 443, "HTTPS", {
    tls: { mode: "Terminate", certificates: [], options },
  });
  const r = route("HTTPRoute", "default", "web", [{}], { hostnames: ["web.example.com"], listeners: [{ name: "https", hostnames: ["web.example.com"] }] });
  const arn = "arn:aws:acm:us-east-1:111122223333:certificate/abc";
  const ok = routeCentricView(buildDesiredState(graph([gateway([https({ [LATTICE.certificateArnOption]: arn })])], [r])), CONTROLLER);
  t.is(ok.services[0]!.certificateArn, arn);
  t.deepEqual(ok.unsupported, []);
  const secret = routeCentricView(buildDesiredState(graph([gateway([https({})])], [r])), CONTROLLER);
  t.is(secret.services[0]!.certificateArn, undefined);
  t.deepEqual(secret.unsupported.map((u) => u.message), [
    `HTTPS listener gateway/infra/gw/listener/https: VPC Lattice takes an ACM certificate ARN in tls.options["${LATTICE.certificateArnOption}"], not a Kubernetes Secret`,
  ]);
});

const tlsListener = (mode: "Passthrough" | "Terminate" = "Passthrough", port = 443, name = "tls") =>
  listener(name, port, "TLS", { tls: { mode, certificates: [], options: {} } });

test("TLSRoute on a Passthrough listener: a service with the custom domain, a TLS_PASSTHROUGH listener forwarding to TCP groups", (t) => {
  const src = "tlsroute/default/db";
  const r = route("TLSRoute", "default", "db", [
    { backends: [backend(src, 0, 0, "a", { weight: 3000, port: 5432, protocol: "tls" }), backend(src, 0, 1, "b", { weight: 1000, port: 5432 })] },
    { backends: [backend(src, 1, 0, "c")] },
  ], { hostnames: ["db.example.com"], listeners: [{ name: "tls", hostnames: ["db.example.com"] }] });
  const view = routeCentricView(buildDesiredState(graph([gateway([listener("http", 80, "HTTP"), tlsListener()])], [r])), CONTROLLER);
  t.is(view.services.length, 1);
  const svc = view.services[0]!;
  t.is(svc.name, "db-default");
  t.is(svc.route, src);
  t.is(svc.customDomainName, "db.example.com");
  t.is(svc.certificateArn, undefined);
  t.deepEqual(svc.listeners, [{
    name: "tls-443", port: 443, protocol: "TLS_PASSTHROUGH", certificates: [], rules: [],
    defaultAction: { forward: { targetGroups: [
      { targetGroupKey: "Service/default/a:5432", targetGroupName: svc.targetGroups[0]!.name, weight: 999 },
      { targetGroupKey: "Service/default/b:5432", targetGroupName: svc.targetGroups[1]!.name, weight: 333 },
    ] } },
    sources: ["gateway/infra/gw/listener/tls"],
  }]);
  t.deepEqual(svc.targetGroups.map((g) => [g.key, g.config]), [
    ["Service/default/a:5432", { port: 5432, protocol: "TCP", ipAddressType: "IPV4" }],
    ["Service/default/b:5432", { port: 5432, protocol: "TCP", ipAddressType: "IPV4" }],
  ]);
  t.deepEqual(svc.targetGroups[0]!.targets, [{ id: "10.0.0.1", port: 8080 }, { id: "10.0.0.2", port: 8080 }]);
  // The second rule cannot be told apart from the first: reported, not programmed (no target group for c).
  t.deepEqual(view.unsupported.map((u) => [u.source, u.reason]), [[`${src}/rule/1`, "UnsupportedValue"]]);
  t.regex(view.unsupported[0]!.message, /only its default action: rule 1 is not programmed/);
});

test("TLSRoute without an exact hostname gets no service (TLS passthrough needs a custom domain)", (t) => {
  const wild = route("TLSRoute", "default", "wild", [{}], { hostnames: ["*.example.com"], listeners: [{ name: "tls", hostnames: ["*.example.com"] }] });
  const none = route("TLSRoute", "default", "none", [{}], { listeners: [{ name: "tls", hostnames: [] }] });
  const view = routeCentricView(buildDesiredState(graph([gateway([tlsListener()])], [wild, none])), CONTROLLER);
  t.deepEqual(view.services, []);
  t.deepEqual(view.unsupported.map((u) => u.route), ["tlsroute/default/none", "tlsroute/default/wild"]);
  t.regex(view.unsupported[0]!.message, /needs an exact hostname .* has none/);
  t.regex(view.unsupported[1]!.message, /only \*\.example\.com/);
});

test("TLSRoute on a Terminate listener and TCPRoute on a TLS listener are reported; an HTTPRoute of the same name gets its own service", (t) => {
  const gw = gateway([listener("http", 80, "HTTP"), tlsListener("Terminate", 8443, "term"), tlsListener()]);
  const term = route("TLSRoute", "default", "t", [{}], { hostnames: ["t.example.com"], listeners: [{ name: "term", hostnames: ["t.example.com"] }] });
  const tls = route("TLSRoute", "default", "web", [{}], { hostnames: ["web.example.com"], listeners: [{ name: "tls", hostnames: ["web.example.com"] }] });
  const http = route("HTTPRoute", "default", "web", [{}], { hostnames: ["web.example.com"] });
  const tcp = route("TCPRoute", "default", "raw", [{}], { listeners: [{ name: "tls", hostnames: [] }] });
  const view = routeCentricView(buildDesiredState(graph([gw], [term, tls, http, tcp])), CONTROLLER);
  t.deepEqual(view.services.map((s) => [s.route, s.listeners.map((l) => l.protocol)]).sort(), [
    ["httproute/default/web", ["HTTP"]], ["tlsroute/default/web", ["TLS_PASSTHROUGH"]],
  ]);
  t.not(view.services[0]!.name, view.services[1]!.name);
  t.deepEqual(view.unsupported.map((u) => u.route), ["tcproute/default/raw", "tlsroute/default/t"]);
  t.regex(view.unsupported[1]!.message, /tls\.mode Terminate; VPC Lattice serves TLSRoutes on Passthrough listeners only/);
});
