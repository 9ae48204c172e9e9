import test from "ava";
import { buildGatewayClasses, supportedFeatures } from "../src/gateways/gatewayclasses.js";
import { CONTROLLER, caps, gatewayClass } from "./fixtures/objects.js";

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
