/** One HTTP call the fake received. */
export interface Call {
  /** 1, 2, 3, … in arrival order. */
  seq: number;
  /** Discovery method id: `compute.urlMaps.insert`, `compute.regionOperations.wait`; `unknown` when no route matched. */
  method: string;
  verb: string;
  /** Request path without the query string. */
  path: string;
  query: string;
  /** Whether the method changes state (insert, patch, update, delete, set*, attach/detach). */
  mutating: boolean;
  requestId: string | undefined;
  /** HTTP status sent; undefined while the call is in flight or hanging. */
  status: number | undefined;
  /** The injected fault that answered this call, if any. */
  injected: string | undefined;
  /** Whether an earlier call with the same requestId had created the operation (no second mutation). */
  replayed: boolean;
}

export interface CallFilter {
  method?: string | RegExp;
  mutating?: boolean;
  verb?: string;
  status?: number;
  /** Only calls after `mark()` returned this value. */
  since?: number;
}

/** Method ids are matched with or without the `compute.` prefix. */
export function methodMatches(want: string | RegExp | undefined, method: string): boolean {
  if (want === undefined) return true;
  if (typeof want === "string") return method === want || method === `compute.${want}`;
  return want.test(method);
}

/** The call log with counters, for assertions such as "a no-op reconcile made 0 mutating calls". */
export class CallLog {
  private readonly entries: Call[] = [];
  private seq = 0;
  private readonly listeners = new Set<(call: Call) => void>();

  /**
   * Calls `fn` after each call is answered (not for hung or dropped calls), e.g. to stop the
   * process under test after its k-th mutating call. Returns the unsubscribe function.
   */
  subscribe(fn: (call: Call) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  answered(call: Call): void {
    for (const fn of this.listeners) fn({ ...call });
  }

  record(c: Omit<Call, "seq" | "status" | "injected" | "replayed">): Call {
    const call: Call = { ...c, seq: ++this.seq, status: undefined, injected: undefined, replayed: false };
    this.entries.push(call);
    return call;
  }

  /** Every call so far (a copy). */
  all(): Call[] {
    return this.entries.map((c) => ({ ...c }));
  }

  list(f: CallFilter = {}): Call[] {
    return this.entries
      .filter(
        (c) =>
          (f.since === undefined || c.seq > f.since) &&
          methodMatches(f.method, c.method) &&
          (f.mutating === undefined || c.mutating === f.mutating) &&
          (f.verb === undefined || c.verb === f.verb) &&
          (f.status === undefined || c.status === f.status),
      )
      .map((c) => ({ ...c }));
  }

  count(f: CallFilter = {}): number {
    return this.list(f).length;
  }

  /** Mutating calls (optionally since a mark). */
  mutating(since?: number): number {
    return this.count(since === undefined ? { mutating: true } : { mutating: true, since });
  }

  /** Calls per method id, e.g. `{ "compute.urlMaps.insert": 1 }`. */
  byMethod(f: CallFilter = {}): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.list(f)) out[c.method] = (out[c.method] ?? 0) + 1;
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  /** The sequence number of the last call; pass it as `since` to count what follows. */
  mark(): number {
    return this.seq;
  }

  get total(): number {
    return this.entries.length;
  }

  clear(): void {
    this.entries.length = 0;
  }
}
