import type { Capabilities, Snapshot } from "@gatehouse/model";
import { buildGraph, type Graph } from "@gatehouse/graph";
import { buildDesiredState, type DesiredState } from "@gatehouse/ir";
import type { ProviderResults } from "@gatehouse/provider-api";
import { computeStatuses, type StatusUpdate } from "@gatehouse/status";

export interface ComputeInput {
  snapshot: Snapshot;
  controllers: Capabilities[];
  results?: readonly ProviderResults[];
  now: string;
}

export interface ComputeOutput {
  graph: Graph;
  desired: DesiredState;
  statuses: StatusUpdate[];
}

/** The whole pure core: objects → graph → desired state, and statuses. */
export function compute(input: ComputeInput): ComputeOutput {
  const graph = buildGraph({ snapshot: input.snapshot, controllers: input.controllers });
  const desired = buildDesiredState(graph);
  const statuses = computeStatuses({
    graph,
    results: input.results ?? [],
    now: input.now,
    snapshot: input.snapshot,
    controllerNames: input.controllers.map((c) => c.controllerName),
  });
  return { graph, desired, statuses };
}
