// Reuse between successive desired-state builds (CoreSession): per-route IR entries by route
// node identity, and per-virtual-host sorted lists by the identity of what went into them.
// Purely a cache: a build with a memo gives the same output as one without.
import type { RouteNode } from "@gatehouse/graph";
import type { ListenerNode } from "@gatehouse/graph";
import type { IRListener, IRVirtualHost } from "./types.js";
import type { RankedEntry } from "./http-routes.js";
import type { Attachment } from "./attachments.js";

interface HostList { routes: readonly RouteNode[]; sorted: RankedEntry[] }
interface VHost { own: RankedEntry[]; inherited: RankedEntry[][]; vhost: IRVirtualHost }
interface RouteAttachments { gateway: string; scope: string; attachments: Attachment[] }
interface GatewayAttachments { scope: string; routes: readonly RouteNode[]; lists: Map<string, Attachment[]> }
interface Listener { node: ListenerNode; attachments: readonly Attachment[]; ir: IRListener | undefined }

export class IRMemo {
  /** Entries of a route node (nodes are immutable once built, so identity is enough). */
  readonly entries = new WeakMap<RouteNode, RankedEntry[]>();
  private prevLists = new Map<string, HostList>();
  private nextLists = new Map<string, HostList>();
  private prevHosts = new Map<string, VHost>();
  private nextHosts = new Map<string, VHost>();
  private prevGateways = new Map<string, GatewayAttachments>();
  private nextGateways = new Map<string, GatewayAttachments>();
  private prevListeners = new Map<string, Listener>();
  private nextListeners = new Map<string, Listener>();
  /** A route's attachments on one Gateway, by listener name; `scope` names the Gateway and its valid listeners. */
  private readonly attachments = new WeakMap<RouteNode, RouteAttachments[]>();

  /** Starts a build: what the last build used stays available, what it did not use is dropped. */
  begin(): void {
    this.prevLists = this.nextLists;
    this.nextLists = new Map();
    this.prevHosts = this.nextHosts;
    this.nextHosts = new Map();
    this.prevGateways = this.nextGateways;
    this.nextGateways = new Map();
    this.prevListeners = this.nextListeners;
    this.nextListeners = new Map();
  }

  /** A Gateway's attachments by listener, recollected only when its routes or listeners changed. */
  gatewayAttachments(
    gateway: string, scope: string, routes: readonly RouteNode[], build: () => Map<string, Attachment[]>,
  ): Map<string, Attachment[]> {
    const prev = this.prevGateways.get(gateway);
    const g = prev && prev.scope === scope && sameItems(prev.routes, routes) ? prev : { scope, routes, lists: build() };
    this.nextGateways.set(gateway, g);
    return g.lists;
  }

  routeAttachments(route: RouteNode, gateway: string, scope: string, build: () => Attachment[]): Attachment[] {
    let list = this.attachments.get(route);
    if (!list) this.attachments.set(route, (list = []));
    let a = list.find((x) => x.scope === scope);
    if (!a) {
      // One entry per Gateway the route is on; a Gateway whose listeners changed replaces its entry.
      list.splice(0, list.length, ...list.filter((x) => x.gateway !== gateway));
      list.push((a = { gateway, scope, attachments: build() }));
    }
    return a.attachments;
  }

  /** A whole listener, rebuilt only when the listener node (but for attachedRoutes) or its attachments changed. */
  listener(scope: string, node: ListenerNode, attachments: readonly Attachment[], build: () => IRListener | undefined): IRListener | undefined {
    const prev = this.prevListeners.get(scope);
    const l = prev && sameListener(prev.node, node) && sameItems(prev.attachments, attachments) ? prev : { node, attachments, ir: build() };
    this.nextListeners.set(scope, l);
    return l.ir;
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

/** Same fields (by identity), attachedRoutes aside: the IR does not read it. */
function sameListener(a: ListenerNode, b: ListenerNode): boolean {
  if (a === b) return true;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (k === "attachedRoutes") continue;
    if ((a as unknown as Record<string, unknown>)[k] !== (b as unknown as Record<string, unknown>)[k]) return false;
  }
  return true;
}
