import { FEATURE, type Capabilities } from "@gatehouse/model";
import { CERTIFICATE_MAP_OPTION } from "./model.js";

export const GCP_CONTROLLER = "gatehouse.dev/gcp";

const F = FEATURE;

/**
 * What a Compute URL map can program (checked against the Compute API reference): header
 * and query matches, method through the `:method` pseudo-header, header actions on
 * requests/responses and per weighted backend, urlRedirect (scheme to https, host, path,
 * prefix; no port; 301/302/303/307/308), urlRewrite (host, path prefix), one request mirror
 * with a percentage, CORS, timeout, retry policy. Regex is declared because the regional
 * classes take it; on the global external class the provider reports it per rule.
 */
export const GCP_FEATURES: readonly string[] = [
  F.Gateway, F.GatewayStaticAddresses, F.ReferenceGrant, F.HTTPRoute,
  F.HTTPRouteQueryParamMatching, F.HTTPRouteMethodMatching,
  F.HTTPRouteResponseHeaderModification, F.HTTPRouteBackendRequestHeaderModification,
  F.HTTPRouteSchemeRedirect, F.HTTPRoutePathRedirect,
  F.HTTPRoute303RedirectStatusCode, F.HTTPRoute307RedirectStatusCode, F.HTTPRoute308RedirectStatusCode,
  F.HTTPRouteHostRewrite, F.HTTPRoutePathRewrite,
  F.HTTPRouteRequestMirror, F.HTTPRouteRequestPercentageMirror,
  F.HTTPRouteRequestTimeout, F.HTTPRouteRetry, F.HTTPRouteCORS,
  F.HTTPRouteBackendProtocolH2C, F.HTTPRouteBackendProtocolWebSocket,
  F.HTTPRoutePathRegularExpression, F.HTTPRouteHeaderRegularExpression, F.HTTPRouteQueryParamRegularExpression,
];

export function gcpCapabilities(controllerName: string = GCP_CONTROLLER): Capabilities {
  return {
    controllerName,
    protocols: ["HTTP", "HTTPS"],
    tlsModes: ["Terminate"],
    routeKinds: ["HTTPRoute"],
    features: [...GCP_FEATURES].sort(),
    filters: ["RequestHeaderModifier", "ResponseHeaderModifier", "RequestRedirect", "URLRewrite", "RequestMirror", "CORS"],
    certificateOptions: [CERTIFICATE_MAP_OPTION],
    parameters: [{ group: "gatehouse.dev", kind: "GCPConfig" }],
    // A URL map holds at most 2000 route rules per path matcher; one forwarding rule per port.
    limits: { rulesPerRoute: 1000, listenersPerGateway: 64 },
  };
}
