// Which routes serve on which listener, with the hostnames they serve there.
import type { GatewayNode, ListenerNode, RouteNode } from "@gatehouse/graph";

export interface Attachment {
  route: RouteNode;
  /** Effective hostnames on the listener: never empty ([] from the graph → listener hostname or `*`). */
  hostnames: string[];
}

/** Effective hostnames when the graph says "any host": the listener's, or the catch-all. */
export function effectiveHostnames(hostnames: readonly string[], listener: ListenerNode): string[] {
  return hostnames.length > 0 ? [...hostnames] : [listener.hostname ?? "*"];
}

/**
 * Listener name → attachments. Only accepted parents of this Gateway count; a route that
 * reaches one listener through several parentRefs is merged (hostnames unioned).
 */
export function attachmentsByListener(gateway: GatewayNode, routes: readonly RouteNode[]): Map<string, Attachment[]> {
  const listeners = new Map((gateway.listeners ?? []).filter((l) => l.valid).map((l) => [l.name, l]));
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
