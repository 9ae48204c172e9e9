// Incremental compute(): the operator's informer cache hands back the same object for an
// object that did not change, so work is reused by object identity. A route node depends on
// its route object and on every other object (the "context": classes, Gateways, Namespaces,
// grants, Services, EndpointSlices, policies, Secrets, ConfigMaps) plus the controllers.
// When the context is element-by-element identical to the previous call's, route nodes of
// identical route objects are reused and only changed or new routes are built; otherwise
// everything is rebuilt. The IR and status reuse their per-route and per-virtual-host work by
// route node identity. The output is always deep-equal to compute(input).
import { ROUTE_KINDS, emptySnapshot, keyOf as modelKeyOf, normalizeSnapshot, type Meta, type RouteKind, type Snapshot } from "@gatehouse/model";
import {
  buildRoute, finishGraph, graphContext, routeObjects, serviceKeysOf,
  type BuiltRoute, type GraphContext, type RouteNode, type RouteObject,
} from "@gatehouse/graph";
import { IRMemo } from "@gatehouse/ir";
import { StatusMemo } from "@gatehouse/status";
import { fromGraph, type ComputeInput, type ComputeOutput } from "./pipeline.js";

interface Previous {
  input: ComputeInput;
  ctx: GraphContext;
  /** Per route kind: the input list as given, whether it was already normalized, the objects used and their builds. */
  kinds: Map<RouteKind, KindState>;
  /** Listener id → attached routes, served key → routes, Service key → routes using it: totals over every build. */
  attached: Map<string, number>;
  served: Map<string, number>;
  services: Map<string, number>;
  servicesSorted: string[];
}

interface KindState {
  raw: unknown;
  clean: boolean;
  objects: readonly RouteObject[];
  builds: (BuiltRoute | undefined)[];
}

const ROUTE_KIND_SET: ReadonlySet<string> = new Set(ROUTE_KINDS);

export class CoreSession {
  private previous: Previous | undefined;
  private readonly ir = new IRMemo();
  private readonly status = new StatusMemo();
  /** Service keys of a route node, computed once per node. */
  private readonly serviceKeys = new WeakMap<RouteNode, string[]>();

  /** Same output as compute(input), reusing what the previous call built. */
  update(input: ComputeInput): ComputeOutput {
    const prev = this.previous;
    const reuse = prev !== undefined && sameContext(prev.input, input);
    const ctx = reuse ? prev.ctx : graphContext({ snapshot: input.snapshot, controllers: input.controllers });
    // The totals are updated in place: the previous state is never used again once replaced.
    const attached = reuse ? prev.attached : new Map<string, number>();
    const served = reuse ? prev.served : new Map<string, number>();
    const services = reuse ? prev.services : new Map<string, number>();
    let servicesChanged = !reuse;
    const count = (b: BuiltRoute | undefined, d: 1 | -1) => {
      if (!b) return;
      for (const k of b.attached) bump(attached, k, d);
      for (const k of b.served) bump(served, k, d);
      for (const k of this.keysOf(b.node)) if (bump(services, k, d)) servicesChanged = true;
    };

    const kinds = new Map<RouteKind, KindState>();
    const built: BuiltRoute[] = [];
    for (const kind of ROUTE_KINDS) {
      const raw = (input.snapshot as unknown as Record<string, unknown>)[kind];
      const was = reuse ? prev.kinds.get(kind) : undefined;
      const { objects, clean } = routeList(kind, raw, was);
      let builds: (BuiltRoute | undefined)[];
      if (was && was.objects === objects) {
        builds = was.builds;
      } else if (was && was.objects.length === objects.length) {
        // Same length: compare position by position (the usual single-object change).
        builds = was.builds.slice();
        for (let i = 0; i < objects.length; i++) {
          if (objects[i] === was.objects[i]) continue;
          count(was.builds[i], -1);
          count((builds[i] = buildRoute(kind, objects[i]!, ctx.routeContext)), 1);
        }
      } else {
        builds = [];
        const old = new Map<object, BuiltRoute | undefined>();
        if (was) was.objects.forEach((o, i) => old.set(o, was.builds[i]));
        for (const o of objects) {
          if (old.has(o)) { builds.push(old.get(o)); old.delete(o); continue; }
          const b = buildRoute(kind, o, ctx.routeContext);
          count(b, 1);
          builds.push(b);
        }
        for (const b of old.values()) count(b, -1);
      }
      for (const b of builds) if (b) built.push(b);
      kinds.set(kind, { raw, clean, objects, builds });
    }
    const servicesSorted = servicesChanged || !prev ? [...services.keys()].sort() : prev.servicesSorted;
    this.previous = { input, ctx, kinds, attached, served, services, servicesSorted };

    return fromGraph(finishGraph(ctx, built, { attached, served, services: servicesSorted }), input, { ir: this.ir, status: this.status });
  }

