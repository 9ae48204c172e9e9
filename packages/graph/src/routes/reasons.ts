// Route reasons and feature names, looked up by what the route validation needs.
import { FEATURE, REASON } from "@gatehouse/model";

export const ROUTE_REASON = {
  /** Accepted=False / rule dropped: e.g. RequestRedirect and URLRewrite in one rule. */
  IncompatibleFilters: REASON.IncompatibleFilters,
  /** ResolvedRefs=False: the backend's appProtocol cannot be spoken by the class. */
  UnsupportedProtocol: REASON.UnsupportedProtocol,
  /** Accepted=False (implementation-specific, as Envoy Gateway spells it): every listener the route attaches to is invalid. */
  NoReadyListeners: "NoReadyListeners",
} as const;

/** Gateway API extended features for redirect status codes (conformance feature names). */
export const REDIRECT_FEATURE: Record<number, string | undefined> = {
  303: FEATURE.HTTPRoute303RedirectStatusCode,
  307: FEATURE.HTTPRoute307RedirectStatusCode,
  308: FEATURE.HTTPRoute308RedirectStatusCode,
};

/**
 * Regex matches need these (gatehouse-defined) features. GRPCRoute RegularExpression
 * method matches need the path one (they become path regexes); header regexes the header one.
 */
export const REGEX_FEATURE = {
  Path: FEATURE.HTTPRoutePathRegularExpression,
  Header: FEATURE.HTTPRouteHeaderRegularExpression,
  QueryParam: FEATURE.HTTPRouteQueryParamRegularExpression,
} as const;
