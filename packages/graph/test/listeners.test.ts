import test from "ava";
import { build, caps, condition, gateway, http, listener, tlsSecret } from "./fixtures/objects.js";
import { LEAF_CERT, LEAF_KEY } from "./fixtures/certs.js";

const GW = "gateway.networking.k8s.io";
const secret = tlsSecret("infra", "cert", LEAF_CERT, LEAF_KEY);
const https = (name: string, port = 443, extra: object = {}) =>
  ({ name, port, protocol: "HTTPS", tls: { certificateRefs: [{ name: "cert" }] }, ...extra });

test("a plain HTTP listener is accepted, resolved, not conflicted and valid", (t) => {
  const gws = build({ Gateway: [gateway("g", [http("web")])] });
  const l = listener(gws, "web");
  t.deepEqual(l.conditions, [
    { type: "Accepted", status: "True", reason: "Accepted", message: "Listener is accepted" },
    { type: "ResolvedRefs", status: "True", reason: "ResolvedRefs", message: "All references are resolved" },
    { type: "Conflicted", status: "False", reason: "NoConflicts", message: "No conflicts" },
  ]);
  t.true(l.valid);
  t.is(l.source, "gateway/infra/g/listener/web");
  t.is(l.gatewayKey, "infra/g");
  t.deepEqual(l.supportedKinds, [{ group: GW, kind: "HTTPRoute" }, { group: GW, kind: "GRPCRoute" }]);
  t.deepEqual(l.allowedNamespaces, { from: "Same" });
  t.is(l.attachedRoutes, 0);
  t.deepEqual(l.certificateRefKeys, []);
});

test("unsupported protocol: Accepted=False UnsupportedProtocol, no supportedKinds", (t) => {
  const gws = build({ Gateway: [gateway("g", [http("web"), { name: "odd", port: 81, protocol: "example.com/odd" }])] }, caps({ protocols: ["HTTP"] }));
  const l = listener(gws, "odd");
  t.deepEqual(condition(l.conditions, "Accepted"), {
    type: "Accepted", status: "False", reason: "UnsupportedProtocol",
    message: 'spec.listeners[1].protocol: "example.com/odd" is not supported by this GatewayClass (supported: HTTP)',
  });
  t.deepEqual(l.supportedKinds, []);
  t.false(l.valid);
  // A class that does not serve a standard protocol rejects it the same way.
  const tcp = listener(build({ Gateway: [gateway("g", [{ name: "t", port: 9000, protocol: "TCP" }])] }, caps({ protocols: ["HTTP"] })), "t");
  t.is(condition(tcp.conditions, "Accepted").reason, "UnsupportedProtocol");
});

test("port outside the class limits or out of range: PortUnavailable", (t) => {
  const gws = build({ Gateway: [gateway("g", [http("a", 8080), http("b", 70000, { hostname: "b.example.com" }), http("c", 80)])] },
    caps({ limits: { ports: [443, 80] } }));
  t.deepEqual(condition(listener(gws, "a").conditions, "Accepted"), {
    type: "Accepted", status: "False", reason: "PortUnavailable",
    message: "spec.listeners[0].port: 8080 is not available on this GatewayClass (allowed: 80, 443)",
  });
  t.is(condition(listener(gws, "b").conditions, "Accepted").message, "spec.listeners[1].port: 70000 is not a port number (1-65535)");
  t.true(listener(gws, "c").valid);
});

test("listeners beyond listenersPerGateway are not accepted", (t) => {
  const gws = build({ Gateway: [gateway("g", [http("a", 80), http("b", 81), http("c", 82)])] }, caps({ limits: { listenersPerGateway: 2 } }));
  t.true(listener(gws, "b").valid);
  t.deepEqual(condition(listener(gws, "c").conditions, "Accepted"), {
    type: "Accepted", status: "False", reason: "UnsupportedValue",
    message: "spec.listeners[2]: this GatewayClass supports at most 2 listeners per Gateway",
  });
});

