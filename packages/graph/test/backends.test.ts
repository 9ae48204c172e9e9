import test from "ava";
import { FEATURE } from "@gatehouse/model";
import {
  WEB, capsWithout, gatewayClass, httpRoute, only, route, run, service, slice, toGw,
} from "./route-helpers.js";
import { Endpoints } from "../src/backends/endpoints.js";

const rule = (backendRefs: unknown[]) => [{ backendRefs }];
const backends = (objects: NonNullable<Parameters<typeof run>[0]>["objects"]) => only(run({ objects }).routes);

test("a Service backend resolves with endpoints, default weight 1, source path", (t) => {
  const r = backends({ ...objs(WEB), HTTPRoute: [httpRoute("r", rule([{ name: "web", port: 80 }]))] });
  const b = only(only(r.rules).backends);
  t.deepEqual(b, {
    source: "httproute/default/r/rule/0/backend/0", group: "", kind: "Service", namespace: "default", name: "web", port: 80,
    weight: 1, valid: true, protocol: "http", serviceKey: "default/web", filters: [],
    endpoints: [{ address: "10.0.0.1", port: 8080, family: "IPv4", ready: true, serving: true, terminating: false }],
  });
});

test("weight 0 is kept; an invalid weight drops the rule", (t) => {
  const r = backends({ ...objs(WEB), HTTPRoute: [httpRoute("r", [
    { backendRefs: [{ name: "web", port: 80, weight: 0 }, { name: "web", port: 80, weight: 3 }] },
    { backendRefs: [{ name: "web", port: 80, weight: -1 }] },
  ])] });
  t.deepEqual(r.rules[0]!.backends.map((b) => b.weight), [0, 3]);
  t.deepEqual(r.rules[1]!.invalid, { reason: "UnsupportedValue", message: "spec.rules[1].backendRefs[0].weight: -1 is not an integer from 0 to 1000000" });
});

test("ResolvedRefs=False: first reason, every failure in the message", (t) => {
  const r = backends({
    ...objs(WEB),
    HTTPRoute: [httpRoute("r", [
      { backendRefs: [{ name: "missing", port: 80 }, { group: "example.com", kind: "Bucket", name: "b" }] },
      { backendRefs: [{ name: "web" }, { name: "web", port: 81 }, { name: "web", port: 80, namespace: "other" }] },
    ])],
  });
  const [a, b] = r.rules;
  t.deepEqual(a!.backends.map((x) => [x.valid, x.reason]), [[false, "BackendNotFound"], [false, "InvalidKind"]]);
  t.deepEqual(b!.backends.map((x) => x.reason), ["BackendNotFound", "BackendNotFound", "RefNotPermitted"]);
  t.is(a!.backends[1]!.serviceKey, undefined);
  t.is(a!.backends[0]!.serviceKey, "default/missing", "watched so it resolves once created");
  t.deepEqual(r.parents[0]!.conditions[1], {
    type: "ResolvedRefs", status: "False", reason: "BackendNotFound",
    message: [
      "spec.rules[0].backendRefs[0]: Service default/missing not found",
      'spec.rules[0].backendRefs[1]: "Bucket" in group "example.com" is not a supported backend kind (only core Service)',
      "spec.rules[1].backendRefs[0].port: required when referring to a Service (got undefined)",
      "spec.rules[1].backendRefs[1].port: Service default/web has no port 81",
      "spec.rules[1].backendRefs[2]: Service other/web is in another namespace and no ReferenceGrant in other allows HTTPRoute from default to refer to it",
    ].join("; "),
  });
  t.is(r.parents[0]!.conditions[0]!.status, "True", "bad refs do not affect Accepted");
  t.is(r.rules[0]!.invalid, undefined, "bad refs do not drop the rule (their share gets 500)");
});

test("group core is the core group", (t) => {
  const r = backends({ ...objs(WEB), HTTPRoute: [httpRoute("r", rule([{ group: "core", kind: "Service", name: "web", port: 80 }]))] });
  t.true(r.rules[0]!.backends[0]!.valid);
});

test("cross-namespace backend with a ReferenceGrant from the route kind resolves", (t) => {
  const grant = (fromKind: string) => ({
    kind: "ReferenceGrant", metadata: { name: "g", namespace: "other" },
    spec: { from: [{ group: "gateway.networking.k8s.io", kind: fromKind, namespace: "default" }], to: [{ group: "", kind: "Service" }] },
  });
  const objects = (k: string) => ({
    Service: [service("web", [{ port: 80 }], { namespace: "other" })], ReferenceGrant: [grant(k)],
    HTTPRoute: [httpRoute("r", rule([{ name: "web", namespace: "other", port: 80 }]))],
  });
  t.true(backends(objects("HTTPRoute")).rules[0]!.backends[0]!.valid);
  t.is(backends(objects("GRPCRoute")).rules[0]!.backends[0]!.reason, "RefNotPermitted");
});

