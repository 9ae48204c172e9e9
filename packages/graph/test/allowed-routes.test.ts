import test from "ava";
import { listenerAllowsRoute, selectorMatches } from "../src/gateways/allowed-routes.js";
import type { AllowedNamespaces, ListenerNode } from "../src/types.js";

const GW = "gateway.networking.k8s.io";
function l(allowedNamespaces: AllowedNamespaces, kinds: ListenerNode["supportedKinds"] = [{ group: GW, kind: "HTTPRoute" }]): ListenerNode {
  return {
    gatewayKey: "infra/g", name: "l", source: "gateway/infra/g/listener/l", port: 80, protocol: "HTTP", valid: true,
    conditions: [], supportedKinds: kinds, allowedNamespaces, certificateRefKeys: [], attachedRoutes: 0,
  };
}
const labels: Record<string, Record<string, string>> = {
  infra: {}, prod: { env: "prod", tier: "web" }, dev: { env: "dev" },
};
const lookup = (ns: string) => labels[ns];
const route = (namespace: string, kind: any = "HTTPRoute") => ({ kind, namespace });

test("Same allows only the Gateway's namespace", (t) => {
  t.deepEqual(listenerAllowsRoute(l({ from: "Same" }), "infra", route("infra"), lookup), { kind: true, namespace: true });
  t.deepEqual(listenerAllowsRoute(l({ from: "Same" }), "infra", route("prod"), lookup), { kind: true, namespace: false });
});

test("All allows every namespace, even one we cannot see", (t) => {
  t.true(listenerAllowsRoute(l({ from: "All" }), "infra", route("ghost"), lookup).namespace);
});

test("kind must be among supportedKinds", (t) => {
  t.deepEqual(listenerAllowsRoute(l({ from: "All" }), "infra", route("infra", "GRPCRoute"), lookup), { kind: false, namespace: true });
});

test("Selector: matchLabels, unknown namespace, implicit kubernetes.io/metadata.name", (t) => {
  const sel = (matchLabels: Record<string, string>, matchExpressions: any[] = []): AllowedNamespaces => ({ from: "Selector", matchLabels, matchExpressions });
  t.true(listenerAllowsRoute(l(sel({ env: "prod" })), "infra", route("prod"), lookup).namespace);
  t.false(listenerAllowsRoute(l(sel({ env: "prod" })), "infra", route("dev"), lookup).namespace);
  t.false(listenerAllowsRoute(l(sel({})), "infra", route("ghost"), lookup).namespace, "a Namespace we cannot see selects nothing");
  t.true(listenerAllowsRoute(l(sel({})), "infra", route("dev"), lookup).namespace, "empty selector selects all existing namespaces");
  t.true(listenerAllowsRoute(l(sel({ "kubernetes.io/metadata.name": "dev" })), "infra", route("dev"), lookup).namespace);
});

test("matchExpressions operators", (t) => {
  const m = (operator: string, values: string[] = [], lbl: Record<string, string> = { env: "prod" }) =>
    selectorMatches({ matchLabels: {}, matchExpressions: [{ key: "env", operator, values }] }, lbl);
  t.true(m("In", ["prod", "dev"]));
  t.false(m("In", ["dev"]));
  t.false(m("In", ["prod"], {}));
  t.true(m("NotIn", ["dev"]));
  t.false(m("NotIn", ["prod"]));
  t.true(m("NotIn", ["prod"], {}), "NotIn matches when the label is absent");
  t.true(m("Exists"));
  t.false(m("Exists", [], {}));
  t.true(m("DoesNotExist", [], {}));
  t.false(m("DoesNotExist"));
  t.false(m("Bogus"));
  t.false(selectorMatches({ matchLabels: { env: "prod" }, matchExpressions: [{ key: "tier", operator: "Exists", values: [] }] }, { env: "prod" }),
    "all requirements must hold");
});
