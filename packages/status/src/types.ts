import type { RouteKind, Snapshot } from "@gatehouse/model";
import type { Graph } from "@gatehouse/graph";
import type { ProviderResults } from "@gatehouse/provider-api";

export interface StatusInput {
  graph: Graph;
  /** One per provider that has applied; a Gateway without a result is Programmed=False/Pending. */
  results: readonly ProviderResults[];
  /** RFC 3339 time stamped on conditions whose status changed (injected: status is pure). */
  now: string;
  /**
   * Optional: the snapshot the graph was built from. With it, routes and BackendTLSPolicies
   * that are no longer in the graph but still carry entries of ours get those entries removed.
   */
  snapshot?: Snapshot;
  /**
   * Optional: every controllerName we serve. "Ours" is this list plus the controllerNames of
   * graph.gatewayClasses and results; pass it so stale entries are found even when a class is gone.
   */
  controllerNames?: readonly string[];
}

export type StatusKind = "GatewayClass" | "Gateway" | RouteKind | "BackendTLSPolicy";

/** The whole `.status` to PUT for one object: ours recomputed, other controllers' entries kept. */
export interface StatusUpdate {
  kind: StatusKind;
  namespace: string;
  name: string;
  generation: number;
  status: Record<string, unknown>;
}

/** A condition as written to the API server. */
export interface StatusCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  observedGeneration: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}
