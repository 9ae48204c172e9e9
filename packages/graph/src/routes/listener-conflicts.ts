// Routes that cannot share one listener; the oldest (creationTimestamp, then
// `namespace/name`) is served, the others get Accepted=False on that parent:
//  - an HTTPRoute and a GRPCRoute with intersecting hostnames (spec, GRPCRoute.spec.hostnames:
//    "MUST accept exactly one");
//  - two TCPRoutes, or two UDPRoutes, on one listener: nothing in a connection or datagram
//    tells them apart, so the newer would never receive traffic.
import { COND, REASON, cond } from "@gatehouse/model";
import type { ParentNode, RouteNode } from "../types.js";
import { hostnamesOverlap } from "../hostnames.js";
import { cmp } from "../json.js";

interface Entry { route: RouteNode; parent: ParentNode; listener: string; hostnames: string[] }

/**
 * Returns the routes with losers replaced by new nodes (never mutates: CoreSession reuses
 * route nodes across calls); every other route is returned as the same object.
 */
export function rejectListenerConflicts(routes: readonly RouteNode[]): RouteNode[] {
  const byListener = new Map<string, Entry[]>();
  for (const route of routes) {
    if (route.kind === "TLSRoute") continue;
    for (const parent of route.parents) {
      if (!parent.accepted) continue;
      for (const l of parent.listeners) {
        const key = `${parent.gatewayKey}/${l.name}`;
        const list = byListener.get(key);
        const e = { route, parent, listener: l.name, hostnames: l.hostnames };
        if (list) list.push(e); else byListener.set(key, [e]);
      }
    }
  }
  // parent → listener name → why it lost there
  const lost = new Map<ParentNode, Map<string, string>>();
  for (const entries of byListener.values()) {
    if (entries.length < 2) continue;
    const kept: Entry[] = [];
    for (const e of [...entries].sort(older)) {
      const winner = kept.find((k) => conflicts(k, e));
      if (!winner) { kept.push(e); continue; }
      let why = lost.get(e.parent);
      if (!why) lost.set(e.parent, (why = new Map()));
      why.set(e.listener, `listener ${e.listener} of Gateway ${e.parent.gatewayKey} already serves the older ${winner.route.kind} ${winner.route.key}; ${e.route.kind === "TCPRoute" || e.route.kind === "UDPRoute"
        ? `a ${e.route.kind} listener serves one route`
        : "an HTTPRoute and a GRPCRoute may not share a hostname on one listener"}`);
    }
  }
  if (lost.size === 0) return [...routes];
  return routes.map((r) => (r.parents.some((p) => lost.has(p)) ? { ...r, parents: r.parents.map((p) => withLost(p, lost.get(p))) } : r));
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

function conflicts(kept: Entry, e: Entry): boolean {
  if (e.route.kind === "TCPRoute" || e.route.kind === "UDPRoute") return kept.route.kind === e.route.kind;
  return kept.route.kind !== e.route.kind && intersects(kept.hostnames, e.hostnames);
}

/** Effective hostnames; [] means any host. */
function intersects(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return true;
  return a.some((x) => b.some((y) => hostnamesOverlap(x, y)));
}
