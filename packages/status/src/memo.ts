// Reuse between successive status computations (CoreSession): a route's status depends on its
// node, the controllers that are ours, the provider results and `now`; when all are the same
// as last time, last time's update is returned. Purely a cache.
import type { RouteNode } from "@gatehouse/graph";
import type { ProviderResults } from "@gatehouse/provider-api";
import type { StatusUpdate } from "./types.js";

interface Entry { ours: string; results: readonly ProviderResults[]; now: string; usesNow: boolean; update: StatusUpdate }

export class StatusMemo {
  private readonly routes = new WeakMap<RouteNode, Entry>();
  private readonly prunes = new WeakMap<object, { kind: string; ours: string; update: StatusUpdate | undefined }>();
  private last: { unsorted: StatusUpdate[]; order: number[] } | undefined;

  /** pruneStale's update for one object (it depends on the object, its kind and ours only). */
  pruned(o: object, kind: string, ours: string, build: () => StatusUpdate | undefined): StatusUpdate | undefined {
    const prev = this.prunes.get(o);
    if (prev && prev.kind === kind && prev.ours === ours) return prev.update;
    const update = build();
    this.prunes.set(o, { kind, ours, update });
    return update;
  }

  /**
   * `out` sorted by `compare`. When every update is where the previous call had an update
   * for the same object, the previous order is reused (a stable sort of the same keys in the
   * same positions gives the same permutation).
   */
  sorted(out: StatusUpdate[], compare: (a: StatusUpdate, b: StatusUpdate) => number): StatusUpdate[] {
    const prev = this.last;
    let order: number[];
    if (prev && prev.unsorted.length === out.length && out.every((u, i) => sameObject(u, prev.unsorted[i]!))) {
      order = prev.order;
    } else {
      order = out.map((_, i) => i).sort((a, b) => compare(out[a]!, out[b]!));
    }
    this.last = { unsorted: out, order };
    return order.map((i) => out[i]!);
  }

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

function sameObject(a: StatusUpdate, b: StatusUpdate): boolean {
  return a === b || (a.kind === b.kind && a.namespace === b.namespace && a.name === b.name);
}