test("TLS settings that cannot work are UnsupportedValue", (t) => {
  const gws = build({
    Secret: [secret],
    Gateway: [gateway("g", [
      { name: "no-tls", port: 443, protocol: "HTTPS" },
      { name: "tls-on-http", port: 80, protocol: "HTTP", tls: { mode: "Terminate" } },
      { name: "https-pass", port: 8443, protocol: "HTTPS", tls: { mode: "Passthrough" } },
      { name: "bad-mode", port: 9443, protocol: "TLS", tls: { mode: "Bogus" } },
    ])],
  });
  const msg = (n: string) => condition(listener(gws, n).conditions, "Accepted");
  t.deepEqual(msg("no-tls"), { type: "Accepted", status: "False", reason: "UnsupportedValue", message: "spec.listeners[0].tls: required when protocol is HTTPS" });
  t.is(msg("tls-on-http").message, "spec.listeners[1].tls: must not be set when protocol is HTTP");
  t.is(msg("https-pass").message, "spec.listeners[2].tls.mode: must be Terminate when protocol is HTTPS");
  t.is(msg("bad-mode").message, 'spec.listeners[3].tls.mode: "Bogus" is not one of Terminate, Passthrough');
});

test("TLS Terminate on a class that only passes through: UnsupportedValue (conformance)", (t) => {
  const gws = build({
    Secret: [secret],
    Gateway: [gateway("g", [{ name: "tls-terminate", port: 443, protocol: "TLS", tls: { mode: "Terminate", certificateRefs: [{ name: "cert" }] } }])],
  }, caps({ tlsModes: ["Passthrough"] }));
  t.deepEqual(condition(listener(gws, "tls-terminate").conditions, "Accepted"), {
    type: "Accepted", status: "False", reason: "UnsupportedValue",
    message: "spec.listeners[0].tls.mode: Terminate is not supported by this GatewayClass (supported: Passthrough)",
  });
});

test("TLS Passthrough needs no certificate and ignores certificateRefs", (t) => {
  const gws = build({ Gateway: [gateway("g", [{ name: "pass", port: 443, protocol: "TLS", tls: { mode: "Passthrough", certificateRefs: [{ name: "missing" }] } }])] });
  const l = listener(gws, "pass");
  t.true(l.valid);
  t.deepEqual(l.tls, { mode: "Passthrough", certificates: [], options: {} });
  t.deepEqual(l.certificateRefKeys, []);
  t.deepEqual(l.supportedKinds, [{ group: GW, kind: "TLSRoute" }]);
});

test("HTTPS terminate: certificates resolved, options kept (strings only)", (t) => {
  const gws = build({ Secret: [secret], Gateway: [gateway("g", [https("s", 443, { tls: { certificateRefs: [{ name: "cert" }], options: { "example.com/min": "1.2", bad: 3 } } })])] });
  const l = listener(gws, "s");
  t.true(l.valid);
  t.is(l.tls?.mode, "Terminate");
  t.is(l.tls?.certificates.length, 1);
  t.deepEqual(l.tls?.options, { "example.com/min": "1.2" });
  t.deepEqual(l.certificateRefKeys, ["infra/cert"]);
});

test("hostname is kept for HTTP/HTTPS/TLS, ignored for TCP/UDP, validated", (t) => {
  const gws = build({
    Gateway: [gateway("g", [
      http("h", 80, { hostname: "*.example.com" }),
      { name: "t", port: 9000, protocol: "TCP", hostname: "ignored.example.com" },
      { name: "u", port: 9000, protocol: "UDP", hostname: "Not Valid" },
      http("bad", 81, { hostname: "10.0.0.1" }),
    ])],
  });
  t.is(listener(gws, "h").hostname, "*.example.com");
  t.is(listener(gws, "t").hostname, undefined);
  t.true(listener(gws, "u").valid);
  t.deepEqual(condition(listener(gws, "bad").conditions, "Accepted"), {
    type: "Accepted", status: "False", reason: "UnsupportedValue", message: 'spec.listeners[3].hostname: "10.0.0.1" is not a valid hostname',
  });
});

