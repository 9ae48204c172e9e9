// Per-worker counters of the fast path (tests and profiling read them).
export const fastStats = {
  /** Requests answered by the fast path. */
  requests: 0,
  /** Connections handed to Node's HTTP/1.1 server. */
  delegated: 0,
  /** Requests refused as malformed (400/431). */
  rejected: 0,
  /** Held writes that found a client's socket full (backpressure). */
  writesBlocked: 0,
  /** Why connections were handed over, by reason. */
  reasons: new Map<string, number>(),
};

export function countDelegation(reason: string): void {
  fastStats.delegated++;
  fastStats.reasons.set(reason, (fastStats.reasons.get(reason) ?? 0) + 1);
}