test("appProtocol maps to the data plane protocol", (t) => {
  const svc = service("s", [
    { port: 1, appProtocol: "kubernetes.io/h2c" }, { port: 2, appProtocol: "kubernetes.io/ws" },
    { port: 3, appProtocol: "kubernetes.io/wss" }, { port: 4, appProtocol: "https" }, { port: 5, appProtocol: "example.com/custom" },
    { port: 6 },
  ]);
  const refs = [1, 2, 3, 4, 5, 6].map((port) => ({ name: "s", port }));
  const http = backends({ Service: [svc], HTTPRoute: [httpRoute("r", rule(refs))] });
  t.deepEqual(http.rules[0]!.backends.map((b) => b.protocol), ["h2c", "ws", "https", "https", "http", "http"]);
  const grpc = backends({ Service: [svc], GRPCRoute: [route("GRPCRoute", "g", { parentRefs: [toGw()], rules: rule(refs) })] });
  t.deepEqual(grpc.rules[0]!.backends.map((b) => b.protocol), ["h2c", "h2c", "h2c", "https", "h2c", "h2c"]);
  t.deepEqual(grpc.rules[0]!.backends.map((b) => b.reason), [undefined, "UnsupportedProtocol", "UnsupportedProtocol", undefined, undefined, undefined]);
  t.is(grpc.rules[0]!.backends[1]!.message,
    'spec.rules[0].backendRefs[1]: Service default/s port 2 has appProtocol "kubernetes.io/ws", a WebSocket backend cannot serve gRPC');
});

test("h2c and WebSocket backends need the class features (UnsupportedProtocol)", (t) => {
  const { routes } = run({
    classes: [gatewayClass("gh", capsWithout(FEATURE.HTTPRouteBackendProtocolH2C, FEATURE.HTTPRouteBackendProtocolWebSocket))],
    objects: {
      Service: [service("s", [{ port: 1, appProtocol: "kubernetes.io/h2c" }, { port: 2, appProtocol: "kubernetes.io/ws" }])],
      HTTPRoute: [httpRoute("r", rule([{ name: "s", port: 1 }, { name: "s", port: 2 }]))],
    },
  });
  const r = only(routes);
  t.deepEqual(r.parents[0]!.conditions[1], {
    type: "ResolvedRefs", status: "False", reason: "UnsupportedProtocol",
    message: 'spec.rules[0].backendRefs[0]: Service default/s port 1 has appProtocol "kubernetes.io/h2c", HTTP/2 cleartext (h2c) backends are not supported by gatehouse.dev/test; '
      + 'spec.rules[0].backendRefs[1]: Service default/s port 2 has appProtocol "kubernetes.io/ws", WebSocket backends are not supported by gatehouse.dev/test',
  });
});

test("backendsPerRule drops the rule; weights are not limited by capabilities (views scale them)", (t) => {
  const c = gatewayClass("gh", { ...capsWithout(), limits: { backendsPerRule: 2 } });
  const { routes } = run({
    classes: [c],
    objects: { ...objs(WEB), HTTPRoute: [httpRoute("r", [
      { backendRefs: [{ name: "web", port: 80 }, { name: "web", port: 80 }, { name: "web", port: 80 }] },
      { backendRefs: [{ name: "web", port: 80, weight: 600 }, { name: "web", port: 80, weight: 600 }] },
    ])] },
  });
  t.deepEqual(only(routes).rules.map((r) => r.invalid?.message), [
    "spec.rules[0].backendRefs: 3 backends exceed the 2 per rule supported by gatehouse.dev/test",
    undefined,
  ]);
});

