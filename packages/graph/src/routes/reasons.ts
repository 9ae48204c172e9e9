// Route reasons and feature names the shared model does not (yet) list.

export const ROUTE_REASON = {
  /** Accepted=False / rule dropped: e.g. RequestRedirect and URLRewrite in one rule. */
  IncompatibleFilters: "IncompatibleFilters",
  /** ResolvedRefs=False: the backend's appProtocol cannot be spoken by the class. */
  UnsupportedProtocol: "UnsupportedProtocol",
} as const;

/** Gateway API extended features for redirect status codes (conformance feature names). */
export const REDIRECT_FEATURE: Record<number, string | undefined> = {
  303: "HTTPRoute303RedirectStatusCode",
  307: "HTTPRoute307RedirectStatusCode",
  308: "HTTPRoute308RedirectStatusCode",
};

/**
 * Regular-expression matches are "Implementation-specific" in Gateway API, so there is
 * no upstream feature name. gatehouse uses these names in Capabilities.features so a
 * backend that cannot evaluate regexes (e.g. VPC Lattice) rejects them instead of
 * dropping them. GRPCRoute RegularExpression method matches need the path one (they
 * become path regexes); GRPCRoute header regexes need the header one.
 */
export const REGEX_FEATURE = {
  Path: "HTTPRoutePathRegularExpression",
  Header: "HTTPRouteHeaderRegularExpression",
  QueryParam: "HTTPRouteQueryParamRegularExpression",
} as const;
