import { normalizeSnapshot } from "@gatehouse/model";
import type { Graph, GraphInput, RouteNode } from "./types.js";
import { ReferenceGrants } from "./refs.js";
import { rejectListenerConflicts } from "./routes/listener-conflicts.js";
import { buildGatewayClasses } from "./gateways/gatewayclasses.js";
import { buildGateways } from "./gateways/gateways.js";
import { BackendTLSPolicies } from "./backends/backendtlspolicies.js";
import {
  countKeys, buildAllRoutes, withAttachedRoutes, routeContext, type BuildRoutesInput, type BuiltRoute, type RouteContext,
} from "./routes/routes.js";

/**
 * Snapshot + the controllers we serve → graph. Pure and deterministic: the same objects in
 * any order give the same graph, and no input makes it throw.
 */
export function buildGraph(input: GraphInput): Graph {
  const ctx = graphContext(input);
  return finishGraph(ctx, buildAllRoutes(ctx.snapshot, ctx.routeContext));
}

/** What every route node depends on: all objects but the routes, resolved once. */
export interface GraphContext extends BuildRoutesInput {
  routeContext: RouteContext;
}

export function graphContext(input: GraphInput): GraphContext {
  const snapshot = normalizeSnapshot(input.snapshot);
  const grants = new ReferenceGrants(snapshot.ReferenceGrant);
  const gatewayClasses = buildGatewayClasses(snapshot.GatewayClass, input.controllers, snapshot);
  const gateways = buildGateways({ snapshot, gatewayClasses, grants });
  const tlsPolicies = new BackendTLSPolicies(snapshot);
  const base = { snapshot, gatewayClasses, gateways, grants, tlsPolicies };
  return { ...base, routeContext: routeContext(base) };
}

/**
 * What finishGraph would derive from every built route, kept up to date by a caller that
 * rebuilds routes one at a time (CoreSession): listener id → attached route count
 * (see BuiltRoute.attached), and the sorted Service keys the routes reference.
 */
export interface RouteTotals {
  attached: ReadonlyMap<string, number>;
  /** BuiltRoute.served key → count. */
  served: ReadonlyMap<string, number>;
  services: readonly string[];
}

/** Built routes (in buildAllRoutes order) + their context → the graph (attachedRoutes counted here). */
export function finishGraph(
  ctx: Pick<GraphContext, "gatewayClasses" | "gateways" | "tlsPolicies">, built: readonly BuiltRoute[], totals?: RouteTotals,
): Graph {
  const gateways = withAttachedRoutes(ctx.gateways, totals?.attached ?? countKeys(built, "attached"));
  const routes = rejectListenerConflicts(built.map((b) => b.node), totals?.served ?? countKeys(built, "served"));
  const referenced = collectReferences(gateways, totals?.services ?? routeServiceKeys(routes), ctx.tlsPolicies);
  return {
    gatewayClasses: [...ctx.gatewayClasses], gateways, routes,
    backendTLSPolicies: ctx.tlsPolicies.nodes(gateways, routes), referenced,
  };
}

/** Service keys (`ns/name`) a route's backends and mirrors use, unsorted, each once. */
export function serviceKeysOf(r: RouteNode): string[] {
  const services = new Set<string>();
  for (const rule of r.rules) {
    for (const b of rule.backends) if (b.serviceKey) services.add(b.serviceKey);
    for (const f of rule.filters) if (f.type === "RequestMirror" && f.mirror.serviceKey) services.add(f.mirror.serviceKey);
  }
  return [...services];
}

function routeServiceKeys(routes: readonly RouteNode[]): string[] {
  const services = new Set<string>();
  for (const r of routes) for (const k of serviceKeysOf(r)) services.add(k);
  return [...services].sort();
}

function collectReferences(
  gateways: Graph["gateways"], services: readonly string[], tls: BackendTLSPolicies,
): Graph["referenced"] {
  const secrets = new Set<string>();
  for (const g of gateways) {
    for (const l of g.listeners) {
      for (const ref of l.certificateRefKeys ?? []) secrets.add(ref);
    }
  }
  const configMaps = new Set<string>();
  for (const ref of tls.referencedKeys()) (ref.kind === "Secret" ? secrets : configMaps).add(ref.key);
  const sorted = (s: Set<string>) => [...s].sort();
  return { secrets: sorted(secrets), configMaps: sorted(configMaps), services: [...services] };
}
