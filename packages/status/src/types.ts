import type { RouteKind } from "@gatehouse/model";
import type { Graph } from "@gatehouse/graph";
import type { ProviderResults } from "@gatehouse/provider-api";

export interface StatusInput {
  graph: Graph;
  /** One per provider that has applied; a Gateway without a result is Programmed=False/Pending. */
  results: readonly ProviderResults[];
  /** RFC 3339 time stamped on conditions whose status changed (injected: status is pure). */
  now: string;
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
