// A request the fast path routed but leaves to Node's server (mirrors, h2c/https backends,
// a body to buffer for retries): its decision rides on the socket, so the slow path carries
// it out instead of routing again (weighted picks stay exact, the request keeps its config).
import type { Socket } from "node:net";
import type { PortState } from "../port-state.js";
import type { Decision } from "../router/index.js";

export interface Decided {
  state: PortState;
  decision: Decision;
}

const kDecided = Symbol("fastDecided");
type Marked = Socket & { [kDecided]?: Decided };

export function markDecided(socket: Socket, d: Decided): void {
  (socket as Marked)[kDecided] = d;
}

/** The decision for the first request Node parses on this socket, if the fast path made one. */
export function takeDecided(socket: Socket | null | undefined): Decided | undefined {
  const m = socket as Marked | null | undefined;
  const d = m?.[kDecided];
  if (d !== undefined) m![kDecided] = undefined;
  return d;
}
