// The gateway-centric view GCP application load balancers need: per Gateway a URL map per
// HTTP(S) port (one when all listeners share a port), backend services with NEG endpoints,
// a target proxy and a forwarding rule per port. Field names follow the Compute API
// (urlMaps, backendServices, targetHttp(s)Proxies, forwardingRules).

export interface GcpView {
  controllerName: string;
  /** Sorted by Gateway key. */
  gateways: GcpGateway[];
  /** Shared by all URL maps of the view; sorted by key (backend id). */
  backendServices: GcpBackendService[];
  unsupported: GcpUnsupported[];
}

export interface GcpUnsupported { source: string; route?: string; gatewayKey: string; reason: string; message: string }

export interface GcpGateway {
  key: string;
  source: string;
  urlMaps: GcpUrlMap[];
  targetProxies: GcpTargetProxy[];
  forwardingRules: GcpForwardingRule[];
  /** Requested addresses (spec.addresses). */
  addresses: string[];
  sources: string[];
}

/**
 * The synthetic backend the provider must supply (e.g. a backend bucket or a tiny service
 * answering 404): URL map default, and the target of direct responses (fault abort).
 */
export interface GcpNotFoundBackend { kind: "notFound"; name: string }

export interface GcpUrlMap {
  /** RFC 1035, ≤ 63 chars. */
  name: string;
  port: number;
  defaultService: GcpNotFoundBackend;
  hostRules: { hosts: string[]; pathMatcher: string }[];
  pathMatchers: GcpPathMatcher[];
  sources: string[];
}

export interface GcpPathMatcher {
  name: string;
  defaultService: GcpNotFoundBackend;
  /** Priority ascending = Gateway API precedence. */
  routeRules: GcpRouteRule[];
  sources: string[];
}

export interface GcpHeaderMatch {
  headerName: string;
  exactMatch?: string;
  regexMatch?: string;
}

export interface GcpQueryMatch { name: string; exactMatch?: string; regexMatch?: string }

export interface GcpMatchRule {
  fullPathMatch?: string;
  prefixMatch?: string;
  regexMatch?: string;
  headerMatches: GcpHeaderMatch[];
  queryParameterMatches: GcpQueryMatch[];
}

export interface GcpHeaderAction {
  requestHeadersToAdd: { headerName: string; headerValue: string; replace: boolean }[];
  requestHeadersToRemove: string[];
  responseHeadersToAdd: { headerName: string; headerValue: string; replace: boolean }[];
  responseHeadersToRemove: string[];
}

export interface GcpDuration { seconds: number; nanos: number }

export interface GcpRouteAction {
  weightedBackendServices: { backendService: string; backendKey: string; weight: number; headerAction?: GcpHeaderAction }[];
  urlRewrite?: { hostRewrite?: string; pathPrefixRewrite?: string };
  requestMirrorPolicy?: { backendService: string; backendKey: string; mirrorPercent: number };
  corsPolicy?: {
    allowOrigins: string[];
    allowOriginRegexes: string[];
    allowMethods: string[];
    allowHeaders: string[];
    exposeHeaders: string[];
    maxAge: number;
    allowCredentials: boolean;
    disabled: false;
  };
  timeout?: GcpDuration;
  retryPolicy?: { retryConditions: string[]; numRetries: number; perTryTimeout?: GcpDuration };
  /** Direct responses: abort every request with this status. */
  faultInjectionPolicy?: { abort: { httpStatus: number; percentage: 100 } };
}

export interface GcpUrlRedirect {
  hostRedirect?: string;
  pathRedirect?: string;
  prefixRedirect?: string;
  httpsRedirect: boolean;
  redirectResponseCode: "MOVED_PERMANENTLY_DEFAULT" | "FOUND" | "SEE_OTHER" | "TEMPORARY_REDIRECT" | "PERMANENT_REDIRECT";
  stripQuery: false;
}

export interface GcpRouteRule {
  priority: number;
  matchRules: GcpMatchRule[];
  /** Exactly one of service (the not-found backend with a fault abort), routeAction or urlRedirect applies. */
  service?: GcpNotFoundBackend;
  routeAction?: GcpRouteAction;
  urlRedirect?: GcpUrlRedirect;
  headerAction?: GcpHeaderAction;
  sources: string[];
}

export interface GcpNegEndpoint { ipAddress: string; port: number }

export interface GcpBackendService {
  /** Backend id (`Service/ns/name:port`). */
  key: string;
  /** RFC 1035, ≤ 63 chars. */
  name: string;
  protocol: "HTTP" | "HTTPS" | "HTTP2" | "H2C";
  port: number;
  /** One NEG per zone, sorted by zone; endpoints without a zone are left out and reported. */
  negs: { zone: string; name: string; endpoints: GcpNegEndpoint[] }[];
  /** An invalid reference: no endpoints, so its weight share fails (GCP answers 503, not 500). */
  invalid?: { reason: string; message: string };
  sources: string[];
}

export type GcpTargetProxy =
  | { kind: "targetHttpProxy"; name: string; port: number; urlMap: string; sources: string[] }
  | { kind: "targetHttpsProxy"; name: string; port: number; urlMap: string; sslCertificates: { name: string; source: string }[]; sources: string[] };

export interface GcpForwardingRule {
  name: string;
  portRange: string;
  target: string;
  IPProtocol: "TCP";
  loadBalancingScheme: "EXTERNAL_MANAGED";
  sources: string[];
}

/** Compute resource names: RFC 1035, 1–63 characters. */
export const GCP = {
  name: { min: 1, max: 63, leadingLetter: true },
  namePattern: /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/,
  maxWeight: 1000,
  maxPriority: 2147483647,
} as const;
