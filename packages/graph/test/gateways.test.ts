import test from "ava";
import { buildGatewayClasses } from "../src/gateways/gatewayclasses.js";
import { buildGateways } from "../src/gateways/gateways.js";
import { ReferenceGrants } from "../src/refs.js";
import { CONTROLLER, build, caps, gateway, gatewayClass, http, snapshot } from "./fixtures/objects.js";

test("Gateways of other classes are ignored; ours are sorted by key", (t) => {
  const other = { ...gateway("z", [http("a")]), spec: { gatewayClassName: "not-ours", listeners: [http("a")] } };
  const gws = build({ Gateway: [gateway("b", [http("a")]), other, gateway("a", [http("a")], {}, "zz"), gateway("a", [http("a")])] });
  t.deepEqual(gws.map((g) => g.key), ["infra/a", "infra/b", "zz/a"]);
  const g = gws[0]!;
  t.is(g.source, "gateway/infra/a");
  t.is(g.className, "gh");
  t.is(g.controllerName, CONTROLLER);
  t.is(g.generation, 3);
  t.true(g.accepted);
  t.deepEqual(g.conditions, [{ type: "Accepted", status: "True", reason: "Accepted", message: "Gateway is accepted" }]);
  t.deepEqual(g.addresses, []);
  t.is(g.infrastructure, undefined);
});

test("a Gateway of an unaccepted class of ours gets Accepted=False Invalid and serves nothing", (t) => {
  const s = snapshot({ GatewayClass: [gatewayClass("gh", CONTROLLER, { parametersRef: { group: "", kind: "ConfigMap", name: "p" } })], Gateway: [gateway("g", [http("a")])] });
  const gws = buildGateways({ snapshot: s, gatewayClasses: buildGatewayClasses(s.GatewayClass, [caps()]), grants: new ReferenceGrants([]) });
  t.deepEqual(gws[0]!.conditions[0], {
    type: "Accepted", status: "False", reason: "Invalid",
    message: `GatewayClass gh is not accepted: spec.parametersRef: ${CONTROLLER} takes no parameters; remove parametersRef`,
  });
  t.false(gws[0]!.accepted);
  t.false(gws[0]!.listeners[0]!.valid);
});

test("infrastructure.parametersRef: Accepted=False InvalidParameters; labels and annotations are copied", (t) => {
  const [g] = build({ Gateway: [gateway("g", [http("a")], { infrastructure: { parametersRef: { group: "", kind: "ConfigMap", name: "p" }, labels: { a: "1", n: 2 }, annotations: { b: "2" } } })] });
  t.deepEqual(g!.conditions[0], {
    type: "Accepted", status: "False", reason: "InvalidParameters",
    message: `spec.infrastructure.parametersRef: ${CONTROLLER} takes no parameters; remove parametersRef`,
  });
  t.deepEqual(g!.infrastructure, { labels: { a: "1" }, annotations: { b: "2" } });
});

test("spec.tls the class cannot honour rejects the Gateway (never served less securely than asked)", (t) => {
  const tls = { frontend: { default: { validation: { caCertificateRefs: [{ name: "ca" }] } } }, backend: { clientCertificateRef: { name: "c" } } };
  const [g] = build({ Gateway: [gateway("g", [http("a")], { tls })] });
  t.deepEqual(g!.conditions[0], {
    type: "Accepted", status: "False", reason: "Invalid",
    message: `spec.tls.frontend: client certificate validation is not supported by ${CONTROLLER}; spec.tls.backend: a client certificate towards backends is not supported by ${CONTROLLER}`,
  });
  t.false(g!.listeners[0]!.valid);
  const [ok] = build({ Gateway: [gateway("g", [http("a")], { tls })] },
    caps({ features: ["GatewayFrontendClientCertificateValidation", "GatewayBackendClientCertificate"] }));
  t.like(ok!.conditions[0], { status: "True" });
});

