import type { Graph } from "@gatehouse/graph";
import type { DesiredState } from "./types.js";

// STUB: replaced by the IR work.
export function buildDesiredState(_graph: Graph): DesiredState {
  return { gateways: [] };
}
