// Every request the fake received, in order: what was asked, whether it changes state, and
// how it ended — so tests can count calls and stop a run after the k-th mutating call.

export interface CallRecord {
  /** 1-based order of arrival. */
  seq: number;
  /** Fake-clock time of arrival (ms since epoch). */
  at: number;
  operation: string;
  method: string;
  path: string;
  /** Create/Update/Delete/Put/Tag/Untag/Register/Deregister/BatchUpdate. */
  mutating: boolean;
  /** Path labels, query and JSON body as received. */
  input: { labels: Record<string, string>; query: Record<string, string | string[]>; body: unknown };
  /** HTTP status sent; undefined while pending or when the connection was hung/reset. */
  status?: number;
  /** Error code sent (x-amzn-errortype), if any. */
  error?: string;
  /** The injected fault that shaped the outcome, if any. */
  fault?: string;
  /** Whether the operation ran against the state (false for faults "before" and for errors). */
  applied: boolean;
}

export interface CallFilter {
  operation?: string | readonly string[];
  mutating?: boolean;
  /** Only calls the fake applied (state changed for mutating ones). */
  applied?: boolean;
  /** Only calls that got a 2xx. */
  ok?: boolean;
}

export type CallListener = (call: CallRecord) => void;

export class CallLog {
  private readonly records: CallRecord[] = [];
  private readonly listeners = new Set<CallListener>();
  private seqN = 0;

  /** Registers a call on arrival. */
  begin(r: Omit<CallRecord, "seq" | "applied">): CallRecord {
    const rec: CallRecord = { ...r, seq: ++this.seqN, applied: false };
    this.records.push(rec);
    return rec;
  }

  /** Reports a finished call to subscribers. */
  end(rec: CallRecord): void {
    for (const l of this.listeners) l(rec);
  }

  /** All calls (or those matching the filter), oldest first. */
  list(filter: CallFilter = {}): CallRecord[] {
    return this.records.filter((c) => matches(c, filter));
  }

  count(filter: CallFilter = {}): number {
    return this.list(filter).length;
  }

  /** Per-operation counts. */
  counters(filter: CallFilter = {}): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.list(filter)) out[c.operation] = (out[c.operation] ?? 0) + 1;
    return out;
  }

  /** Subscribes to finished calls; returns the unsubscribe function. */
  on(listener: CallListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets recorded calls (subscribers stay). The sequence restarts at 1. */
  clear(): void {
    this.records.length = 0;
    this.seqN = 0;
  }
}

export function matches(c: { operation: string; mutating: boolean; applied?: boolean; status?: number }, f: CallFilter): boolean {
  if (f.operation !== undefined) {
    const ops = typeof f.operation === "string" ? [f.operation] : f.operation;
    if (!ops.includes(c.operation)) return false;
  }
  if (f.mutating !== undefined && c.mutating !== f.mutating) return false;
  if (f.applied !== undefined && c.applied !== f.applied) return false;
  if (f.ok !== undefined && (c.status !== undefined && c.status >= 200 && c.status < 300) !== f.ok) return false;
  return true;
}
