// Controller presets for the golden tests: what each of the three backends declares.
// They mirror what the real providers will declare (issues 4, 6, 7), so that a golden case
// under `lattice` or `gcp` shows exactly what the core reports for fields those backends
// cannot express.
import { ALL_FEATURES, FEATURE, ROUTE_KINDS, type Capabilities } from "@gatehouse/model";
import { LATTICE } from "@gatehouse/ir";

const F = FEATURE;

const REDIRECT_CODES = [F.HTTPRoute303RedirectStatusCode, F.HTTPRoute307RedirectStatusCode, F.HTTPRoute308RedirectStatusCode];

/** The local proxy: everything the core can carry. */
const full: Capabilities = {
  controllerName: "gatehouse.dev/local",
  protocols: ["HTTP", "HTTPS", "TLS", "TCP", "UDP"],
  tlsModes: ["Terminate", "Passthrough"],
  routeKinds: [...ROUTE_KINDS],
  features: [...ALL_FEATURES],
  limits: {},
};

/**
 * AWS VPC Lattice. Listeners HTTP/HTTPS (TLS passthrough is a Lattice listener type but
 * this preset keeps to HTTP/HTTPS as the golden brief fixes it). Lattice rules match one
 * path (exact/prefix), one method and up to 5 headers; OR-matches are expanded into several
 * Lattice rules, so the limit is on rules after expansion (priorities 1..100), not matches.
 * Forward actions take ≤ 10 target groups with weights 0..999. No query or regex matching,
 * no redirects, rewrites, mirrors, CORS, header modifiers, retries or session persistence.
 */
const lattice: Capabilities = {
  controllerName: "gatehouse.dev/aws-vpc-lattice",
  protocols: ["HTTP", "HTTPS"],
  tlsModes: ["Terminate"],
  routeKinds: ["HTTPRoute", "GRPCRoute"],
  features: [
    F.Gateway, F.ReferenceGrant, F.HTTPRoute, F.GRPCRoute,
    F.HTTPRouteMethodMatching, F.HTTPRouteParentRefPort,
    F.HTTPRouteBackendProtocolH2C,
  ],
  filters: [],
  certificateOptions: [LATTICE.certificateArnOption],
  limits: { rulesPerRoute: 100, backendsPerRule: 10, headerMatchesPerMatch: 5, hostnamesPerRoute: 1 },
};

/**
 * GCP external/internal Application Load Balancer via one URL map per Gateway. Route rules
 * support header and query matches (method through the `:method` pseudo-header), header
 * actions on requests, responses and per weighted backend, urlRedirect (scheme, host, path,
 * prefix; no port; codes 301/302/303/307/308), urlRewrite, one mirror with a percentage, CORS policy, timeout and
 * retry policy. Regex is not available on the global external scheme, so not declared.
 * Forwarding rules of external ALBs take ports 80/8080 (HTTP) and 443 (HTTPS).
 */
const gcp: Capabilities = {
  controllerName: "gatehouse.dev/gcp",
  protocols: ["HTTP", "HTTPS"],
  tlsModes: ["Terminate"],
  routeKinds: ["HTTPRoute"],
  features: [
    F.Gateway, F.GatewayStaticAddresses, F.ReferenceGrant, F.HTTPRoute,
    F.HTTPRouteQueryParamMatching, F.HTTPRouteMethodMatching,
    F.HTTPRouteResponseHeaderModification, F.HTTPRouteBackendRequestHeaderModification,
    F.HTTPRouteSchemeRedirect, F.HTTPRoutePathRedirect, ...REDIRECT_CODES,
    F.HTTPRouteHostRewrite, F.HTTPRoutePathRewrite,
    F.HTTPRouteRequestMirror, F.HTTPRouteRequestPercentageMirror,
    F.HTTPRouteRequestTimeout, F.HTTPRouteRetry, F.HTTPRouteCORS,
    F.HTTPRouteBackendProtocolH2C, F.HTTPRouteBackendProtocolWebSocket,
  ],
  limits: { ports: [80, 8080, 443] },
};

export const PRESETS: Readonly<Record<string, Capabilities>> = { full, lattice, gcp };

/** A fresh copy, so a case that overrides a preset never changes it for the next case. */
export function preset(name: string): Capabilities | undefined {
  const p = PRESETS[name];
  return p ? structuredClone(p) : undefined;
}
