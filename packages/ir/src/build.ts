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
  return { gateways };
}
