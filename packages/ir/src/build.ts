import { ANNOTATION_PREFIX } from "@gatehouse/model";
import type { Graph, RouteNode } from "@gatehouse/graph";
import type { IRMemo } from "./memo.js";
import type { DesiredState } from "./types.js";
import { buildGateway } from "./gateways.js";
import { cmp } from "./util.js";

/**
 * Graph → desired state. Pure and deterministic: only accepted Gateways, only valid
 * listeners, only accepted route parents; every list sorted by a stable key.
 */
export function buildDesiredState(graph: Graph, memo?: IRMemo): DesiredState {
  memo?.begin();
  // Each Gateway looks only at the routes with a parent on it (same order as graph.routes).
  const byGateway = new Map<string, RouteNode[]>();
  for (const r of graph.routes ?? []) {
    const seen = new Set<string>();
    for (const p of r.parents ?? []) {
      if (seen.has(p.gatewayKey)) continue;
      seen.add(p.gatewayKey);
      let list = byGateway.get(p.gatewayKey);
      if (!list) byGateway.set(p.gatewayKey, (list = []));
      list.push(r);
    }
  }
  const gateways = (graph.gateways ?? [])
    .filter((g) => g.accepted)
    .sort((a, b) => cmp(a.key, b.key))
    .map((g) => buildGateway(g, byGateway.get(g.key) ?? [], memo));
  const annotations = ownAnnotations(graph, new Set(gateways.map((g) => g.key)));
  return Object.keys(annotations).length > 0 ? { gateways, annotations } : { gateways };
}


function prefixed(metadata: unknown): Record<string, string> | undefined {
  const a = (metadata as { annotations?: unknown } | undefined)?.annotations;
  if (a == null || typeof a !== "object") return undefined;
  const out: Record<string, string> = {};
  for (const k of Object.keys(a).sort()) {
    const v = (a as Record<string, unknown>)[k];
    if (k.startsWith(ANNOTATION_PREFIX) && typeof v === "string") out[k] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function ownAnnotations(graph: Graph, served: ReadonlySet<string>): Record<string, Record<string, string>> {
  const found: [string, Record<string, string>][] = [];
  for (const g of graph.gateways ?? []) {
    const a = served.has(g.key) ? prefixed(g.object?.metadata) : undefined;
    if (a) found.push([g.source, a]);
  }
  for (const r of graph.routes ?? []) {
    const a = (r.parents ?? []).some((p) => served.has(p.gatewayKey)) ? prefixed(r.object?.metadata) : undefined;
    if (a) found.push([r.source, a]);
  }
  found.sort((x, y) => cmp(x[0], y[0]));
  return Object.fromEntries(found);
}
