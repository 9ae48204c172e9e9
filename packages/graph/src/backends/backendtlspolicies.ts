import type { Snapshot } from "@gatehouse/model";
import type { BackendTLSNode, BackendTLSPolicyNode, GatewayNode, RouteNode } from "../types.js";

/**
 * BackendTLSPolicies indexed by target Service (and sectionName = Service port name).
 * STUB: replaced by the gateways work.
 */
export class BackendTLSPolicies {
  constructor(_snapshot: Snapshot) {}

  /** The policy that applies to this Service port, if any (conflicts resolved per spec: oldest, then alphabetical). */
  forService(_namespace: string, _service: string, _portName: string | undefined): BackendTLSNode | undefined {
    return undefined;
  }

  /** Policy nodes with ancestors (Gateways whose routes use a targeted Service) and conditions. */
  nodes(_gateways: readonly GatewayNode[], _routes: readonly RouteNode[]): BackendTLSPolicyNode[] {
    return [];
  }

  /** Every CA reference (ConfigMap or Secret) the policies name, for the operator's watches. */
  referencedKeys(): { kind: "ConfigMap" | "Secret"; key: string }[] {
    return [];
  }
}
