// The desired state: what every backend must program, fully resolved. Providers read only
// this (never the graph or the Kubernetes objects). Every element carries `source`, the
// path of the YAML it came from, e.g. `httproute/default/web/rule/0/match/1`.
import type {
  BackendTLSNode, CORSConfig, EndpointNode, HTTPMatchNode, HeaderModifierConfig, RedirectConfig, RewriteConfig,
} from "@gatehouse/graph";

export interface DesiredState {
  /** Gateways of every class we serve, sorted by key; a provider takes those of its controllerName. */
  gateways: IRGateway[];
  /**
   * `gatehouse.dev/` annotations of the Gateways and routes above, keyed by their source
   * (`gateway/<ns>/<name>`, `httproute/<ns>/<name>`): what a cloud provider wrote back through
   * ProviderResults (resource ids) and reads on its next start. Objects without any are absent.
   */
  annotations?: Record<string, Record<string, string>>;
}

export interface IRGateway {
  key: string;
  source: string;
  namespace: string;
  name: string;
  className: string;
  controllerName: string;
  /** Requested addresses (spec.addresses). */
  addresses: { type: string; value: string }[];
  infrastructure?: { labels: Record<string, string>; annotations: Record<string, string> };
  /**
   * The GatewayClass parametersRef object, resolved (e.g. a gatehouse.dev LocalProxyConfig);
   * absent when the class has none. `spec` is the object's spec as found (the provider validates it).
   */
  parameters?: { group: string; kind: string; namespace?: string; name: string; spec: unknown };
  /** Valid listeners only, in spec order. */
  listeners: IRListener[];
  /**
   * Listeners grouped by port: one socket/forwarding rule per port. `listeners` is ordered
   * most specific hostname first (exact, then longer wildcards, then none), which is the
   * order a data plane must try them in for listener isolation.
   */
  ports: IRPort[];
}

export interface IRPort {
  port: number;
  protocol: "HTTP" | "HTTPS" | "TLS" | "TCP" | "UDP";
  listeners: string[];
}

export interface IRCertificate {
  source: string;
  certificatePem: string;
  privateKeyPem: string;
  dnsNames: string[];
}

export interface IRListener {
  name: string;
  source: string;
  port: number;
  protocol: "HTTP" | "HTTPS" | "TLS" | "TCP" | "UDP";
  hostname?: string;
  tls?: { mode: "Terminate" | "Passthrough"; certificates: IRCertificate[]; options: Record<string, string> };
  /**
   * HTTP and HTTPS listeners: virtual hosts, most specific hostname first (exact, then
   * wildcards by length, then "*"). A data plane picks the first whose hostname matches the
   * request's host, then the first route in it whose match matches (routes are in
   * Gateway API precedence order, one entry per rule match, HTTPRoute and GRPCRoute mixed).
   */
  virtualHosts: IRVirtualHost[];
  /** TLS listeners: TLSRoutes, routed by SNI. */
  tls_routes: IRL4Route[];
  /** TCP listeners. */
  tcp: IRL4Route[];
  /** UDP listeners. */
  udp: IRL4Route[];
}

/** Filters in the order they apply; configs are the graph's normalized ones (defaults applied). */
export type IRFilter = { source: string } & (
  | ({ type: "RequestHeaderModifier" | "ResponseHeaderModifier" } & HeaderModifierConfig)
  | ({ type: "RequestRedirect" } & RedirectConfig)
  | ({ type: "URLRewrite" } & RewriteConfig)
  | { type: "RequestMirror"; backend: IRBackend; percent: number }
  | ({ type: "CORS" } & CORSConfig)
);

export interface IRBackend {
  source: string;
  /** `Service/ns/name:port` — stable id for pools, target groups, backend services. */
  id: string;
  kind: string;
  namespace: string;
  name: string;
  port?: number;
  weight: number;
  protocol: "http" | "h2c" | "ws" | "https" | "tcp" | "udp" | "tls";
  endpoints: EndpointNode[];
  tls?: BackendTLSNode;
  filters: IRFilter[];
  /** Set when the reference is invalid: this share of traffic gets 500. */
  invalid?: { reason: string; message: string };
}

export interface IRVirtualHost {
  /** Exact host, `*.suffix` wildcard, or `*` for any host. */
  hostname: string;
  routes: IRHTTPRoute[];
}

export interface IRHTTPRoute {
  /** `<kind>/<ns>/<name>/rule/<i>/match/<j>` */
  source: string;
  /** `<kind>/<ns>/<name>` */
  route: string;
  kind: "HTTPRoute" | "GRPCRoute";
  ruleName?: string;
  match: HTTPMatchNode;
  filters: IRFilter[];
  backends: IRBackend[];
  timeouts?: { requestMs?: number; backendRequestMs?: number };
  retry?: { attempts?: number; codes: number[]; backoffMs?: number };
  sessionPersistence?: Record<string, unknown>;
  /**
   * Set when the entry is inherited from a less specific virtual host that also covers this
   * one (e.g. `*.example.com` inside `foo.example.com`): tried after the host's own routes.
   * Route-centric views skip these (they list each route under its own hostnames only).
   */
  fromHostname?: string;
  /** Answer directly instead of forwarding (500 when no backend is valid). */
  directResponse?: { status: number; reason: string };
}

export interface IRL4Route {
  source: string;                 // <kind>/<ns>/<name>/rule/<i>
  route: string;
  kind: "TLSRoute" | "TCPRoute" | "UDPRoute";
  /** TLSRoute SNI hostnames ([] = any). */
  hostnames: string[];
  backends: IRBackend[];
}
