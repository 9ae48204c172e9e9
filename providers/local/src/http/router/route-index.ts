// A virtual host's routes indexed by the first path segment, so a request only tries the
// routes that can match it (a linear scan of hundreds of routes costs microseconds).
// Exact and PathPrefix paths pin the first segment (PathPrefix has segment semantics, so
// `/api` can only match a first segment that is exactly `api`); regexes and the `/` prefix
// can match anything. Every list keeps the routes' precedence order.
import type { CompiledMatch } from "./match.js";

/** Below this many routes a plain scan is as fast as the lookup. */
const INDEX_FROM = 8;

export interface RouteIndex<R> {
  /** First segment → routes that can match it, in order; undefined: not indexed (scan `any`). */
  bySegment: Map<string, R[]> | undefined;
  /** Routes for a first segment no path pins: those that match any path. All routes when not indexed. */
  any: R[];
}

/** The first segment of a path (`/api/x` → `api`, `/` → ""), or undefined when it does not start with `/`. */
export function firstSegment(path: string): string | undefined {
  if (path.charCodeAt(0) !== 47) return undefined;
  const slash = path.indexOf("/", 1);
  return slash < 0 ? path.slice(1) : path.slice(1, slash);
}

/** The first segment every path this match accepts has, or undefined when it accepts several. */
function pinnedSegment(m: CompiledMatch): string | undefined {
  if (!m.usable || m.pathKind === 2) return undefined;
  if (m.pathKind === 1 && m.path === "") return undefined; // prefix `/`
  return firstSegment(m.path);
}

export function buildRouteIndex<R extends { match: CompiledMatch }>(routes: R[]): RouteIndex<R> {
  if (routes.length < INDEX_FROM) return { bySegment: undefined, any: routes };
  const pins = routes.map((r) => pinnedSegment(r.match));
  const bySegment = new Map<string, R[]>();
  for (const seg of pins) {
    if (seg === undefined || bySegment.has(seg)) continue;
    bySegment.set(seg, routes.filter((_, i) => pins[i] === undefined || pins[i] === seg));
  }
  return { bySegment, any: routes.filter((_, i) => pins[i] === undefined) };
}

/** The routes a path can match, in precedence order. */
export function candidates<R>(index: RouteIndex<R>, path: string): R[] {
  if (index.bySegment === undefined) return index.any;
  const seg = firstSegment(path);
  return (seg === undefined ? undefined : index.bySegment.get(seg)) ?? index.any;
}
