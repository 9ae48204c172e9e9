// The graph: every object we own, with references resolved and conditions computed.
// Produced by buildGraph (pure); read by the IR builder and the status computer.
import type {
  BackendTLSPolicy, Capabilities, Gateway, GatewayClass, GatewaySpecAddress, NodeCondition, RouteKind,
} from "@gatehouse/model";

export interface GraphInput {
  snapshot: import("@gatehouse/model").Snapshot;
  /** One entry per controllerName we serve. */
  controllers: Capabilities[];
}

export interface Graph {
  /** Classes whose controllerName we serve, by name. */
  gatewayClasses: GatewayClassNode[];
  /** Gateways whose class is one of ours, by key. */
  gateways: GatewayNode[];
  /** Routes with at least one parentRef to one of our Gateways, by kind then key. */
  routes: RouteNode[];
  /** BackendTLSPolicies targeting a Service used by one of our routes, by key. */
  backendTLSPolicies: BackendTLSPolicyNode[];
  /** Keys (`ns/name`) of objects the graph read through references; the operator watches only these Secrets/ConfigMaps. */
  referenced: { secrets: string[]; configMaps: string[]; services: string[] };
}

export interface GatewayClassNode {
  name: string;
  source: string;                 // gatewayclass/<name>
  object: GatewayClass;
  generation: number;
  capabilities: Capabilities;
  accepted: boolean;
  conditions: NodeCondition[];    // Accepted, SupportedVersion
  /** Gateway API feature names this class supports, sorted. */
  supportedFeatures: string[];
  /** The resolved spec.parametersRef object (absent: none, or the class is not accepted). */
  parameters?: ParametersNode;
}

/** A GatewayClass parametersRef, resolved (e.g. a gatehouse.dev LocalProxyConfig). */
export interface ParametersNode {
  /** "" for the core group. */
  group: string;
  kind: string;
  namespace?: string;
  name: string;
  source: string;                 // localproxyconfig/<ns>/<name>
  /** The object's spec as found (an object; the backend validates its fields). */
  spec: Record<string, unknown>;
}

export interface GatewayNode {
  key: string;                    // ns/name
  namespace: string;
  name: string;
  source: string;                 // gateway/<ns>/<name>
  object: Gateway;
  generation: number;
  className: string;
  controllerName: string;
  accepted: boolean;
  conditions: NodeCondition[];    // Accepted (Programmed comes from the provider, in status)
  listeners: ListenerNode[];      // spec order
  addresses: GatewaySpecAddress[];
  infrastructure?: { labels: Record<string, string>; annotations: Record<string, string> };
  /** The class's resolved parameters, when it has some. */
  parameters?: ParametersNode;
}

export type AllowedNamespaces =
  | { from: "Same" }
  | { from: "All" }
  | { from: "Selector"; matchLabels: Record<string, string>; matchExpressions: LabelSelectorRequirement[] };

export interface LabelSelectorRequirement { key: string; operator: string; values: string[] }

export interface ResolvedCertificate {
  source: string;                 // secret/<ns>/<name>
  certificatePem: string;
  privateKeyPem: string;
  /** DNS names from the certificate's SAN (and CN when no SAN), for SNI selection. */
  dnsNames: string[];
  notAfter: string;               // ISO date
}

export interface ListenerNode {
  gatewayKey: string;
  name: string;
  source: string;                 // gateway/<ns>/<name>/listener/<name>
  port: number;
  protocol: string;
  hostname?: string;
  /** false: no route attaches and the data plane does not serve it. */
  valid: boolean;
  /** Accepted, ResolvedRefs, Conflicted (Programmed is added in status). */
  conditions: NodeCondition[];
  supportedKinds: { group: string; kind: RouteKind }[];
  allowedNamespaces: AllowedNamespaces;
  tls?: { mode: "Terminate" | "Passthrough"; certificates: ResolvedCertificate[]; options: Record<string, string> };
  /** `ns/name` of every Secret named in tls.certificateRefs, found or not (the operator watches them). */
  certificateRefKeys: string[];
  /** Filled by route attachment: number of routes accepted on this listener. */
  attachedRoutes: number;
}

export interface NormalizedParentRef {
  group: string;
  kind: string;
  namespace: string;
  name: string;
  sectionName?: string;
  port?: number;
}

export interface ParentNode {
  /** Index into spec.parentRefs. */
  index: number;
  ref: NormalizedParentRef;
  gatewayKey: string;
  controllerName: string;
  accepted: boolean;
  /** Listener name → effective hostnames on that listener ([] means any host). */
  listeners: { name: string; hostnames: string[] }[];
  /** Accepted, ResolvedRefs, PartiallyInvalid for this parent (route-wide ones merged in). */
  conditions: NodeCondition[];
}