test("filter types a class cannot program, header-match and hostname limits are reported with field paths", (t) => {
  const c = gatewayClass("gh", { ...capsWithout(), filters: ["RequestRedirect"], limits: { headerMatchesPerMatch: 2, hostnamesPerRoute: 1 } });
  const headers = ["a", "b", "c"].map((name) => ({ name, value: "1" }));
  const route = httpRoute("r", [
    { filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x", value: "1" }] } }], backendRefs: [{ name: "web", port: 80 }] },
    { matches: [{ headers }], backendRefs: [{ name: "web", port: 80 }] },
    { backendRefs: [{ name: "web", port: 80 }] },
  ]) as { spec: Record<string, unknown> };
  const { routes } = run({ classes: [c], objects: { ...objs(WEB), HTTPRoute: [route] } });
  t.deepEqual(only(routes).rules.map((r) => r.invalid?.message), [
    "spec.rules[0].filters[0].type: RequestHeaderModifier filters are not supported by gatehouse.dev/test",
    "spec.rules[1].matches[0].headers: 3 header matches exceed the 2 per match supported by gatehouse.dev/test",
    undefined,
  ]);
  route.spec.hostnames = ["a.example.com", "b.example.com"];
  const two = run({ classes: [c], objects: { ...objs(WEB), HTTPRoute: [route] } });
  t.like(only(two.routes).parents[0]!.conditions[0], {
    status: "False", reason: "UnsupportedValue",
    message: "spec.hostnames: 2 hostnames exceed the 1 per route supported by gatehouse.dev/test",
  });
});

test("ExternalName Service: one FQDN endpoint", (t) => {
  const r = backends({
    Service: [service("ext", [{ port: 443 }], { spec: { type: "ExternalName", externalName: "api.example.com" } })],
    HTTPRoute: [httpRoute("r", rule([{ name: "ext", port: 443 }]))],
  });
  t.deepEqual(r.rules[0]!.backends[0]!.endpoints, [{ address: "api.example.com", port: 443, family: "FQDN", ready: true, serving: true, terminating: false }]);
});

test("endpoints: port name matching, conditions, dual stack, dedupe and order", (t) => {
  const slices = [
    slice("s-v6", "web", { addressType: "IPv6", ports: [{ name: "http", port: 8080 }], endpoints: [{ addresses: ["fd00::1"], zone: "a" }] }),
    slice("s-a", "web", {
      ports: [{ name: "http", port: 8080 }, { name: "admin", port: 9000 }],
      endpoints: [
        { addresses: ["10.0.0.2"], conditions: { ready: false, serving: true, terminating: true }, nodeName: "n1" },
        { addresses: ["10.0.0.1"], conditions: { ready: false } },
      ],
    }),
    slice("s-b", "web", { ports: [{ name: "http", port: 8080 }], endpoints: [{ addresses: ["10.0.0.1"], conditions: { ready: true }, hostname: "pod-1" }] }),
    slice("s-other-port", "web", { ports: [{ name: "metrics", port: 9100 }], endpoints: [{ addresses: ["10.0.0.9"] }] }),
    slice("s-other-svc", "api", { endpoints: [{ addresses: ["10.0.0.8"] }] }),
    slice("s-bad-family", "web", { addressType: "Unknown", endpoints: [{ addresses: ["x"] }] }),
    { kind: "EndpointSlice", metadata: { name: "unlabelled", namespace: "default" }, addressType: "IPv4", ports: [{ name: "http", port: 1 }], endpoints: [{ addresses: ["10.9.9.9"] }] },
  ];
  const e = new Endpoints(slices as never);
  t.deepEqual(e.forPort("default", "web", "http"), [
    { address: "10.0.0.1", port: 8080, family: "IPv4", ready: true, serving: true, terminating: false, hostname: "pod-1" },
    { address: "10.0.0.2", port: 8080, family: "IPv4", ready: false, serving: true, terminating: true, nodeName: "n1" },
    { address: "fd00::1", port: 8080, family: "IPv6", ready: true, serving: true, terminating: false, zone: "a" },
  ]);
  t.deepEqual(e.forPort("default", "web", "admin").map((x) => x.address), ["10.0.0.1", "10.0.0.2"]);
  t.deepEqual(e.forPort("default", "web", ""), []);
  t.deepEqual(e.forPort("default", "api", "http").map((x) => x.address), ["10.0.0.8"]);
});

test("an unnamed Service port matches the unnamed slice port", (t) => {
  const r = backends({
    Service: [service("s", [{ port: 80, targetPort: 3000 }])],
    EndpointSlice: [slice("s-1", "s", { ports: [{ port: 3000 }], endpoints: [{ addresses: ["10.1.1.1"] }] })],
    HTTPRoute: [httpRoute("r", rule([{ name: "s", port: 80 }]))],
  });
  t.deepEqual(r.rules[0]!.backends[0]!.endpoints.map((x) => `${x.address}:${x.port}`), ["10.1.1.1:3000"]);
});

function objs(list: { kind?: string }[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const o of list) (out[o.kind!] ??= []).push(o);
  return out;
}

test("a BackendTLSPolicy on the Service port attaches TLS and upgrades http to https", (t) => {
  const policy = {
    kind: "BackendTLSPolicy", metadata: { name: "p", namespace: "default", creationTimestamp: "2024-01-01T00:00:00Z" },
    spec: { targetRefs: [{ group: "", kind: "Service", name: "s", sectionName: "tls" }], validation: { hostname: "s.example.com", wellKnownCACertificates: "System" } },
  };
  const objects = {
    Service: [service("s", [{ name: "tls", port: 443 }, { name: "plain", port: 80 }])],
    BackendTLSPolicy: [policy],
    HTTPRoute: [httpRoute("r", rule([{ name: "s", port: 443 }, { name: "s", port: 80 }]))],
  };
  const [tls, plain] = only(run({ objects }).routes).rules[0]!.backends;
  t.is(tls!.protocol, "https");
  t.is(tls!.tls?.hostname, "s.example.com");
  t.is(tls!.tls?.policy, "backendtlspolicy/default/p");
  t.is(plain!.protocol, "http");
  t.is(plain!.tls, undefined);

  const without = run({ objects, classes: [gatewayClass("gh", capsWithout(FEATURE.BackendTLSPolicy))] });
  t.is(only(without.routes).rules[0]!.backends[0]!.tls, undefined, "a class without BackendTLSPolicy support gets no TLS settings");
});
