export const GATEWAY_GROUP = "gateway.networking.k8s.io";
export const CORE_GROUP = "";
/** gatehouse's own kinds (LocalProxyConfig, LatticeConfig, GCPConfig). */
export const GATEHOUSE_GROUP = "gatehouse.dev";
export const LOCAL_PROXY_CONFIG_API_VERSION = "gatehouse.dev/v1alpha1";
/** Annotations under this prefix are the providers' memory (resource ids); all others are the user's. */
export const ANNOTATION_PREFIX = "gatehouse.dev/";

/** Every kind the core reads, by the name the snapshot stores it under. */
export const KIND = {
  GatewayClass: "GatewayClass",
  Gateway: "Gateway",
  HTTPRoute: "HTTPRoute",
  GRPCRoute: "GRPCRoute",
  TLSRoute: "TLSRoute",
  TCPRoute: "TCPRoute",
  UDPRoute: "UDPRoute",
  ReferenceGrant: "ReferenceGrant",
  BackendTLSPolicy: "BackendTLSPolicy",
  Service: "Service",
  EndpointSlice: "EndpointSlice",
  Secret: "Secret",
  Namespace: "Namespace",
  ConfigMap: "ConfigMap",
  LocalProxyConfig: "LocalProxyConfig",
  LatticeConfig: "LatticeConfig",
  GCPConfig: "GCPConfig",
} as const;
export type Kind = (typeof KIND)[keyof typeof KIND];

export const ROUTE_KINDS = ["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"] as const;
export type RouteKind = (typeof ROUTE_KINDS)[number];

export function isRouteKind(kind: string): kind is RouteKind {
  return (ROUTE_KINDS as readonly string[]).includes(kind);
}

/** Group of each kind; core kinds are in the empty group. */
export function groupOf(kind: Kind): string {
  switch (kind) {
    case "Service": case "EndpointSlice": case "Secret": case "Namespace": case "ConfigMap":
      return kind === "EndpointSlice" ? "discovery.k8s.io" : CORE_GROUP;
    case "LocalProxyConfig": case "LatticeConfig": case "GCPConfig":
      return GATEHOUSE_GROUP;
    default:
      return GATEWAY_GROUP;
  }
}

/** Cluster-scoped kinds have no namespace (a reference to one must not name a namespace). */
export function isNamespaced(kind: Kind): boolean {
  return kind !== "GatewayClass" && kind !== "Namespace";
}

/** The snapshot kind served under `group` (""/"core" = core) as `kind`, if the core reads it. */
export function snapshotKind(group: string, kind: string): Kind | undefined {
  const g = group === "core" ? CORE_GROUP : group;
  const k = (Object.values(KIND) as string[]).find((x) => x === kind) as Kind | undefined;
  return k !== undefined && groupOf(k) === g ? k : undefined;
}
