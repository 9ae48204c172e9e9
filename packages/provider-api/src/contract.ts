// The provider contract: what a backend declares and what it implements. Types and tokens
// only; implementations live in providers/*.
import type { Capabilities, GatewayStatusAddress } from "@gatehouse/model";
import type { DesiredState } from "@gatehouse/ir";

/** One intended change to the backend's world (a cloud resource, a proxy element). */
export interface PlannedChange {
  op: "create" | "update" | "delete";
  /** Provider resource type, e.g. `lattice:service`, `gcp:urlMap`, `local:listener`. */
  resource: string;
  /** Provider id/name of the resource. */
  id: string;
  /** IR source(s) the resource comes from; for deletes, the last known source. */
  sources: string[];
  /** Short human summary of what changes. */
  summary: string;
}

export interface Plan {
  controllerName: string;
  changes: PlannedChange[];
}

export interface ListenerResult { name: string; programmed: boolean; reason: string; message: string }

export interface GatewayResult {
  key: string;
  programmed: boolean;
  reason: string;                 // Programmed | Invalid | Pending | AddressNotAssigned | NoResources ...
  message: string;
  addresses: GatewayStatusAddress[];
  /** Every listener the provider serves; empty means "all follow the Gateway". A valid listener missing from a non-empty list is Pending. */
  listeners: ListenerResult[];
  /**
   * `gatehouse.dev/` annotations the leader sets on the Gateway (cloud resource ids/ARNs,
   * GKE-style resource lists); null removes a key. They come back in DesiredState.annotations.
   */
  annotations?: Record<string, string | null>;
}

export interface RouteResult {
  /** `<kind lowercased>/<ns>/<name>`, the route's graph source (see routeResultKey). */
  route: string;
  gatewayKey: string;
  /** An error programming this route on this parent; absent when fine. */
  error?: { reason: string; message: string };
  /** As GatewayResult.annotations, set on the route (e.g. the Lattice DNS name per parent). */
  annotations?: Record<string, string | null>;
}

/** What a provider reports after apply; merged into status by @gatehouse/status. */
export interface ProviderResults {
  controllerName: string;
  gateways: GatewayResult[];
  routes: RouteResult[];
  /**
   * Ask for another plan/apply after this many ms even if nothing changes (cloud resources in
   * transient states: CREATE_IN_PROGRESS, DRAINING, a pending operation). Absent: none.
   */
  requeueAfterMs?: number;
}

export interface FinalizeTarget {
  kind: string;
  namespace: string;
  name: string;
  /**
   * The deleted object's `gatehouse.dev/` annotations (ids a provider wrote through results):
   * a deleting object has left the desired state, so after a restart this is where they are.
   */
  annotations?: Record<string, string>;
}

export interface FinalizeResult {
  /** true: everything the object owned is gone, the finalizer may be removed. */
  done: boolean;
  message: string;
}

/** Cumulative counts of a cloud backend's API traffic since start (for the operator's metrics). */
export interface ProviderStats {
  /** One entry per (operation, result); `result`: success | error | throttled. */
  apiCalls: { operation: string; result: "success" | "error" | "throttled"; count: number }[];
  /** Attempts repeated after a transient failure (throttling, 5xx, timeout, reset). */
  retries: number;
}

export interface Provider {
  readonly capabilities: Capabilities;
  /** Cloud backends own external resources and need finalizers on Gateways and routes. */
  readonly needsFinalizer: boolean;
  /**
   * true: every replica plans and applies (the local backend serves traffic in each operator
   * process); false/absent: only the leader does (cloud backends: one writer per resource).
   */
  readonly everyReplica?: boolean;
  /** Desired state (all gateways; the provider takes its own) → intended changes. Must not mutate anything. */
  plan(desired: DesiredState): Promise<Plan>;
  /** Carries out a plan and reports per-object results. Must be idempotent. */
  apply(plan: Plan, desired: DesiredState): Promise<ProviderResults>;
  /** Removes what a deleted Gateway or route owned. */
  finalize(target: FinalizeTarget): Promise<FinalizeResult>;
  /** API call counts (cloud backends); absent when the backend calls no API. */
  stats?(): ProviderStats;
  /** Stops background work (servers, pollers). */
  close(): Promise<void>;
}