export interface HTTPMatchNode {
  path: { type: "Exact" | "PathPrefix" | "RegularExpression"; value: string };
  headers: { type: "Exact" | "RegularExpression"; name: string; value: string }[];
  queryParams: { type: "Exact" | "RegularExpression"; name: string; value: string }[];
  method?: string;
  /** Set for GRPCRoute matches (the path above is derived from it). */
  grpc?: { type: "Exact" | "RegularExpression"; service?: string; method?: string };
}

export interface EndpointNode {
  address: string;
  port: number;
  family: "IPv4" | "IPv6" | "FQDN";
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  zone?: string;
  nodeName?: string;
  hostname?: string;
}

export interface BackendTLSNode {
  policy: string;                 // backendtlspolicy/<ns>/<name>
  hostname: string;               // SNI and default SAN
  caCertificatesPem: string[];
  wellKnownCACertificates?: "System";
  subjectAltNames: { type: "Hostname" | "URI"; value: string }[];
}

export interface BackendNode {
  source: string;                 // <route source>/rule/<i>/backend/<j>
  group: string;
  kind: string;
  namespace: string;
  name: string;
  port?: number;
  weight: number;
  /** false: requests for this share get 500. */
  valid: boolean;
  reason?: string;                // BackendNotFound | InvalidKind | RefNotPermitted | UnsupportedProtocol
  message?: string;
  serviceKey?: string;
  /** Service port's appProtocol mapped to what the data plane speaks. */
  protocol: "http" | "h2c" | "ws" | "https" | "tcp" | "udp" | "tls";
  endpoints: EndpointNode[];
  tls?: BackendTLSNode;
  /** Per-backend filters (HTTPRoute/GRPCRoute backendRefs[].filters), spec shape. */
  filters: FilterNode[];
}

export interface HeaderModifierConfig {
  set: { name: string; value: string }[];
  add: { name: string; value: string }[];
  remove: string[];
}

export type PathModifier = { type: "ReplaceFullPath" | "ReplacePrefixMatch"; value: string };

export interface RedirectConfig {
  scheme?: "http" | "https";
  hostname?: string;
  port?: number;
  path?: PathModifier;
  statusCode: number;
}

export interface RewriteConfig { hostname?: string; path?: PathModifier }

export interface MirrorConfig { percent: number }

export interface CORSConfig {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  allowCredentials: boolean;
  maxAge: number;
}

/**
 * A filter that passed validation, normalized (spec defaults applied) into the shape the
 * IR uses, so nothing downstream parses Gateway API filter JSON again.
 */
export type FilterNode = { source: string } & (
  | { type: "RequestHeaderModifier" | "ResponseHeaderModifier"; config: HeaderModifierConfig }
  | { type: "RequestRedirect"; config: RedirectConfig }
  | { type: "URLRewrite"; config: RewriteConfig }
  | { type: "RequestMirror"; config: MirrorConfig; mirror: BackendNode }
  | { type: "CORS"; config: CORSConfig }
  | {
      type: "ExtensionRef";
      config: { group: string; kind: string; name: string };
      /**
       * gatehouse resolves no extension filters. The spec forbids skipping such a filter:
       * the rule stays, and the requests it would process get a 500 (IR directResponse).
       */
      unresolved: { reason: string; message: string };
    }
);

export interface RuleNode {
  index: number;
  name?: string;
  source: string;                 // <route source>/rule/<i>
  matches: HTTPMatchNode[];       // HTTP/GRPC; empty for L4
  filters: FilterNode[];
  backends: BackendNode[];
  timeouts?: { requestMs?: number; backendRequestMs?: number };
  retry?: { attempts?: number; codes: number[]; backoffMs?: number };
  sessionPersistence?: Record<string, unknown>;
  /** Set when the rule is dropped (route gets PartiallyInvalid or Accepted=False). */
  invalid?: { reason: string; message: string };
}

export interface RouteNode {
  kind: RouteKind;
  key: string;                    // ns/name
  namespace: string;
  name: string;
  source: string;                 // <kind lowercased>/<ns>/<name>
  object: { metadata?: unknown; spec?: unknown };
  generation: number;
  creationTimestamp: string;
  hostnames: string[];
  parents: ParentNode[];          // only parentRefs to our Gateways, spec order
  rules: RuleNode[];
}

export interface BackendTLSPolicyNode {
  key: string;
  source: string;
  object: BackendTLSPolicy;
  generation: number;
  /** Gateways (keys) whose routes use a Service this policy targets: the policy's ancestors. */
  ancestors: { gatewayKey: string; controllerName: string; conditions: NodeCondition[] }[];
}
