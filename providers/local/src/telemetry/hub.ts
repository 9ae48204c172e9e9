// The proxy's Prometheus metrics on a prom-client Registry (the operator's /metrics). Every
// LocalProvider using the registry adds itself as a source; on a scrape the metrics ask each
// source for its workers' counters once (shared by every metric of that scrape), sum them by
// labels and render them. Nothing is pushed: workers only answer when asked (see
// ../runtime/pool.ts snapshots(), with a short timeout).
import type { Registry } from "prom-client";
import { CODE_CLASSES, DURATION_BUCKETS, METHOD_CLASSES } from "./labels.js";
import { emptyMerged, mergeInto, type MergedStats } from "./merge.js";
import {
  CELL_SLOTS, L4_BYTES_IN, L4_BYTES_OUT, L4_SESSIONS, U_CONNECT_ERRORS, U_MIRRORS_FAILED, U_MIRRORS_SENT, U_RETRIES, U_TIMEOUTS,
  type StatsSnapshot,
} from "./stats.js";

/** Config reloads (applies) of one provider, counted in the main thread. */
export class ReloadStats {
  ok = 0;
  error = 0;
  readonly buckets = new Array<number>(RELOAD_BUCKETS.length + 1).fill(0);
  sum = 0;

  add(seconds: number, ok: boolean): void {
    if (ok) this.ok++;
    else this.error++;
    let b = 0;
    while (b < RELOAD_BUCKETS.length && seconds > RELOAD_BUCKETS[b]!) b++;
    this.buckets[b]!++;
    this.sum += seconds;
  }
}

export const RELOAD_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface MetricsSource {
  /** Every worker's counters (plus those of workers that exited). */
  snapshots(): Promise<StatsSnapshot[]>;
  readonly reloads: ReloadStats;
}

type Labels = Record<string, string | number>;
interface Value { value: number; labels: Labels; metricName?: string }
interface MetricData { name: string; help: string; type: "counter" | "gauge" | "histogram"; values: Value[]; aggregator: "sum" }

/** Merged counters are reused for this long (one scrape asks once for all its metrics). */
const FRESH_MS = 200;

export class ProxyMetrics {
  private readonly sources = new Set<MetricsSource>();
  private pending: Promise<MergedStats> | null = null;
  private last: { at: number; merged: MergedStats } | null = null;
  private readonly names: string[] = [];

  private constructor(private readonly registry: Registry) {
    this.define();
  }

  private static readonly hubs = new WeakMap<Registry, ProxyMetrics>();

  /** The hub of a registry (created, with its metrics registered, on first use). */
  static of(registry: Registry): ProxyMetrics {
    let h = ProxyMetrics.hubs.get(registry);
    if (h === undefined) {
      h = new ProxyMetrics(registry);
      ProxyMetrics.hubs.set(registry, h);
    }
    return h;
  }

  /** Adds a source; the returned function removes it. */
  add(source: MetricsSource): () => void {
    this.sources.add(source);
    return () => { this.sources.delete(source); };
  }

  private merged(): Promise<MergedStats> {
    const last = this.last;
    if (last !== null && Date.now() - last.at < FRESH_MS) return Promise.resolve(last.merged);
    this.pending ??= (async () => {
      const m = emptyMerged();
      const all = await Promise.all([...this.sources].map((s) => s.snapshots().catch(() => [] as StatsSnapshot[])));
      for (const list of all) for (const s of list) mergeInto(m, s);
      return m;
    })().then((m) => {
      this.last = { at: Date.now(), merged: m };
      this.pending = null;
      return m;
    });
    return this.pending;
  }

  private metric(name: string, help: string, type: MetricData["type"], values: (m: MergedStats) => Value[]): void {
    const self = this;
    this.names.push(name);
    this.registry.registerMetric({
      name, help, type, aggregator: "sum",
      async get(): Promise<MetricData> {
        return { name, help, type, values: values(await self.merged()), aggregator: "sum" };
      },
      reset(): void {},
    } as unknown as Parameters<Registry["registerMetric"]>[0]);
  }

