import type { RouteKind } from "./kinds.js";

/** Listener protocols a backend may serve. */
export type ListenerProtocol = "HTTP" | "HTTPS" | "TLS" | "TCP" | "UDP";

/**
 * What one backend declares about itself. The graph validates every object against the
 * capabilities of the class it belongs to, so an unsupported field is reported, never
 * silently dropped. Feature names are the Gateway API SupportedFeature names
 * (e.g. "HTTPRouteQueryParamMatching"); the core ones are implied.
 */
export interface Capabilities {
  controllerName: string;
  /** Listener protocols, and for TLS the modes. */
  protocols: ListenerProtocol[];
  tlsModes: ("Terminate" | "Passthrough")[];
  routeKinds: RouteKind[];
  /** Extended/implementation features from the Gateway API feature list. */
  features: string[];
  /**
   * HTTPRoute/GRPCRoute filter types the backend can program at all (undefined: every
   * type). Needed because some Core filters (RequestHeaderModifier) have no feature name a
   * backend could leave out; Extended sub-features still need their FEATURE as well.
   */
  filters?: string[];
  /**
   * Listener `tls.options` keys that carry a certificate the backend understands instead of
   * a Secret (VPC Lattice: an ACM certificate ARN). A Terminate listener with one of them
   * needs no certificateRefs.
   */
  certificateOptions?: string[];
  /**
   * Kinds a GatewayClass spec.parametersRef may name (e.g. gatehouse.dev LocalProxyConfig).
   * Undefined or empty: the backend takes no parameters and a class with a parametersRef is
   * not accepted. Only kinds the snapshot carries can resolve.
   */
  parameters?: { group: string; kind: string }[];
  limits: Limits;
}

export interface Limits {
  /** Max listeners per Gateway; undefined = unlimited. */
  listenersPerGateway?: number;
  /** Max rules (after match expansion) per route, e.g. Lattice: 100 rule priorities per listener. */
  rulesPerRoute?: number;
  /** Max matches per rule. */
  matchesPerRule?: number;
  /** Max header matches in one match (Lattice: 5). */
  headerMatchesPerMatch?: number;
  /** Max spec.hostnames per route (Lattice: one custom domain per service). */
  hostnamesPerRoute?: number;
  /** Max backends per rule. */
  backendsPerRule?: number;
  /** Allowed listener ports; undefined = any. */
  ports?: number[];
}

/** Gateway API feature names used by the validator (from the conformance feature list). */
export const FEATURE = {
  Gateway: "Gateway",
  GatewayPort8080: "GatewayPort8080",
  GatewayHTTPListenerIsolation: "GatewayHTTPListenerIsolation",
  GatewayInfrastructurePropagation: "GatewayInfrastructurePropagation",
  GatewayStaticAddresses: "GatewayStaticAddresses",
  ReferenceGrant: "ReferenceGrant",
  HTTPRoute: "HTTPRoute",
  HTTPRouteQueryParamMatching: "HTTPRouteQueryParamMatching",
  HTTPRouteMethodMatching: "HTTPRouteMethodMatching",
  HTTPRouteResponseHeaderModification: "HTTPRouteResponseHeaderModification",
  HTTPRoutePortRedirect: "HTTPRoutePortRedirect",
  HTTPRouteSchemeRedirect: "HTTPRouteSchemeRedirect",
  HTTPRoutePathRedirect: "HTTPRoutePathRedirect",
  HTTPRouteHostRewrite: "HTTPRouteHostRewrite",
  HTTPRoutePathRewrite: "HTTPRoutePathRewrite",
  HTTPRouteRequestMirror: "HTTPRouteRequestMirror",
  HTTPRouteRequestMultipleMirrors: "HTTPRouteRequestMultipleMirrors",
  HTTPRouteRequestPercentageMirror: "HTTPRouteRequestPercentageMirror",
  HTTPRouteRequestTimeout: "HTTPRouteRequestTimeout",
  HTTPRouteBackendTimeout: "HTTPRouteBackendTimeout",
  HTTPRouteParentRefPort: "HTTPRouteParentRefPort",
  HTTPRouteBackendRequestHeaderModification: "HTTPRouteBackendRequestHeaderModification",
  HTTPRouteBackendProtocolH2C: "HTTPRouteBackendProtocolH2C",
  HTTPRouteBackendProtocolWebSocket: "HTTPRouteBackendProtocolWebSocket",
  HTTPRouteRetry: "HTTPRouteRetry",
  HTTPRouteCORS: "HTTPRouteCORS",
  HTTPRouteNamedRouteRule: "HTTPRouteNamedRouteRule",
  HTTPRouteSessionPersistence: "HTTPRouteSessionPersistence",
  HTTPRouteDestinationPortMatching: "HTTPRouteDestinationPortMatching",
  GRPCRoute: "GRPCRoute",
  TLSRoute: "TLSRoute",
  TCPRoute: "TCPRoute",
  UDPRoute: "UDPRoute",
  BackendTLSPolicy: "BackendTLSPolicy",
  BackendTLSPolicySANValidation: "BackendTLSPolicySANValidation",
  HTTPRoute303RedirectStatusCode: "HTTPRoute303RedirectStatusCode",
  HTTPRoute307RedirectStatusCode: "HTTPRoute307RedirectStatusCode",
  HTTPRoute308RedirectStatusCode: "HTTPRoute308RedirectStatusCode",
  TLSRouteModeTerminate: "TLSRouteModeTerminate",
  TLSRouteModeMixed: "TLSRouteModeMixed",
  GatewayAddressEmpty: "GatewayAddressEmpty",
  GatewayFrontendClientCertificateValidation: "GatewayFrontendClientCertificateValidation",
  GatewayBackendClientCertificate: "GatewayBackendClientCertificate",
  // Regular-expression matches are implementation-specific in Gateway API, so upstream has
  // no feature names; these are gatehouse's, so a backend that cannot evaluate regexes
  // (VPC Lattice) rejects them instead of dropping them.
  HTTPRoutePathRegularExpression: "HTTPRoutePathRegularExpression",
  HTTPRouteHeaderRegularExpression: "HTTPRouteHeaderRegularExpression",
  HTTPRouteQueryParamRegularExpression: "HTTPRouteQueryParamRegularExpression",
} as const;

/** gatehouse's own feature names (no upstream name exists): checked, but not published in GatewayClass status. */
export const GATEHOUSE_FEATURES: readonly string[] = [
  FEATURE.HTTPRoutePathRegularExpression,
  FEATURE.HTTPRouteHeaderRegularExpression,
  FEATURE.HTTPRouteQueryParamRegularExpression,
];

/**
 * Features the graph checks for but the desired state does not carry yet (Gateway
 * spec.tls client certificates): no backend can honour them, so none may declare them.
 */
export const NOT_CARRIED_FEATURES: readonly string[] = [
  FEATURE.GatewayFrontendClientCertificateValidation,
  FEATURE.GatewayBackendClientCertificate,
];

/** Every feature a backend could declare today. */
export const ALL_FEATURES: readonly string[] = Object.values(FEATURE).filter((f) => !NOT_CARRIED_FEATURES.includes(f));
