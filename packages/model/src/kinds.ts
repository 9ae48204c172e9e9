export const GATEWAY_GROUP = "gateway.networking.k8s.io";
export const CORE_GROUP = "";

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
    default:
      return GATEWAY_GROUP;
  }
}