test("default kinds follow the protocol and the class's route kinds", (t) => {
  const gws = build({
    Gateway: [gateway("g", [http("h"), { name: "t", port: 9000, protocol: "TCP" }, { name: "u", port: 9000, protocol: "UDP" }])],
  }, caps({ routeKinds: ["HTTPRoute", "TCPRoute"] }));
  t.deepEqual(listener(gws, "h").supportedKinds, [{ group: GW, kind: "HTTPRoute" }]);
  t.deepEqual(listener(gws, "t").supportedKinds, [{ group: GW, kind: "TCPRoute" }]);
  const u = listener(gws, "u");
  t.deepEqual(u.supportedKinds, []);
  t.deepEqual(condition(u.conditions, "ResolvedRefs"), {
    type: "ResolvedRefs", status: "False", reason: "InvalidRouteKinds",
    message: "spec.listeners[2]: this GatewayClass supports no route kind for protocol UDP",
  });
  t.false(u.valid);
});

test("only invalid kinds: InvalidRouteKinds, empty supportedKinds, not valid (conformance)", (t) => {
  const gws = build({ Gateway: [gateway("g", [http("http", 80, { allowedRoutes: { kinds: [{ kind: "InvalidRoute" }] } })])] });
  const l = listener(gws, "http");
  t.deepEqual(l.supportedKinds, []);
  t.deepEqual(condition(l.conditions, "ResolvedRefs"), {
    type: "ResolvedRefs", status: "False", reason: "InvalidRouteKinds",
    message: 'spec.listeners[0].allowedRoutes.kinds[0].kind: "InvalidRoute" is not a supported route kind',
  });
  t.is(condition(l.conditions, "Accepted").status, "True");
  t.false(l.valid);
  t.is(gws[0]!.conditions[0]!.reason, "ListenersNotValid");
  t.is(gws[0]!.conditions[0]!.status, "False");
});

test("valid and invalid kinds: only valid ones listed, listener stays usable", (t) => {
  const gws = build({
    Gateway: [gateway("g", [http("http", 80, {
      allowedRoutes: { kinds: [{ kind: "InvalidRoute" }, { kind: "HTTPRoute" }, { group: "example.com", kind: "HTTPRoute" }, { kind: "TCPRoute" }, { kind: "HTTPRoute" }] },
    })])],
  }, caps({ routeKinds: ["HTTPRoute", "TCPRoute"] }));
  const l = listener(gws, "http");
  t.deepEqual(l.supportedKinds, [{ group: GW, kind: "HTTPRoute" }]);
  t.deepEqual(condition(l.conditions, "ResolvedRefs"), {
    type: "ResolvedRefs", status: "False", reason: "InvalidRouteKinds",
    message: [
      'spec.listeners[0].allowedRoutes.kinds[0].kind: "InvalidRoute" is not a supported route kind',
      'spec.listeners[0].allowedRoutes.kinds[2].group: "example.com" is not gateway.networking.k8s.io',
      "spec.listeners[0].allowedRoutes.kinds[3].kind: TCPRoute cannot attach to a HTTP listener (compatible: HTTPRoute, GRPCRoute)",
    ].join("; "),
  });
  t.true(l.valid);
});

test("a kind the class does not serve is invalid", (t) => {
  const gws = build({ Gateway: [gateway("g", [http("h", 80, { allowedRoutes: { kinds: [{ kind: "GRPCRoute" }] } })])] }, caps({ routeKinds: ["HTTPRoute"] }));
  t.is(condition(listener(gws, "h").conditions, "ResolvedRefs").message,
    "spec.listeners[0].allowedRoutes.kinds[0].kind: GRPCRoute is not supported by this GatewayClass");
});

