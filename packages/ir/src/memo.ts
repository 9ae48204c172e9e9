// Reuse between successive desired-state builds (CoreSession): per-route IR entries by route
// node identity, and per-virtual-host sorted lists by the identity of what went into them.
// Purely a cache: a build with a memo gives the same output as one without.
import type { RouteNode } from "@gatehouse/graph";
import type { IRVirtualHost } from "./types.js";
import type { RankedEntry } from "./http-routes.js";

interface HostList { routes: readonly RouteNode[]; sorted: RankedEntry[] }
interface VHost { own: RankedEntry[]; inherited: RankedEntry[][]; vhost: IRVirtualHost }

export class IRMemo {
  /** Entries of a route node (nodes are immutable once built, so identity is enough). */
  readonly entries = new WeakMap<RouteNode, RankedEntry[]>();
  private prevLists = new Map<string, HostList>();
  private nextLists = new Map<string, HostList>();
  private prevHosts = new Map<string, VHost>();
  private nextHosts = new Map<string, VHost>();

  /** Starts a build: what the last build used stays available, what it did not use is dropped. */
  begin(): void {
    this.prevLists = this.nextLists;
    this.nextLists = new Map();
    this.prevHosts = this.nextHosts;
    this.nextHosts = new Map();
  }

  /** The sorted own list of a virtual host (`scope` names the listener), rebuilt only when its routes changed. */
  hostList(scope: string, routes: readonly RouteNode[], build: () => RankedEntry[]): RankedEntry[] {
    const prev = this.prevLists.get(scope);
    const list = prev && sameItems(prev.routes, routes) ? prev : { routes, sorted: build() };
    this.nextLists.set(scope, list);
    return list.sorted;
  }

  /** A whole virtual host, rebuilt only when its own list or an inherited list changed. */
  vhost(scope: string, own: RankedEntry[], inherited: RankedEntry[][], build: () => IRVirtualHost): IRVirtualHost {
    const prev = this.prevHosts.get(scope);
    const v = prev && prev.own === own && sameItems(prev.inherited, inherited) ? prev : { own, inherited, vhost: build() };
    this.nextHosts.set(scope, v);
    return v.vhost;
  }
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
