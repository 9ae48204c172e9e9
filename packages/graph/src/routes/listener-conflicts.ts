// Routes that cannot share one listener: an HTTPRoute and a GRPCRoute with intersecting
// hostnames (spec, GRPCRoute.spec.hostnames: "MUST accept exactly one"); the oldest
// (creationTimestamp, then `namespace/name`) is served, the others get Accepted=False on that
// parent. Two TCPRoutes (or UDPRoutes) on one listener are both Accepted and attached (v1.6,
// conformance TCPRouteMultipleRoutesAttachment); the IR sends traffic to the oldest only.
import { COND, REASON, cond } from "@gatehouse/model";
import type { ParentNode, RouteNode } from "../types.js";
import { hostnamesOverlap } from "../hostnames.js";
import { cmp } from "../json.js";

interface Entry { route: RouteNode; parent: ParentNode; listener: string; hostnames: string[] }

/**
 * Returns the routes with losers replaced by new nodes (never mutates: CoreSession reuses
 * route nodes across calls); every other route is returned as the same object.
 */
export function rejectListenerConflicts(routes: readonly RouteNode[], served: ReadonlyMap<string, number>): RouteNode[] {
  const contested = contestedListeners(served);
  if (contested.size === 0) return [...routes];
  const byListener = new Map<string, Entry[]>();
  forEachServed(routes, (route, parent, listener, l) => {
    if (!contested.has(listener)) return;
    const list = byListener.get(listener);
    const e = { route, parent, listener: l.name, hostnames: l.hostnames };
    if (list) list.push(e); else byListener.set(listener, [e]);
  });
  // parent → listener name → why it lost there
  const lost = new Map<ParentNode, Map<string, string>>();
  for (const entries of byListener.values()) {
    for (const [e, winner] of losers(entries)) {
      let why = lost.get(e.parent);
      if (!why) lost.set(e.parent, (why = new Map()));
      why.set(e.listener, `listener ${e.listener} of Gateway ${e.parent.gatewayKey} already serves ${winner.route.kind} ${winner.route.key}, which was created first (or, created at the same time, sorts first by namespace/name); an HTTPRoute and a GRPCRoute may not share a hostname on one listener`);
    }
  }
  if (lost.size === 0) return [...routes];
  return routes.map((r) => (r.parents.some((p) => lost.has(p)) ? { ...r, parents: r.parents.map((p) => withLost(p, lost.get(p))) } : r));
}

/**
 * Where a route is served: `kind` NUL `gatewayKey/listener` per listener of an accepted parent.
 * Running totals of these keys (kept by CoreSession) find contested listeners without a pass
 * over every route on every incremental build.
 */
export function servedKeys(route: RouteNode): string[] {
  const keys: string[] = [];
  forEachServed([route], (r, _p, listener) => keys.push(`${r.kind}\u0000${listener}`));
  return keys;
}

/** Listeners (`gatewayKey/listener`) where two served routes might conflict. */
function contestedListeners(served: ReadonlyMap<string, number>): Set<string> {
  const perListener = new Map<string, Record<string, number>>();
  for (const [key, n] of served) {
    const sep = key.indexOf("\u0000");
    const listener = key.slice(sep + 1);
    let c = perListener.get(listener);
    if (!c) perListener.set(listener, (c = {}));
    c[key.slice(0, sep)] = n;
  }
  const out = new Set<string>();
  for (const [listener, c] of perListener) {
    if (c.HTTPRoute && c.GRPCRoute) out.add(listener);
  }
  return out;
}

function forEachServed(
  routes: readonly RouteNode[],
  f: (route: RouteNode, parent: ParentNode, listener: string, l: ParentNode["listeners"][number]) => void,
): void {
  for (const route of routes) {
    if (route.kind === "TLSRoute") continue;
    for (const parent of route.parents) {
      if (!parent.accepted) continue;
      for (const l of parent.listeners) f(route, parent, `${parent.gatewayKey}/${l.name}`, l);
    }
  }
}

function withLost(p: ParentNode, why: Map<string, string> | undefined): ParentNode {
  if (!why) return p;
  const listeners = p.listeners.filter((l) => !why.has(l.name));
  if (listeners.length > 0) return { ...p, listeners };
  const resolvedRefs = p.conditions.filter((c) => c.type === COND.ResolvedRefs);
  return {
    ...p, accepted: false, listeners: [],
    conditions: [cond(COND.Accepted, false, REASON.NotAllowedByListeners, [...why.values()].join("; ")), ...resolvedRefs],
  };
}

function older(a: Entry, b: Entry): number {
  return cmp(a.route.creationTimestamp, b.route.creationTimestamp) || cmp(a.route.key, b.route.key);
}

/** The entries of one listener that lose, each with the older entry it lost to. */
function losers(entries: readonly Entry[]): [Entry, Entry][] {
  if (entries.length < 2) return [];
  const kind = (k: string) => entries.filter((e) => e.route.kind === k).sort(older);
  const out: [Entry, Entry][] = [];
  const http = kind("HTTPRoute"), grpc = kind("GRPCRoute");
  if (http.length === 0 || grpc.length === 0) return out; // the common case: no pair to compare
  // Oldest first; an entry loses to an older accepted entry of the other kind it intersects.
  const kept = { HTTPRoute: [] as Entry[], GRPCRoute: [] as Entry[] };
  for (const e of [...http, ...grpc].sort(older)) {
    const other = kept[e.route.kind === "HTTPRoute" ? "GRPCRoute" : "HTTPRoute"];
    const winner = other.find((k) => intersects(k.hostnames, e.hostnames));
    if (winner) out.push([e, winner]); else kept[e.route.kind as "HTTPRoute" | "GRPCRoute"].push(e);
  }
  return out;
}

/** Effective hostnames; [] means any host. */
function intersects(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return true;
  return a.some((x) => b.some((y) => hostnamesOverlap(x, y)));
}
