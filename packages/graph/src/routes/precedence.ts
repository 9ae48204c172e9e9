import type { HTTPMatchNode } from "../types.js";
import { cmp } from "../json.js";

/** One rule match with what the spec's tie-breakers need. */
export interface RankedMatch {
  match: HTTPMatchNode;
  creationTimestamp: string;
  /** `ns/name` of the route. */
  routeKey: string;
  ruleIndex: number;
  matchIndex: number;
}

const PATH_RANK = { Exact: 3, PathPrefix: 2, RegularExpression: 1 } as const;

/**
 * Gateway API precedence among matches on one listener and hostname, continuing on ties:
 * Exact path; longest prefix (regex paths rank below prefixes — implementation-specific in
 * the spec — and by length among themselves); method; most header matches; most query
 * matches; oldest route; route `ns/name` alphabetical; rule order; match order.
 * Two GRPCRoute matches rank by the GRPCRoute spec instead (see grpcRank).
 * Returns < 0 when `a` must be tried before `b`.
 */
export function compareMatches(a: RankedMatch, b: RankedMatch): number {
  return matchRank(a.match, b.match) || tieBreak(a, b);
}

/** Spec ranking of the matches themselves (0 when they rank the same). */
function matchRank(a: HTTPMatchNode, b: HTTPMatchNode): number {
  if (a.grpc && b.grpc) return grpcRank(a, b);
  const pa = a.path, pb = b.path;
  return (
    PATH_RANK[pb.type] - PATH_RANK[pa.type] ||
    pb.value.length - pa.value.length ||
    Number(b.method !== undefined) - Number(a.method !== undefined) ||
    b.headers.length - a.headers.length ||
    b.queryParams.length - a.queryParams.length
  );
}

/**
 * GRPCRoute: most characters in a matching service, then in a matching method, then most
 * header matches. Exact method matches rank above RegularExpression ones (whose length
 * says nothing; their precedence is implementation-specific).
 */
function grpcRank(a: HTTPMatchNode, b: HTTPMatchNode): number {
  const ga = a.grpc!, gb = b.grpc!;
  return (
    Number(gb.type === "Exact") - Number(ga.type === "Exact") ||
    (gb.service?.length ?? 0) - (ga.service?.length ?? 0) ||
    (gb.method?.length ?? 0) - (ga.method?.length ?? 0) ||
    b.headers.length - a.headers.length
  );
}

/** Across routes: oldest first, then `ns/name`; within a route: rule order, match order. */
function tieBreak(a: RankedMatch, b: RankedMatch): number {
  return (
    cmp(a.creationTimestamp, b.creationTimestamp) ||
    cmp(a.routeKey, b.routeKey) ||
    a.ruleIndex - b.ruleIndex ||
    a.matchIndex - b.matchIndex
  );
}


/**
 * Hostname specificity for virtual host order: exact names first, then wildcards with the
 * longest suffix, then the catch-all. Ties sort alphabetically for determinism.
 */
export function compareHostnames(a: string, b: string): number {
  return hostRank(b) - hostRank(a) || b.length - a.length || cmp(a, b);
}

function hostRank(h: string): number { return h === "*" ? 0 : h.startsWith("*.") ? 1 : 2; }
