// One IRHTTPRoute per (rule, match) of an HTTPRoute/GRPCRoute, with the data the spec's
// precedence needs kept alongside for sorting.
import type { HTTPMatchNode, RankedMatch, RouteNode, RuleNode } from "@gatehouse/graph";
import type { IRFilter, IRHTTPRoute } from "./types.js";
import { buildBackend, buildBackends, forwardableWeight } from "./backends.js";
import { buildFilters } from "./filters.js";

export interface RankedEntry { entry: IRHTTPRoute; rank: RankedMatch }

/** The spec default when a rule has no matches (the graph normally fills it in already). */
export const DEFAULT_MATCH: HTTPMatchNode = { path: { type: "PathPrefix", value: "/" }, headers: [], queryParams: [] };

/** Status for a rule that can forward nothing. GRPCRoute data planes send UNAVAILABLE (14) instead. */
export const NO_BACKEND_STATUS = 500;

/**
 * Why a rule answers directly: no redirect (the only filter that produces a response) and
 * no valid backend with a non-zero weight (all invalid, all weight 0, or none at all).
 */
export function directResponseFor(filters: readonly IRFilter[], backends: ReturnType<typeof buildBackends>):
  IRHTTPRoute["directResponse"] {
  if (filters.some((f) => f.type === "RequestRedirect")) return undefined;
  if (backends.length === 0) return { status: NO_BACKEND_STATUS, reason: "NoBackends" };
  if (backends.every((b) => b.invalid)) return { status: NO_BACKEND_STATUS, reason: "AllBackendsInvalid" };
  if (forwardableWeight(backends) === 0) return { status: NO_BACKEND_STATUS, reason: "AllBackendsZeroWeight" };
  return undefined;
}

function ruleEntries(route: RouteNode, rule: RuleNode): RankedEntry[] {
  const filters = buildFilters(rule.filters, buildBackend);
  const backends = buildBackends(rule.backends);
  const unresolved = rule.filters.some((f) => f.type === "ExtensionRef");
  const direct = unresolved
    ? { status: NO_BACKEND_STATUS, reason: "UnresolvedExtensionRef" }
    : directResponseFor(filters, backends);
  const matches = rule.matches && rule.matches.length > 0 ? rule.matches : [DEFAULT_MATCH];
  return matches.map((match, j) => {
    const entry: IRHTTPRoute = {
      source: `${rule.source}/match/${j}`,
      route: route.source,
      kind: route.kind === "GRPCRoute" ? "GRPCRoute" : "HTTPRoute",
      match,
      filters,
      backends,
    };
    if (rule.name !== undefined) entry.ruleName = rule.name;
    if (rule.timeouts) entry.timeouts = rule.timeouts;
    if (rule.retry) entry.retry = rule.retry;
    if (rule.sessionPersistence) entry.sessionPersistence = rule.sessionPersistence;
    if (direct) entry.directResponse = direct;
    const rank: RankedMatch = {
      match,
      creationTimestamp: route.creationTimestamp ?? "",
      routeKey: route.key,
      ruleIndex: rule.index,
      matchIndex: j,
    };
    return { entry, rank };
  });
}

/** Entries of every valid rule of one route (rules marked `invalid` are dropped). */
export function routeEntries(route: RouteNode): RankedEntry[] {
  const out: RankedEntry[] = [];
  for (const rule of route.rules ?? []) {
    if (rule.invalid) continue;
    out.push(...ruleEntries(route, rule));
  }
  return out;
}
