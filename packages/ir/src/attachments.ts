// Which routes serve on which listener, with the hostnames they serve there.
import type { GatewayNode, ListenerNode, RouteNode } from "@gatehouse/graph";
import type { IRMemo } from "./memo.js";

export interface Attachment {
  route: RouteNode;
  /** Effective hostnames on the listener: never empty ([] from the graph → listener hostname or `*`). */
  hostnames: string[];
  /** Listener name (set where attachments are kept per route). */
  listener?: string;
}

/** Effective hostnames when the graph says "any host": the listener's, or the catch-all. */
export function effectiveHostnames(hostnames: readonly string[], listener: ListenerNode): string[] {
  return hostnames.length > 0 ? [...hostnames] : [listener.hostname ?? "*"];
}

/**
 * Listener name → attachments. Only accepted parents of this Gateway count; a route that
 * reaches one listener through several parentRefs is merged (hostnames unioned).
 */
export function attachmentsByListener(gateway: GatewayNode, routes: readonly RouteNode[], memo?: IRMemo): Map<string, Attachment[]> {
  const listeners = new Map((gateway.listeners ?? []).filter((l) => l.valid).map((l) => [l.name, l]));
  if (memo) return memoAttachments(gateway, listeners, routes, memo);
  const merged = new Map<string, Map<string, { route: RouteNode; hosts: Set<string> }>>();
  for (const route of routes) {
    for (const parent of route.parents ?? []) {
      if (!parent.accepted || parent.gatewayKey !== gateway.key) continue;
      for (const pl of parent.listeners ?? []) {
        const listener = listeners.get(pl.name);
        if (!listener) continue;
        let byRoute = merged.get(listener.name);
        if (!byRoute) merged.set(listener.name, (byRoute = new Map()));
        const id = route.source;
        let entry = byRoute.get(id);
        if (!entry) byRoute.set(id, (entry = { route, hosts: new Set() }));
        for (const h of effectiveHostnames(pl.hostnames ?? [], listener)) entry.hosts.add(h);
      }
    }
  }
  const out = new Map<string, Attachment[]>();
  for (const [name, byRoute] of merged) {
    const list = [...byRoute.keys()].sort().map((k) => {
      const e = byRoute.get(k)!;
      return { route: e.route, hostnames: [...e.hosts].sort() };
    });
    out.set(name, list);
  }
  return out;
}

/** Same result as the walk above, from per-route attachments kept in the memo. */
function memoAttachments(
  gateway: GatewayNode, listeners: ReadonlyMap<string, ListenerNode>, routes: readonly RouteNode[], memo: IRMemo,
): Map<string, Attachment[]> {
  const scope = JSON.stringify([gateway.key, [...listeners.values()].map((l) => [l.name, l.hostname ?? null])]);
  return memo.gatewayAttachments(gateway.key, scope, routes, () => collect(gateway, scope, routes, memo));
}

function collect(gateway: GatewayNode, scope: string, routes: readonly RouteNode[], memo: IRMemo): Map<string, Attachment[]> {
  const lists = new Map<string, Attachment[]>();
  for (const route of routes) {
    const mine = memo.routeAttachments(route, gateway.key, scope, () => {
      const out: Attachment[] = [];
      for (const [name, [a]] of attachmentsByListener(gateway, [route])) if (a) out.push({ ...a, listener: name });
      return out;
    });
    for (const a of mine) {
      let list = lists.get(a.listener!);
      if (!list) lists.set(a.listener!, (list = []));
      list.push(a);
    }
  }
  for (const list of lists.values()) list.sort((a, b) => (a.route.source < b.route.source ? -1 : a.route.source > b.route.source ? 1 : 0));
  return lists;
}
