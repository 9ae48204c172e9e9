// Reuse between successive status computations (CoreSession): a route's status depends on its
// node, the controllers that are ours, the provider results and `now`; when all are the same
// as last time, last time's update is returned. Purely a cache.
import type { RouteNode } from "@gatehouse/graph";
import type { ProviderResults } from "@gatehouse/provider-api";
import type { StatusUpdate } from "./types.js";

interface Entry { ours: string; results: readonly ProviderResults[]; now: string; usesNow: boolean; update: StatusUpdate }

export class StatusMemo {
  private readonly routes = new WeakMap<RouteNode, Entry>();

  route(node: RouteNode, ours: string, results: readonly ProviderResults[], now: string, build: () => StatusUpdate): StatusUpdate {
    const prev = this.routes.get(node);
    if (prev && prev.ours === ours && sameResults(prev.results, results) && (prev.now === now || !prev.usesNow)) return prev.update;
    const update = build();
    this.routes.set(node, { ours, results, now, usesNow: mentions(update, now), update });
    return update;
  }
}

function sameResults(a: readonly ProviderResults[], b: readonly ProviderResults[]): boolean {
  return a === b || (a.length === 0 && b.length === 0);
}

/** Does any lastTransitionTime equal `now`? If none does, `now` was not used (conservative). */
function mentions(update: StatusUpdate, now: string): boolean {
  const parents = update.status.parents;
  if (!Array.isArray(parents)) return true;
  for (const p of parents) {
    const conditions = (p as { conditions?: unknown } | null)?.conditions;
    if (!Array.isArray(conditions)) continue;
    for (const c of conditions) if ((c as { lastTransitionTime?: unknown } | null)?.lastTransitionTime === now) return true;
  }
  return false;
}
