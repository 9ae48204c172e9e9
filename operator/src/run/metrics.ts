// Prometheus metrics of one operator process, on a Registry of its own (never prom-client's
// global one: tests run several operators in one process).
import { injectable } from "inversify";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { ProviderStats } from "@gatehouse/provider-api";

/** A provider's cumulative API call counts (ProviderStats), by controller. */
export interface ControllerStats { controller: string; stats: ProviderStats }

/** Counters a Source keeps about its watches, per kind (see KubeSource). */
export interface SourceCounters { kind: string; restarts: number; relists: number }

@injectable()
export class Metrics {
  readonly registry = new Registry();
  readonly reconciles: Counter<"result">;
  readonly reconcileDuration: Histogram;
  readonly reconcileErrors: Counter<"stage">;
  readonly queueDepth: Gauge;
  readonly statusWrites: Counter<"result">;
  readonly leader: Gauge;
  readonly objects: Gauge<"kind">;
  readonly events: Counter<"reason">;
  readonly providerApplies: Counter<"controller" | "result">;
  readonly timeToProgrammed: Histogram<"controller">;
  private sourceCounters: () => readonly SourceCounters[] = () => [];
  private providerStats: () => readonly ControllerStats[] = () => [];
  private waiting: () => Map<string, { count: number; oldestSeconds: number }> = () => new Map();

  constructor() {
    const registers = [this.registry];
    this.reconciles = new Counter({
      name: "gatehouse_reconcile_total", help: "Reconciles run, by result (success, error).", labelNames: ["result"], registers,
    });
    this.reconcileDuration = new Histogram({
      name: "gatehouse_reconcile_duration_seconds", help: "Time of one reconcile: snapshot, compute, providers, status writes.",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers,
    });
    this.reconcileErrors = new Counter({
      name: "gatehouse_reconcile_errors_total", help: "Errors during reconciles, by stage (compute, provider, status, finalizer, event).",
      labelNames: ["stage"], registers,
    });
    this.queueDepth = new Gauge({
      name: "gatehouse_reconcile_queue_depth", help: "Changes notified and not yet picked up by a reconcile.", registers,
    });
    this.statusWrites = new Counter({
      name: "gatehouse_status_writes_total", help: "Status updates by result (written, unchanged, conflict, error, skipped = equal to the cache).",
      labelNames: ["result"], registers,
    });
    this.leader = new Gauge({ name: "gatehouse_leader", help: "1 while this process holds the leader Lease.", registers });
    this.objects = new Gauge({ name: "gatehouse_objects", help: "Objects in the watch cache, by kind.", labelNames: ["kind"], registers });
    this.events = new Counter({ name: "gatehouse_events_total", help: "Kubernetes Events recorded, by reason.", labelNames: ["reason"], registers });
    this.providerApplies = new Counter({
      name: "gatehouse_provider_apply_total", help: "Provider plan+apply runs, by controller and result.", labelNames: ["controller", "result"], registers,
    });
    const counters = () => this.sourceCounters();
    new Counter({
      name: "gatehouse_informer_restarts_total", help: "Watches restarted after an error, by kind.", labelNames: ["kind"], registers,
      collect() { this.reset(); for (const c of counters()) this.inc({ kind: c.kind }, c.restarts); },
    });
    new Counter({
      name: "gatehouse_informer_relists_total", help: "Full relists (initial, 410 Gone, restart), by kind.", labelNames: ["kind"], registers,
      collect() { this.reset(); for (const c of counters()) this.inc({ kind: c.kind }, c.relists); },
    });
    this.timeToProgrammed = new Histogram({
      name: "gatehouse_gateway_programmed_seconds",
      help: "Time from the first reconcile that saw a Gateway generation not programmed to Programmed=True, by controller.",
      labelNames: ["controller"], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600], registers,
    });
    const waiting = () => this.waiting();
    new Gauge({
      name: "gatehouse_gateways_not_programmed", help: "Gateways of ours whose Programmed condition is not True, by controller.",
      labelNames: ["controller"], registers,
      collect() { this.reset(); for (const [controller, w] of waiting()) this.set({ controller }, w.count); },
    });
    new Gauge({
      name: "gatehouse_gateway_not_programmed_oldest_seconds", help: "How long the longest-waiting Gateway has not been programmed, by controller.",
      labelNames: ["controller"], registers,
      collect() { this.reset(); for (const [controller, w] of waiting()) this.set({ controller }, w.oldestSeconds); },
    });
    const stats = () => this.providerStats();
    new Counter({
      name: "gatehouse_provider_api_calls_total", help: "Cloud API calls of a backend, by controller, operation and result (success, error, throttled).",
      labelNames: ["controller", "operation", "result"], registers,
      collect() {
        this.reset();
        for (const s of stats()) for (const c of s.stats.apiCalls) this.inc({ controller: s.controller, operation: c.operation, result: c.result }, c.count);
      },
    });
    new Counter({
      name: "gatehouse_provider_api_retries_total", help: "Cloud API attempts repeated after throttling, 5xx, timeouts or resets, by controller.",
      labelNames: ["controller"], registers,
      collect() { this.reset(); for (const s of stats()) this.inc({ controller: s.controller }, s.stats.retries); },
    });
    collectDefaultMetrics({ register: this.registry, prefix: "gatehouse_" });
  }

  /** Where provider API call counts come from (the providers that keep them). */
  watchProviders(fn: () => readonly ControllerStats[]): void { this.providerStats = fn; }

  /** Where the not-programmed Gateway gauges come from. */
  watchProgramming(fn: () => Map<string, { count: number; oldestSeconds: number }>): void { this.waiting = fn; }

  /** Where informer restart/relist counts come from (the Source, when it keeps them). */
  watchSource(fn: () => readonly SourceCounters[]): void { this.sourceCounters = fn; }

  /** The value of a counter or gauge (summed over labels matching `labels`), for tests and logs. */
  async value(name: string, labels: Record<string, string> = {}): Promise<number> {
    const m = this.registry.getSingleMetric(name);
    if (!m) return 0;
    const data = await m.get();
    return data.values
      .filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))
      .filter((v) => !("metricName" in v) || v.metricName === undefined || v.metricName === name)
      .reduce((sum, v) => sum + v.value, 0);
  }
}