  private define(): void {
    const routeLabels = (l: readonly string[]): Labels => ({ gateway: l[0]!, listener: l[1]!, route: l[2]!, rule: l[3]!, backend: l[4]! });
    const http = (m: MergedStats) => [...m.series.values()].filter((s) => s.labels[5] === "http");
    const l4 = (m: MergedStats) => [...m.series.values()].filter((s) => s.labels[5] !== "http");
    const NB = DURATION_BUCKETS.length;
    const cellLabels = (cell: number): { method: string; code: string } => ({ method: METHOD_CLASSES[Math.floor(cell / 5)]!, code: CODE_CLASSES[cell % 5]! });
    const count = (v: number[]) => { let n = 0; for (let b = 0; b <= NB; b++) n += v[b] ?? 0; return n; };

    this.metric("gatehouse_proxy_requests_total", "HTTP requests served, by Gateway, listener, route, rule, backend, method class and status code class.", "counter", (m) =>
      http(m).flatMap((s) => [...s.cells].map(([cell, v]) => ({ labels: { ...routeLabels(s.labels), ...cellLabels(cell) }, value: count(v) }))));

    this.metric("gatehouse_proxy_request_duration_seconds", "Time from a request's head to the end of its response, seconds.", "histogram", (m) =>
      http(m).flatMap((s) => [...s.cells].flatMap(([cell, v]) => {
        const labels = { ...routeLabels(s.labels), ...cellLabels(cell) };
        const out: Value[] = [];
        let acc = 0;
        for (let b = 0; b < NB; b++) {
          acc += v[b] ?? 0;
          out.push({ metricName: "gatehouse_proxy_request_duration_seconds_bucket", labels: { ...labels, le: DURATION_BUCKETS[b]! }, value: acc });
        }
        acc += v[NB] ?? 0;
        out.push({ metricName: "gatehouse_proxy_request_duration_seconds_bucket", labels: { ...labels, le: "+Inf" }, value: acc });
        out.push({ metricName: "gatehouse_proxy_request_duration_seconds_sum", labels, value: v[CELL_SLOTS - 1] ?? 0 });
        out.push({ metricName: "gatehouse_proxy_request_duration_seconds_count", labels, value: acc });
        return out;
      })));

    const upstream = (slot: number) => (m: MergedStats) => [...m.series.values()]
      .filter((s) => s.labels[5] === "http" || slot === U_CONNECT_ERRORS)
      .map((s) => ({ labels: routeLabels(s.labels), value: s.head[slot] ?? 0 }));
    this.metric("gatehouse_proxy_upstream_connect_errors_total", "Connections to a backend endpoint that failed (refused, timed out, TLS), HTTP and L4.", "counter", upstream(U_CONNECT_ERRORS));
    this.metric("gatehouse_proxy_upstream_retries_total", "HTTP requests sent again after a retryable status (the route's retry policy).", "counter", upstream(U_RETRIES));
    this.metric("gatehouse_proxy_upstream_timeouts_total", "HTTP requests that hit the route's request or backend request timeout.", "counter", upstream(U_TIMEOUTS));
    this.metric("gatehouse_proxy_mirror_requests_total", "RequestMirror copies, by result: sent, failed (no endpoint, connect error, no answer).", "counter", (m) =>
      http(m).flatMap((s) => {
        const sent = s.head[U_MIRRORS_SENT] ?? 0, failed = s.head[U_MIRRORS_FAILED] ?? 0;
        if (sent === 0 && failed === 0) return [];
        return [{ labels: { ...routeLabels(s.labels), result: "sent" }, value: sent }, { labels: { ...routeLabels(s.labels), result: "failed" }, value: failed }];
      }));

    this.metric("gatehouse_proxy_active_connections", "Client connections open now (UDP: sessions), by Gateway, the listener(s) of the socket and protocol.", "gauge", (m) =>
      [...m.conns.values()].map((c) => ({ labels: { gateway: c.labels[0], listener: c.labels[1], protocol: c.labels[2] }, value: c.opened - c.closed })));
    this.metric("gatehouse_proxy_connections_total", "Client connections accepted (UDP: sessions started).", "counter", (m) =>
      [...m.conns.values()].map((c) => ({ labels: { gateway: c.labels[0], listener: c.labels[1], protocol: c.labels[2] }, value: c.opened })));

    this.metric("gatehouse_proxy_l4_sessions_total", "TCP, TLS and UDP sessions joined to a backend, by route and backend.", "counter", (m) =>
      l4(m).map((s) => ({ labels: { ...routeLabels(s.labels), protocol: s.labels[5] }, value: s.head[L4_SESSIONS] ?? 0 })));
    this.metric("gatehouse_proxy_l4_bytes_total", "Bytes of TCP, TLS and UDP sessions on the client side: received from clients, sent to clients.", "counter", (m) =>
      l4(m).flatMap((s) => [
        { labels: { ...routeLabels(s.labels), protocol: s.labels[5], direction: "received" }, value: s.head[L4_BYTES_IN] ?? 0 },
        { labels: { ...routeLabels(s.labels), protocol: s.labels[5], direction: "sent" }, value: s.head[L4_BYTES_OUT] ?? 0 },
      ]));

    this.metric("gatehouse_proxy_access_log_lines_total", "Access log lines, by result: written, dropped (the buffer was full or the file could not be opened).", "counter", (m) => [
      { labels: { result: "written" }, value: m.accessLog.written },
      { labels: { result: "dropped" }, value: m.accessLog.dropped },
    ]);
    this.metric("gatehouse_proxy_spans_total", "Sampled spans handed to the OTLP exporter.", "counter", (m) => [{ labels: {}, value: m.spans.started }]);

    const reloads = () => [...this.sources].map((s) => s.reloads);
    this.metric("gatehouse_proxy_config_reloads_total", "Configurations applied to the proxy workers, by result (ok, error: a port could not be bound or a LocalProxyConfig is invalid).", "counter", () => {
      const r = reloads();
      return [
        { labels: { result: "ok" }, value: r.reduce((n, x) => n + x.ok, 0) },
        { labels: { result: "error" }, value: r.reduce((n, x) => n + x.error, 0) },
      ];
    });
    this.metric("gatehouse_proxy_config_reload_duration_seconds", "Time for every worker to take a new configuration, seconds.", "histogram", () => {
      const r = reloads();
      const out: Value[] = [];
      let acc = 0;
      for (let b = 0; b <= RELOAD_BUCKETS.length; b++) {
        acc += r.reduce((n, x) => n + x.buckets[b]!, 0);
        out.push({ metricName: "gatehouse_proxy_config_reload_duration_seconds_bucket", labels: { le: b < RELOAD_BUCKETS.length ? RELOAD_BUCKETS[b]! : "+Inf" }, value: acc });
      }
      out.push({ metricName: "gatehouse_proxy_config_reload_duration_seconds_sum", labels: {}, value: r.reduce((n, x) => n + x.sum, 0) });
      out.push({ metricName: "gatehouse_proxy_config_reload_duration_seconds_count", labels: {}, value: acc });
      return out;
    });
  }
}
