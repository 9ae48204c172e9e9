import type { Snapshot } from "@gatehouse/model";
import type { GatewayClassNode, GatewayNode } from "../types.js";
import type { ReferenceGrants } from "../refs.js";

export interface BuildGatewaysInput {
  snapshot: Snapshot;
  gatewayClasses: readonly GatewayClassNode[];
  grants: ReferenceGrants;
}

// STUB: replaced by the gateways work.
export function buildGateways(_input: BuildGatewaysInput): GatewayNode[] {
  return [];
}
