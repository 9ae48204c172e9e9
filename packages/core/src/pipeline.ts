import type { Capabilities, Snapshot } from "@gatehouse/model";
import { buildGraph, type Graph } from "@gatehouse/graph";
import { buildDesiredState, type DesiredState, type IRMemo } from "@gatehouse/ir";
import type { ProviderResults } from "@gatehouse/provider-api";
import { computeStatuses, type StatusMemo, type StatusUpdate } from "@gatehouse/status";

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
  return fromGraph(buildGraph({ snapshot: input.snapshot, controllers: input.controllers }), input);
}

/** Graph → desired state and statuses; the memos (CoreSession's) only reuse work, never change the result. */
export function fromGraph(graph: Graph, input: ComputeInput, memo?: { ir: IRMemo; status: StatusMemo }): ComputeOutput {
  const desired = buildDesiredState(graph, memo?.ir);
  const statuses = computeStatuses({
    graph,
    results: input.results ?? [],
    now: input.now,
    snapshot: input.snapshot,
    controllerNames: input.controllers.map((c) => c.controllerName),
  }, memo?.status);
  return { graph, desired, statuses };
}