  private keysOf(node: RouteNode): string[] {
    let keys = this.serviceKeys.get(node);
    if (!keys) this.serviceKeys.set(node, (keys = serviceKeysOf(node)));
    return keys;
  }
}

/** Adds d to a count; true when the key appeared or disappeared. */
function bump(m: Map<string, number>, k: string, d: 1 | -1): boolean {
  const n = (m.get(k) ?? 0) + d;
  if (n === 0) { m.delete(k); return true; }
  m.set(k, n);
  return n === 1 && d === 1;
}

/**
 * The route objects of one kind, as buildGraph sees them (normalized, named, by key). When the
 * previous list was already in that form and the new one differs only at some positions, only
 * those positions are checked against their neighbours.
 */
function routeList(kind: RouteKind, raw: unknown, was: KindState | undefined): { objects: readonly RouteObject[]; clean: boolean } {
  if (was && raw === was.raw) return { objects: was.objects, clean: was.clean };
  if (was?.clean && Array.isArray(raw) && Array.isArray(was.raw) && raw.length === was.raw.length) {
    const prevRaw = was.raw as unknown[];
    let ok = true;
    for (let i = 0; i < raw.length && ok; i++) {
      if (raw[i] === prevRaw[i]) continue;
      ok = isRouteObject(raw[i]) &&
        (i === 0 || keyOf(raw[i - 1]) < keyOf(raw[i])) && (i === raw.length - 1 || keyOf(raw[i]) < keyOf(raw[i + 1]));
    }
    if (ok) return { objects: raw as RouteObject[], clean: true };
  }
  const snapshot = emptySnapshot() as unknown as Record<string, unknown>;
  snapshot[kind] = raw;
  const objects = routeObjects(normalizeSnapshot(snapshot as unknown as Snapshot), kind);
  return { objects, clean: Array.isArray(raw) && raw.length === objects.length && objects.every((o, i) => o === raw[i]) };
}

/** What normalizeSnapshot and routeObjects both keep: a plain object with a string name. */
function isRouteObject(o: unknown): o is RouteObject {
  if (!o || typeof o !== "object" || Array.isArray(o)) return false;
  const name = (o as { metadata?: { name?: unknown } }).metadata?.name;
  return typeof name === "string" && name !== "" && typeof keyOf(o) === "string";
}

function keyOf(o: unknown): string { return modelKeyOf(o as Meta); }

/** Every non-route list and the controllers identical, element by element. */
function sameContext(a: ComputeInput, b: ComputeInput): boolean {
  // Providers may hand over fresh but equal capability objects on each call.
  if (!sameItems(a.controllers, b.controllers) && !sameData(a.controllers, b.controllers)) return false;
  const sa = a.snapshot as unknown as Record<string, unknown>;
  const sb = b.snapshot as unknown as Record<string, unknown>;
  const kinds = new Set([...Object.keys(sa ?? {}), ...Object.keys(sb ?? {})]);
  for (const k of kinds) {
    if (ROUTE_KIND_SET.has(k)) continue;
    if (!sameItems(sa[k], sb[k])) return false;
  }
  return true;
}

function sameItems(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Structural equality of plain data (capabilities: strings, numbers, arrays, records). */
function sameData(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i]!;
    if (k !== kb[i] || !sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
