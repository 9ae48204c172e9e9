import type { GatewayClassNode } from "@gatehouse/graph";
import { isObject, previousConditions, toConditions } from "./conditions.js";
import type { StatusUpdate } from "./types.js";

/** A GatewayClass of ours: its Accepted/SupportedVersion conditions and supportedFeatures. */
export function gatewayClassStatus(node: GatewayClassNode, now: string): StatusUpdate {
  const old = isObject(node.object?.status) ? node.object.status as Record<string, unknown> : {};
  const features = [...new Set((node.supportedFeatures ?? []).filter((f) => typeof f === "string" && f !== ""))]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    kind: "GatewayClass",
    namespace: "",
    name: node.name,
    generation: node.generation,
    status: {
      conditions: toConditions(node.conditions, previousConditions(old.conditions), node.generation, now),
      // v1.6 shape: a list of {name}.
      supportedFeatures: features.map((name) => ({ name })),
    },
  };
}
