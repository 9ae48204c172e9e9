import test from "ava";
import { buildGatewayClasses, supportedFeatures } from "../src/gateways/gatewayclasses.js";
import { buildGateways } from "../src/gateways/gateways.js";
import { ReferenceGrants } from "../src/refs.js";
import { CONTROLLER, caps, gateway, gatewayClass, snapshot } from "./fixtures/objects.js";

test("only classes of our controllers become nodes, sorted by name", (t) => {
  const nodes = buildGatewayClasses(
    [gatewayClass("zeta"), gatewayClass("other", "example.com/other"), gatewayClass("alpha"), { metadata: {} } as any, null as any],
    [caps()],
  );
  t.deepEqual(nodes.map((n) => n.name), ["alpha", "zeta"]);
  t.is(nodes[0]!.source, "gatewayclass/alpha");
  t.is(nodes[0]!.generation, 2);
  t.is(nodes[0]!.capabilities.controllerName, CONTROLLER);
});

test("accepted class: Accepted and SupportedVersion are True", (t) => {
  const [n] = buildGatewayClasses([gatewayClass("gh")], [caps()]);
  t.true(n!.accepted);
  t.deepEqual(n!.conditions, [
    { type: "Accepted", status: "True", reason: "Accepted", message: `GatewayClass is accepted by ${CONTROLLER}` },
    { type: "SupportedVersion", status: "True", reason: "SupportedVersion", message: "Gateway API v1.6 is supported" },
  ]);
});

test("parametersRef is rejected with InvalidParameters", (t) => {
  const [n] = buildGatewayClasses([gatewayClass("gh", CONTROLLER, { parametersRef: { group: "", kind: "ConfigMap", name: "x", namespace: "y" } })], [caps()]);
  t.false(n!.accepted);
  t.deepEqual(n!.conditions[0], {
    type: "Accepted", status: "False", reason: "InvalidParameters",
    message: `spec.parametersRef: ${CONTROLLER} takes no parameters; remove parametersRef`,
  });
  t.is(n!.conditions[1]!.type, "SupportedVersion");
});

test("the first capabilities entry for a controllerName wins", (t) => {
  const [n] = buildGatewayClasses([gatewayClass("gh")], [caps({ features: ["A"] }), caps({ features: ["B"] })]);
  t.deepEqual(n!.capabilities.features, ["A"]);
});

test("supportedFeatures: core, route kinds, implied TLS terminate, declared upstream features (not gatehouse's own); sorted and deduplicated", (t) => {
  t.deepEqual(
    supportedFeatures(caps({ routeKinds: ["HTTPRoute", "TLSRoute"], features: ["HTTPRouteQueryParamMatching", "HTTPRoute", "Gateway", "HTTPRoutePathRegularExpression"] })),
    ["Gateway", "HTTPRoute", "HTTPRouteQueryParamMatching", "ReferenceGrant", "TLSRoute", "TLSRouteModeTerminate"],
  );
  t.deepEqual(supportedFeatures(caps({ routeKinds: ["TLSRoute"], tlsModes: ["Passthrough"] })), ["Gateway", "ReferenceGrant", "TLSRoute"]);
  t.deepEqual(supportedFeatures(caps({ routeKinds: ["GRPCRoute", "TCPRoute", "UDPRoute"] })), ["GRPCRoute", "Gateway", "ReferenceGrant", "TCPRoute", "UDPRoute"]);
});

const LPC = { group: "gatehouse.dev", kind: "LocalProxyConfig" };
const lpc = (namespace: string, name: string, spec: unknown = { service: { type: "ClusterIP" } }): any =>
  ({ apiVersion: "gatehouse.dev/v1alpha1", kind: "LocalProxyConfig", metadata: { namespace, name }, spec });
const withRef = (ref: unknown) => gatewayClass("gh", CONTROLLER, { parametersRef: ref });
const classOf = (ref: unknown, objs: any[] = [lpc("infra", "p")], c = caps({ parameters: [LPC] })) =>
  buildGatewayClasses([withRef(ref)], [c], snapshot({ LocalProxyConfig: objs }))[0]!;

