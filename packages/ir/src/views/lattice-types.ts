// The route-centric view AWS VPC Lattice needs: one Lattice service per (route, parent
// Gateway). Field names follow the VPC Lattice API (CreateService, CreateListener,
// CreateRule, CreateTargetGroup) so the provider maps them one to one.

export interface LatticeView {
  controllerName: string;
  /** Sorted by name. */
  services: LatticeService[];
  /** Things Lattice cannot express, for the provider to report on the route's status. */
  unsupported: LatticeUnsupported[];
}

export interface LatticeUnsupported {
  /** IR source of the element (route, rule match, listener). */
  source: string;
  route?: string;
  gatewayKey: string;
  reason: string;
  message: string;
}

export interface LatticeService {
  /** 3–40 chars, `[a-z0-9-]`, no leading/trailing/double hyphen, not starting with `svc-`. */
  name: string;
  /** `<kind>/<ns>/<name>` of the route. */
  route: string;
  gatewayKey: string;
  /**
   * First exact hostname of the route on this Gateway (sorted), when it has one. Always set
   * for a TLSRoute's service (TLS passthrough matches the SNI against it; a TLSRoute without
   * an exact hostname gets no service and is reported in `unsupported`).
   */
  customDomainName?: string;
  /** Every hostname the route serves on this Gateway, sorted. */
  hostnames: string[];
  /**
   * ACM certificate for HTTPS (CreateService certificateArn), from the Gateway listener's
   * `tls.options[LATTICE.certificateArnOption]`; Lattice cannot use Kubernetes Secrets.
   */
  certificateArn?: string;
  /** One per listener port, ascending. */
  listeners: LatticeListener[];
  /** Keyed (and sorted) by backend id; a target group belongs to exactly one service. */
  targetGroups: LatticeTargetGroup[];
  sources: string[];
}

/** An HTTP/HTTPS listener or a TLS_PASSTHROUGH one (TLSRoutes). */
export type LatticeListener = LatticeHTTPListener | LatticeTLSPassthroughListener;

export interface LatticeHTTPListener {
  /** 3–63 chars, not starting with `listener-`. */
  name: string;
  port: number;
  protocol: "HTTP" | "HTTPS";
  /** Certificate sources (secret/<ns>/<name>) of the Gateway listener(s) on this port. */
  certificates: string[];
  defaultAction: { fixedResponse: { statusCode: 404 } };
  /** Priority 1..N in Gateway API precedence order. */
  rules: LatticeRule[];
  sources: string[];
}

/**
 * A TLS_PASSTHROUGH listener (Gateway listener `protocol: TLS`, `tls.mode: Passthrough`, with
 * TLSRoutes). Lattice routes it by SNI against the service's custom domain name, allows no
 * rule besides the default one, and the default action must forward to TCP target groups.
 */
export interface LatticeTLSPassthroughListener {
  /** 3–63 chars, not starting with `listener-` (`tls-<port>`). */
  name: string;
  port: number;
  protocol: "TLS_PASSTHROUGH";
  /** Always empty: the certificate is the backend's own (passthrough). */
  certificates: [];
  /** Weighted forward to 1–10 TCP target groups, from the TLSRoute's rule. */
  defaultAction: { forward: LatticeForward };
  /** Always empty: a TLS_PASSTHROUGH listener takes no rules. */
  rules: [];
  sources: string[];
}

/** Forward action: target groups by backend id (name for readability), weights in 0..999. */
export interface LatticeForward {
  targetGroups: { targetGroupKey: string; targetGroupName: string; weight: number }[];
}

export interface LatticeHeaderMatch {
  name: string;
  caseSensitive: boolean;
  match: { exact: string };
}

export interface LatticeRule {
  /** 3–63 chars, not starting with `rule-`; stable per IR match (a hash of its source). */
  name: string;
  priority: number;
  match: {
    httpMatch: {
      pathMatch?: { caseSensitive: boolean; match: { exact: string } | { prefix: string } };
      headerMatches: LatticeHeaderMatch[];
      method?: string;
    };
  };
  action:
    | { forward: LatticeForward }
    | { fixedResponse: { statusCode: number } };
  sources: string[];
}

export interface LatticeTarget { id: string; port: number }

export interface LatticeTargetGroup {
  /** Backend id (`Service/ns/name:port`). */
  key: string;
  /** 3–128 chars, not starting with `tg-`. */
  name: string;
  type: "IP";
  /** HTTP/HTTPS groups for HTTPRoute/GRPCRoute backends; TCP groups (no protocolVersion) for TLSRoute backends. */
  config: LatticeHTTPTargetGroupConfig | LatticeTCPTargetGroupConfig;
  /** Ready endpoints. Empty for an invalid backend: Lattice then fails that share (5xx). */
  targets: LatticeTarget[];
  invalid?: { reason: string; message: string };
  sources: string[];
}

export interface LatticeHTTPTargetGroupConfig {
  port: number;
  protocol: "HTTP" | "HTTPS";
  protocolVersion: "HTTP1" | "HTTP2" | "GRPC";
  ipAddressType: "IPV4" | "IPV6";
}

/** Behind a TLS_PASSTHROUGH listener (health checks are off by default for TCP groups). */
export interface LatticeTCPTargetGroupConfig {
  port: number;
  protocol: "TCP";
  ipAddressType: "IPV4" | "IPV6";
}

/** VPC Lattice API limits used by the view. */
export const LATTICE = {
  serviceName: { min: 3, max: 40, reservedPrefixes: ["svc-"] },
  listenerName: { min: 3, max: 63, reservedPrefixes: ["listener-"] },
  ruleName: { min: 3, max: 63, reservedPrefixes: ["rule-"] },
  targetGroupName: { min: 3, max: 128, reservedPrefixes: ["tg-"] },
  /** CreateRule priority range (CloudFormation documents 1–100; the API accepts up to 2000). */
  maxRulePriority: 100,
  maxHeaderMatches: 5,
  maxWeight: 999,
  /** Target groups in one forward action. */
  maxForwardTargetGroups: 10,
  /** Listener tls.options key holding the ACM certificate ARN (declared as a certificate option). */
  certificateArnOption: "gatehouse.dev/acm-certificate-arn",
  /** Lattice resource name pattern (all four kinds, minus the reserved prefix). */
  namePattern: /^(?!-)(?!.*-$)(?!.*--)[a-z0-9-]+$/,
} as const;
