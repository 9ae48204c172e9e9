import type { Snapshot } from "@gatehouse/model";
import type { GatewayClassNode, GatewayNode, RouteNode } from "../types.js";
import type { ReferenceGrants } from "../refs.js";
import type { BackendTLSPolicies } from "../backends/backendtlspolicies.js";

export interface BuildRoutesInput {
  snapshot: Snapshot;
  gateways: readonly GatewayNode[];
  gatewayClasses: readonly GatewayClassNode[];
  grants: ReferenceGrants;
  tlsPolicies: BackendTLSPolicies;
}

/**
 * STUB: replaced by the routes work. Builds every route with a parentRef to one of our
 * Gateways, attaches it to listeners (incrementing listener.attachedRoutes), resolves
 * backends and validates matches/filters against the class capabilities.
 */
export function buildRoutes(_input: BuildRoutesInput): RouteNode[] {
  return [];
}
