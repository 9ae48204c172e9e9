import type { Graph } from "@gatehouse/graph";
import type { DesiredState } from "./types.js";
import { buildGateway } from "./gateways.js";
import { cmp } from "./util.js";

/**
 * Graph → desired state. Pure and deterministic: only accepted Gateways, only valid
 * listeners, only accepted route parents; every list sorted by a stable key.
 */
export function buildDesiredState(graph: Graph): DesiredState {
  const routes = graph.routes ?? [];
  const gateways = (graph.gateways ?? [])
    .filter((g) => g.accepted)
    .sort((a, b) => cmp(a.key, b.key))
    .map((g) => buildGateway(g, routes));
  return { gateways };
}
