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
  /** First exact hostname of the route on this Gateway (sorted), when it has one. */
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

export interface LatticeListener {
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
    | { forward: { targetGroups: { targetGroupKey: string; targetGroupName: string; weight: number }[] } }
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
  config: {
    port: number;
    protocol: "HTTP" | "HTTPS";
    protocolVersion: "HTTP1" | "HTTP2" | "GRPC";
    ipAddressType: "IPV4" | "IPV6";
  };
  /** Ready endpoints. Empty for an invalid backend: Lattice then fails that share (5xx). */
  targets: LatticeTarget[];
  invalid?: { reason: string; message: string };
  sources: string[];
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
  /** Listener tls.options key holding the ACM certificate ARN (declared as a certificate option). */
  certificateArnOption: "gatehouse.dev/acm-certificate-arn",
  /** Lattice resource name pattern (all four kinds, minus the reserved prefix). */
  namePattern: /^(?!-)(?!.*-$)(?!.*--)[a-z0-9-]+$/,
} as const;
