// Sums StatsSnapshots (one per worker, plus those of workers that exited) by label values:
// every worker numbers its series itself, the labels are what they share.
import type { SeriesLabels, StatsSnapshot } from "./stats.js";

export interface MergedSeries {
  labels: SeriesLabels;
  head: number[];
  /** By cell index (method class * 5 + code class): buckets then the sum. */
  cells: Map<number, number[]>;
}

export interface MergedStats {
  series: Map<string, MergedSeries>;
  conns: Map<string, { labels: [string, string, string]; opened: number; closed: number }>;
  accessLog: { written: number; dropped: number };
  spans: { started: number };
}

export function emptyMerged(): MergedStats {
  return { series: new Map(), conns: new Map(), accessLog: { written: 0, dropped: 0 }, spans: { started: 0 } };
}

function add(into: number[], from: readonly number[]): void {
  for (let i = 0; i < from.length; i++) into[i] = (into[i] ?? 0) + from[i]!;
}

export function mergeInto(m: MergedStats, s: StatsSnapshot): void {
  for (const x of s.series) {
    const key = x.labels.join("\u0000");
    let into = m.series.get(key);
    if (into === undefined) {
      into = { labels: x.labels, head: [], cells: new Map() };
      m.series.set(key, into);
    }
    add(into.head, x.head);
    for (const [cell, values] of x.cells) {
      let c = into.cells.get(cell);
      if (c === undefined) into.cells.set(cell, c = []);
      add(c, values);
    }
  }
  for (const c of s.conns) {
    const key = c.labels.join("\u0000");
    const into = m.conns.get(key);
    if (into === undefined) m.conns.set(key, { labels: c.labels, opened: c.opened, closed: c.closed });
    else {
      into.opened += c.opened;
      into.closed += c.closed;
    }
  }
  m.accessLog.written += s.accessLog.written;
  m.accessLog.dropped += s.accessLog.dropped;
  m.spans.started += s.spans.started;
}

/** Several snapshots as one (the counters of workers that exited, kept summed). */
export function combine(list: readonly StatsSnapshot[]): StatsSnapshot {
  const m = emptyMerged();
  for (const s of list) mergeInto(m, s);
  return {
    series: [...m.series.values()].map((x) => ({ labels: x.labels, head: x.head, cells: [...x.cells] })),
    conns: [...m.conns.values()],
    accessLog: { ...m.accessLog },
    spans: { ...m.spans },
  };
}
