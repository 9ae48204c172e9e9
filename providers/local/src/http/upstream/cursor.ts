// Endpoint choice for one request: round robin over the backend's endpoints, skipping those
// ejected by passive health; each endpoint is tried at most once per round. When every
// endpoint is ejected the round tries them all anyway (like Envoy's panic mode) rather than
// failing without a single attempt.
import type { BackendState } from "./backend-set.js";
import type { Endpoint } from "./endpoints.js";

/** Kept by the request itself (no extra object per request). */
export interface Cursor {
  ringStart: number;
  /** Positions of the ring already visited in this round; 0 = round not started. */
  ringPos: number;
  panic: boolean;
  /** Endpoints handed out in this round. */
  tried: number;
}

export function resetCursor(c: Cursor): void {
  c.ringPos = 0;
  c.panic = false;
  c.tried = 0;
}

export function nextEndpoint(b: BackendState, c: Cursor, now: number): Endpoint | null {
  const eps = b.endpoints;
  const n = eps.length;
  if (n === 0) return null;
  if (c.ringPos === 0 && c.tried === 0 && !c.panic) {
    c.ringStart = b.rr;
    b.rr = b.rr + 1 >= n ? 0 : b.rr + 1;
  }
  for (;;) {
    while (c.ringPos < n) {
      const ep = eps[(c.ringStart + c.ringPos++) % n]!;
      if (c.panic || ep.ejectedUntil <= now) {
        c.tried++;
        return ep;
      }
    }
    if (c.panic || c.tried > 0) return null;
    c.panic = true;
    c.ringPos = 0;
  }
}
