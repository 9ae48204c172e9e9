// The kinds the core reads and where the API server serves them. Versions are tried in
// order: the first one the server answers for is watched (older clusters lack v1 of some
// Gateway API kinds; v1.6.3 serves TLSRoute/TCPRoute/UDPRoute at v1 and deprecated alphas).
import type { Kind } from "@gatehouse/model";

export interface WatchedKind {
  kind: Kind;
  /** "" for the core group. */
  group: string;
  versions: readonly string[];
  plural: string;
  namespaced: boolean;
}

const GW = "gateway.networking.k8s.io";

export const WATCHED_KINDS: readonly WatchedKind[] = [
  { kind: "GatewayClass", group: GW, versions: ["v1"], plural: "gatewayclasses", namespaced: false },
  { kind: "Gateway", group: GW, versions: ["v1"], plural: "gateways", namespaced: true },
  { kind: "HTTPRoute", group: GW, versions: ["v1"], plural: "httproutes", namespaced: true },
  { kind: "GRPCRoute", group: GW, versions: ["v1"], plural: "grpcroutes", namespaced: true },
  { kind: "TLSRoute", group: GW, versions: ["v1", "v1alpha3", "v1alpha2"], plural: "tlsroutes", namespaced: true },
  { kind: "TCPRoute", group: GW, versions: ["v1", "v1alpha2"], plural: "tcproutes", namespaced: true },
  { kind: "UDPRoute", group: GW, versions: ["v1", "v1alpha2"], plural: "udproutes", namespaced: true },
  // Older releases serve ReferenceGrant only as v1beta1.
  { kind: "ReferenceGrant", group: GW, versions: ["v1", "v1beta1"], plural: "referencegrants", namespaced: true },
  { kind: "BackendTLSPolicy", group: GW, versions: ["v1", "v1alpha3"], plural: "backendtlspolicies", namespaced: true },
  { kind: "Service", group: "", versions: ["v1"], plural: "services", namespaced: true },
  { kind: "EndpointSlice", group: "discovery.k8s.io", versions: ["v1"], plural: "endpointslices", namespaced: true },
  { kind: "Secret", group: "", versions: ["v1"], plural: "secrets", namespaced: true },
  { kind: "Namespace", group: "", versions: ["v1"], plural: "namespaces", namespaced: false },
  { kind: "ConfigMap", group: "", versions: ["v1"], plural: "configmaps", namespaced: true },
];

export function apiVersionOf(k: WatchedKind, version: string): string {
  return k.group ? `${k.group}/${version}` : version;
}

/** Collection path, e.g. /apis/gateway.networking.k8s.io/v1/namespaces/a/httproutes or /api/v1/secrets. */
export function collectionPath(k: WatchedKind, version: string, namespace: string | undefined): string {
  const base = k.group ? `/apis/${k.group}/${version}` : `/api/${version}`;
  return namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${k.plural}` : `${base}/${k.plural}`;
}
