// Names, labels and annotations of the Services the operator keeps for local Gateways.
import { createHash } from "node:crypto";

/** "true" on every Service we manage: the label selector that lists ours (and nothing else). */
export const SERVICE_LABEL = "gatehouse.dev/gateway-service";
/** The Gateway's name, when it fits a label value (informative; lookups use the annotation). */
export const GATEWAY_NAME_LABEL = "gatehouse.dev/gateway-name";
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
/** `namespace/name` of the Gateway the Service exposes. */
export const GATEWAY_ANNOTATION = "gatehouse.dev/gateway";
/** The controllerName whose exposer owns the Service: each one deletes only its own. */
export const CONTROLLER_ANNOTATION = "gatehouse.dev/controller-name";
/**
 * JSON {labels, annotations}: the keys we set last time, so a key dropped from the Gateway's
 * infrastructure or the LocalProxyConfig is removed, while keys others add (a cloud
 * controller's annotations) are left alone.
 */
export const MANAGED_KEYS_ANNOTATION = "gatehouse.dev/managed-keys";

const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const PREFIX = "gatehouse-";
const MAX = 63;

/**
 * The Service name for a Gateway: `gatehouse-<gateway>` when that is a valid Service name
 * (DNS-1035 label, ≤ 63 characters); otherwise dots become dashes, the name is cut short and
 * a hash of the full Gateway name is appended, so two Gateways never share a derived name
 * (`a.b` and `a-b` differ). Services are per namespace, as Gateways are.
 */
export function serviceName(gatewayName: string): string {
  const plain = PREFIX + gatewayName;
  if (plain.length <= MAX && DNS_1035.test(plain)) return plain;
  const hash = createHash("sha256").update(gatewayName).digest("hex").slice(0, 10);
  const stem = plain.toLowerCase().replace(/[^a-z0-9-]/g, "-").slice(0, MAX - hash.length - 1).replace(/-+$/, "");
  return `${stem}-${hash}`;
}

export function isLabelValue(v: string): boolean {
  return v.length <= MAX && LABEL_VALUE.test(v);
}

/** The Service an EndpointSlice belongs to (kube-proxy and every other reader key on it). */
export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
/** Who keeps an EndpointSlice current: the EndpointSlice controller leaves slices of other managers alone. */
export const SLICE_MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
export const SLICE_MANAGER = "gatehouse.dev";

/** The EndpointSlice of a Service for one address family: `<service>-ipv4` / `<service>-ipv6` (≤ 68 characters, a valid object name). */
export function sliceName(service: string, family: "IPv4" | "IPv6"): string {
  return `${service}-${family.toLowerCase()}`;
}
