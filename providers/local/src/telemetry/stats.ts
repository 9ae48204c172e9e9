// Per-thread counters of the data plane (each worker keeps its own; the main thread sums
// them on a scrape, see ../runtime/pool.ts and hub.ts). The request path touches only
// Float64Arrays indexed by small integers: a series id (gateway, listener, route, rule,
// backend) is looked up once per route site and backend, never built per request.
import { CODE_CLASSES, DURATION_BUCKETS, METHOD_CLASSES } from "./labels.js";

/** Slots of a series before its request histogram cells. */
export const U_CONNECT_ERRORS = 0;
export const U_RETRIES = 1;
export const U_TIMEOUTS = 2;
export const U_MIRRORS_SENT = 3;
export const U_MIRRORS_FAILED = 4;
export const L4_SESSIONS = 5;
export const L4_BYTES_IN = 6;
export const L4_BYTES_OUT = 7;
export const HEAD_SLOTS = 8;

const NB = DURATION_BUCKETS.length;
/** Per (method class, code class): NB finite buckets, +Inf, sum. */
export const CELL_SLOTS = NB + 2;
const CELLS = METHOD_CLASSES.length * CODE_CLASSES.length;
const SERIES_SLOTS = HEAD_SLOTS + CELLS * CELL_SLOTS;

/** Label values of a series: gateway, listener, route (ns/name), rule, backend, protocol. */
export type SeriesLabels = [gateway: string, listener: string, route: string, rule: string, backend: string, protocol: string];

export interface SeriesSnapshot {
  labels: SeriesLabels;
  head: number[];
  /** [cell index (method class * 5 + code class), NB+1 bucket counts then the sum]. */
  cells: [number, number[]][];
}

export interface ConnSnapshot {
  /** gateway, listener(s), protocol */
  labels: [string, string, string];
  opened: number;
  closed: number;
}

export interface StatsSnapshot {
  series: SeriesSnapshot[];
  conns: ConnSnapshot[];
  accessLog: { written: number; dropped: number };
  spans: { started: number };
}

class Stats {
  /** False when nobody collects (no registry): the request path skips the counting. */
  enabled = true;
  readonly labels: SeriesLabels[] = [];
  readonly data: Float64Array[] = [];
  private readonly ids = new Map<string, number>();
  readonly connLabels: [string, string, string][] = [];
  /** opened, closed per connection series. */
  conns = new Float64Array(64);
  private readonly connIds = new Map<string, number>();
  accessLogWritten = 0;
  accessLogDropped = 0;
  spansStarted = 0;
  /** Called before a snapshot: open L4 sessions add the bytes they moved so far. */
  readonly flushers = new Set<() => void>();

  series(labels: SeriesLabels): number {
    const key = labels.join("\u0000");
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.labels.length;
      this.labels.push(labels);
      this.data.push(new Float64Array(SERIES_SLOTS));
      this.ids.set(key, id);
    }
    return id;
  }

  connSeries(gateway: string, listener: string, protocol: string): number {
    const key = `${gateway}\u0000${listener}\u0000${protocol}`;
    let id = this.connIds.get(key);
    if (id === undefined) {
      id = this.connLabels.length;
      this.connLabels.push([gateway, listener, protocol]);
      this.connIds.set(key, id);
      if (this.conns.length < 2 * (id + 1)) {
        const grown = new Float64Array(this.conns.length * 2);
        grown.set(this.conns);
        this.conns = grown;
      }
    }
    return id;
  }

  snapshot(): StatsSnapshot {
    for (const f of this.flushers) {
      try { f(); } catch { /* a port closing meanwhile */ }
    }
    const series: SeriesSnapshot[] = [];
    for (let id = 0; id < this.labels.length; id++) {
      const d = this.data[id]!;
      const cells: [number, number[]][] = [];
      for (let c = 0; c < CELLS; c++) {
        const at = HEAD_SLOTS + c * CELL_SLOTS;
        let n = 0;
        for (let b = 0; b <= NB; b++) n += d[at + b]!;
        if (n > 0) cells.push([c, Array.from(d.subarray(at, at + CELL_SLOTS))]);
      }
      series.push({ labels: this.labels[id]!, head: Array.from(d.subarray(0, HEAD_SLOTS)), cells });
    }
    const conns: ConnSnapshot[] = this.connLabels.map((labels, id) => ({ labels, opened: this.conns[2 * id]!, closed: this.conns[2 * id + 1]! }));
    return { series, conns, accessLog: { written: this.accessLogWritten, dropped: this.accessLogDropped }, spans: { started: this.spansStarted } };
  }
}

/** This thread's counters. */
export const stats = new Stats();

/** One request: its method and code classes and duration (seconds) into the series' histogram. */
export function countRequest(id: number, method: number, code: number, seconds: number): void {
  const d = stats.data[id]!;
  const at = HEAD_SLOTS + (method * 5 + code) * CELL_SLOTS;
  let b = 0;
  while (b < NB && seconds > DURATION_BUCKETS[b]!) b++;
  d[at + b] = d[at + b]! + 1;
  d[at + NB + 1] = d[at + NB + 1]! + seconds;
}

export function countSeries(id: number, slot: number, n = 1): void {
  if (id < 0) return;
  const d = stats.data[id]!;
  d[slot] = d[slot]! + n;
}

export function connOpened(id: number): void {
  stats.conns[2 * id] = stats.conns[2 * id]! + 1;
}

export function connClosed(id: number): void {
  stats.conns[2 * id + 1] = stats.conns[2 * id + 1]! + 1;
}
