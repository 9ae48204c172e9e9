import type { Capabilities, GatewayClass } from "@gatehouse/model";
import type { GatewayClassNode } from "../types.js";

// STUB: replaced by the gateways work.
export function buildGatewayClasses(_classes: readonly GatewayClass[], _controllers: readonly Capabilities[]): GatewayClassNode[] {
  return [];
}