test("addresses need GatewayStaticAddresses; types and values are checked", (t) => {
  const addrs = { addresses: [{ value: "10.0.0.1" }, { type: "Hostname", value: "lb.example.com" }] };
  const [no] = build({ Gateway: [gateway("g", [http("a")], addrs)] });
  t.deepEqual(no!.conditions[0], {
    type: "Accepted", status: "False", reason: "UnsupportedAddress",
    message: "spec.addresses: this GatewayClass does not support requesting addresses (GatewayStaticAddresses)",
  });
  const c = caps({ features: ["GatewayStaticAddresses"] });
  const [yes] = build({ Gateway: [gateway("g", [http("a")], addrs)] }, c);
  t.true(yes!.accepted);
  t.deepEqual(yes!.addresses, [{ type: "IPAddress", value: "10.0.0.1" }, { type: "Hostname", value: "lb.example.com" }]);
  const [bad] = build({ Gateway: [gateway("g", [http("a")], { addresses: [{ type: "test/fake-invalid-type", value: "x" }, { value: "nope" }, { type: "NamedAddress" }] })] }, c);
  t.deepEqual(bad!.conditions[0], {
    type: "Accepted", status: "False", reason: "UnsupportedAddress",
    message: [
      'spec.addresses[0].type: "test/fake-invalid-type" is not supported (supported: IPAddress, Hostname, NamedAddress)',
      'spec.addresses[1].value: "nope" is not an IP address',
      "spec.addresses[2].value: an empty value is not supported (GatewayAddressEmpty)",
    ].join("; "),
  });
});

test("listeners without a usable or unique name are reported on the Gateway", (t) => {
  const [g] = build({ Gateway: [gateway("g", [http("a"), { port: 81, protocol: "HTTP" }, http("a", 82)])] });
  t.deepEqual(g!.listeners.map((l) => l.name), ["a"]);
  t.deepEqual(g!.conditions[0], {
    type: "Accepted", status: "True", reason: "ListenersNotValid",
    message: 'Valid listeners: a. Invalid listeners: spec.listeners[1].name: required; spec.listeners[2].name: "a" is already used by spec.listeners[0]',
  });
});

test("no listeners at all: Accepted=False ListenersNotValid", (t) => {
  const [g] = build({ Gateway: [{ metadata: { name: "g", namespace: "infra" }, spec: { gatewayClassName: "gh" } } as any] });
  t.deepEqual(g!.conditions[0], {
    type: "Accepted", status: "False", reason: "ListenersNotValid",
    message: "No valid listeners. spec.listeners: must be a list with at least one listener",
  });
});

test("only unsupported protocols: Gateway Accepted=False ListenersNotValid (conformance)", (t) => {
  const [g] = build({ Gateway: [gateway("g", [{ name: "invalid", port: 80, protocol: "example.com/x" }])] });
  t.deepEqual(g!.conditions[0], {
    type: "Accepted", status: "False", reason: "ListenersNotValid",
    message: "No valid listeners. invalid: Accepted=False (UnsupportedProtocol)",
  });
});

test("junk input never throws and yields no node for unnamed objects", (t) => {
  const junk: any[] = [null, 3, "x", { metadata: null }, { metadata: { name: "j", namespace: "n" }, spec: "nope" },
    { metadata: { name: "k", namespace: "n" }, spec: { gatewayClassName: "gh", listeners: [null, 5, { name: 7 }, { name: "x", port: "80", protocol: 1, tls: [], allowedRoutes: { kinds: "x", namespaces: [] } }] } }];
  const gws = build({ Gateway: junk, Secret: [null as any, { metadata: { name: "s" } } as any] });
  t.deepEqual(gws.map((g) => g.key), ["n/k"]);
  t.is(gws[0]!.listeners.length, 1);
  t.false(gws[0]!.listeners[0]!.valid);
});

test("output does not depend on input order", (t) => {
  const a = [gateway("a", [http("x")]), gateway("b", [http("y"), http("z", 81)])];
  t.deepEqual(JSON.stringify(build({ Gateway: a })), JSON.stringify(build({ Gateway: [...a].reverse() })));
});
