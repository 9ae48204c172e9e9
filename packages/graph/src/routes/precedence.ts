import type { HTTPMatchNode } from "../types.js";

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
 * Returns < 0 when `a` must be tried before `b`.
 */
export function compareMatches(a: RankedMatch, b: RankedMatch): number {
  const pa = a.match.path, pb = b.match.path;
  return (
    PATH_RANK[pb.type] - PATH_RANK[pa.type] ||
    pb.value.length - pa.value.length ||
    Number(b.match.method !== undefined) - Number(a.match.method !== undefined) ||
    b.match.headers.length - a.match.headers.length ||
    b.match.queryParams.length - a.match.queryParams.length ||
    cmp(a.creationTimestamp, b.creationTimestamp) ||
    cmp(a.routeKey, b.routeKey) ||
    a.ruleIndex - b.ruleIndex ||
    a.matchIndex - b.matchIndex
  );
}

function cmp(a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0; }

/**
 * Hostname specificity for virtual host order: exact names first, then wildcards with the
 * longest suffix, then the catch-all. Ties sort alphabetically for determinism.
 */
export function compareHostnames(a: string, b: string): number {
  return hostRank(b) - hostRank(a) || b.length - a.length || cmp(a, b);
}

function hostRank(h: string): number { return h === "*" ? 0 : h.startsWith("*.") ? 1 : 2; }