test("parametersRef to a declared kind that exists: accepted, resolved object on the node", (t) => {
  const n = classOf({ group: "gatehouse.dev", kind: "LocalProxyConfig", name: "p", namespace: "infra" });
  t.true(n.accepted);
  t.is(n.conditions[0]!.reason, "Accepted");
  t.deepEqual(n.parameters, {
    group: "gatehouse.dev", kind: "LocalProxyConfig", name: "p", namespace: "infra",
    source: "localproxyconfig/infra/p", spec: { service: { type: "ClusterIP" } },
  });
});

test("parametersRef problems: InvalidParameters naming the field", (t) => {
  const msg = (ref: unknown, objs?: any[]) => {
    const n = classOf(ref, objs);
    t.false(n.accepted);
    t.is(n.parameters, undefined);
    t.is(n.conditions[0]!.reason, "InvalidParameters");
    return n.conditions[0]!.message;
  };
  t.is(msg({ group: "gatehouse.dev", kind: "LocalProxyConfig", name: "nope", namespace: "infra" }),
    "spec.parametersRef: LocalProxyConfig infra/nope not found");
  t.is(msg({ group: "", kind: "ConfigMap", name: "p", namespace: "infra" }),
    `spec.parametersRef: "ConfigMap" is not a parameters kind of ${CONTROLLER}; use gatehouse.dev/LocalProxyConfig`);
  t.is(msg({ group: "example.com", kind: "LocalProxyConfig", name: "p", namespace: "infra" }),
    `spec.parametersRef: "example.com/LocalProxyConfig" is not a parameters kind of ${CONTROLLER}; use gatehouse.dev/LocalProxyConfig`);
  t.is(msg({ group: "gatehouse.dev", kind: "LocalProxyConfig", name: "p" }),
    "spec.parametersRef.namespace: required, LocalProxyConfig is namespaced");
  t.is(msg({ group: "gatehouse.dev", kind: "LocalProxyConfig" }), "spec.parametersRef.name: required");
  t.is(msg({ kind: "LocalProxyConfig", name: "p", namespace: "infra" }), 'spec.parametersRef.group: required, a string ("" for the core group)');
  t.is(msg("p"), 'spec.parametersRef: must be an object, got "p"');
  t.is(msg({ group: "gatehouse.dev", kind: "LocalProxyConfig", name: "p", namespace: "infra" }, [lpc("infra", "p", [1])]),
    "spec.parametersRef: LocalProxyConfig infra/p: spec must be an object, got [1]");
});

test("a declared kind the core does not read cannot resolve; a missing spec is {}", (t) => {
  const c = caps({ parameters: [LPC, { group: "example.com", kind: "Widget" }] });
  const n = classOf({ group: "example.com", kind: "Widget", name: "w" }, [], c);
  t.false(n.accepted);
  t.regex(n.conditions[0]!.message, /use gatehouse\.dev\/LocalProxyConfig or example\.com\/Widget/);
  const m = classOf({ group: "gatehouse.dev", kind: "LocalProxyConfig", name: "p", namespace: "infra" }, [{ ...lpc("infra", "p"), spec: undefined }]);
  t.true(m.accepted);
  t.deepEqual(m.parameters?.spec, {});
});

test("untrusted snapshot: a missing LocalProxyConfig list or junk entries never throw", (t) => {
  const ref = { group: "gatehouse.dev", kind: "LocalProxyConfig", name: "p", namespace: "infra" };
  const s = { ...snapshot({}), LocalProxyConfig: undefined } as any;
  t.false(buildGatewayClasses([withRef(ref)], [caps({ parameters: [LPC] })], s)[0]!.accepted);
  t.false(classOf(ref, [null, 3, { metadata: null }]).accepted);
  t.false(buildGatewayClasses([withRef(ref)], [caps({ parameters: [LPC] })])[0]!.accepted, "no snapshot at all");
});

test("Gateways of a class with parameters carry them", (t) => {
  const s = snapshot({
    GatewayClass: [withRef({ group: "gatehouse.dev", kind: "LocalProxyConfig", name: "p", namespace: "infra" })],
    LocalProxyConfig: [lpc("infra", "p")],
    Gateway: [gateway("gw", [{ name: "http", port: 80, protocol: "HTTP" }])],
  });
  const gatewayClasses = buildGatewayClasses(s.GatewayClass, [caps({ parameters: [LPC] })], s);
  const [g] = buildGateways({ snapshot: s, gatewayClasses, grants: new ReferenceGrants([]) });
  t.true(g!.accepted);
  t.is(g!.parameters?.name, "p");
});
