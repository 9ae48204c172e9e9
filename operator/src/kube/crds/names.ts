// Which CustomResourceDefinitions the operator needs, and how to say so. Without the
// GatewayClass, Gateway and HTTPRoute CRDs nothing can be served: the operator is not ready.
// The other Gateway API kinds and gatehouse's own parameters kinds are optional: their
// absence is reported (log, Event) but the operator serves what it can.
import type { Kind } from "@gatehouse/model";
import type { WatchedKind } from "../source/kinds.js";

export const GATEWAY_API_VERSION = "v1.6.3";

/** Kinds without which the operator reports not ready. */
export const REQUIRED_KINDS: ReadonlySet<Kind> = new Set<Kind>(["GatewayClass", "Gateway", "HTTPRoute"]);

/** `gateways.gateway.networking.k8s.io`: the name of the kind's CRD. */
export function crdName(k: WatchedKind): string {
  return `${k.type.resource}.${k.type.group}`;
}

/** What to do about missing CRDs, by group. */
export function installHint(groups: ReadonlySet<string>): string {
  const hints: string[] = [];
  if (groups.has("gateway.networking.k8s.io")) {
    hints.push(`install the Gateway API ${GATEWAY_API_VERSION} CRDs: kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/${GATEWAY_API_VERSION}/standard-install.yaml`);
  }
  if (groups.has("gatehouse.dev")) hints.push("install gatehouse's CRDs: they are in the Helm chart's crds/ directory (helm install, or kubectl apply -f charts/gatehouse/crds/)");
  return hints.join("; ");
}