test("allowedRoutes.namespaces errors are UnsupportedValue with the field path", (t) => {
  const gws = build({
    Gateway: [gateway("g", [
      http("a", 80, { allowedRoutes: { namespaces: { from: "None" } } }),
      http("b", 81, { allowedRoutes: { namespaces: { from: "Selector" } } }),
      http("c", 82, { allowedRoutes: { namespaces: { from: "Selector", selector: { matchExpressions: [{ key: "k", operator: "Gt", values: ["1"] }, { key: "k", operator: "In" }] } } } }),
      http("d", 83, { allowedRoutes: { namespaces: { from: "Selector", selector: { matchLabels: { env: "prod" }, matchExpressions: [{ key: "tier", operator: "Exists" }] } } } }),
    ])],
  });
  t.is(condition(listener(gws, "a").conditions, "Accepted").message, 'spec.listeners[0].allowedRoutes.namespaces.from: "None" is not one of All, Same, Selector');
  t.is(condition(listener(gws, "b").conditions, "Accepted").message, "spec.listeners[1].allowedRoutes.namespaces.selector: required when from is Selector");
  t.is(condition(listener(gws, "c").conditions, "Accepted").message, [
    'spec.listeners[2].allowedRoutes.namespaces.selector.matchExpressions[0].operator: "Gt" is not one of In, NotIn, Exists, DoesNotExist',
    "spec.listeners[2].allowedRoutes.namespaces.selector.matchExpressions[1].values: must be non-empty for operator In",
  ].join("; "));
  t.deepEqual(listener(gws, "d").allowedNamespaces, {
    from: "Selector", matchLabels: { env: "prod" }, matchExpressions: [{ key: "tier", operator: "Exists", values: [] }],
  });
  t.true(listener(gws, "d").valid);
});

test("overlapping HTTPS hostnames on one port: OverlappingTLSConfig=True on each, listeners stay valid", (t) => {
  const gws = build({ Secret: [secret], Gateway: [gateway("g", [
    https("wild", 443, { hostname: "*.example.com" }),
    https("foo", 443, { hostname: "foo.example.com" }),
    https("other", 443, { hostname: "bar.example.org" }),
    https("elsewhere", 8443, { hostname: "foo.example.com" }),
  ])] });
  const overlap = (name: string) => listener(gws, name).conditions.find((c) => c.type === "OverlappingTLSConfig");
  t.deepEqual(overlap("wild"), {
    type: "OverlappingTLSConfig", status: "True", reason: "OverlappingHostnames",
    message: "spec.listeners[0]: hostname overlaps HTTPS listeners foo on port 443; clients may reuse one HTTP/2 connection across them",
  });
  t.like(overlap("foo"), { status: "True", reason: "OverlappingHostnames" });
  t.is(overlap("other"), undefined);
  t.is(overlap("elsewhere"), undefined);
  t.true(listener(gws, "wild").valid);
  t.true(listener(gws, "foo").valid);
});

test("Terminate with no certificateRefs: accepted when the class declares a certificate option and it is set", (t) => {
  const arn = "example.com/certificate-arn";
  const l = (options: object) => ({ name: "s", port: 443, protocol: "HTTPS", tls: { mode: "Terminate", options } });
  const withOption = listener(build({ Gateway: [gateway("g", [l({ [arn]: "arn:1" })])] }, caps({ certificateOptions: [arn] })), "s");
  t.true(withOption.valid);
  t.deepEqual(withOption.tls?.options, { [arn]: "arn:1" });
  const without = listener(build({ Gateway: [gateway("g", [l({})])] }, caps({ certificateOptions: [arn] })), "s");
  t.false(without.valid);
  t.deepEqual(without.conditions.find((c) => c.type === "ResolvedRefs"), {
    type: "ResolvedRefs", status: "False", reason: "InvalidCertificateRef",
    message: `spec.listeners[0].tls.certificateRefs: at least one certificate (or tls.options ${arn}) is required when mode is Terminate`,
  });
});
