// Kubernetes Events (events.k8s.io/v1) for important transitions. A repeat of the same event
// (same object, type, reason and note) within `seriesWindowMs` does not create a new Event: the
// first one becomes a series and its series.count / lastObservedTime are patched, as client-go's
// event recorder does. Recording is best effort: it never throws (failures go to onError), so a
// reconcile never fails because an Event could not be written.
import { randomBytes } from "node:crypto";
import type { Clock, EventRecorder } from "../../ports.js";
import { CORE_RESOURCES, apiVersionOf, microTime, resourcePath, statusMessage, type KubeClient } from "../client.js";

export const REPORTING_CONTROLLER = "gatehouse.dev/operator";

export interface EventRef { kind: string; apiVersion: string; namespace?: string; name: string; uid?: string }

export interface KubeEventRecorderOptions {
  /** reportingInstance: this replica (the leader election identity). */
  instance: string;
  /** reportingController (default gatehouse.dev/operator). */
  controller?: string;
  /** Repeats within this time join the same Event's series (default 5 minutes). */
  seriesWindowMs?: number;
  /** The Event's `action` for a reason (default: the reason itself). */
  action?: (reason: string, type: "Normal" | "Warning") => string;
  /** Most distinct events remembered for aggregation (default 4096; the oldest is forgotten). */
  maxTracked?: number;
  clock?: Clock;
  onError?: (error: unknown) => void;
}

interface Series {
  namespace: string;
  name: string;
  count: number;
  /** Monotonic time of the latest occurrence. */
  last: number;
  /** Writes of this series, one after the other. */
  chain: Promise<void>;
}

/** API limits on events.k8s.io/v1 fields. */
const MAX_NOTE_BYTES = 1024;
const MAX_REASON = 128;

function truncateBytes(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  let out = s.slice(0, max);
  while (Buffer.byteLength(out) > max - 3) out = out.slice(0, -1);
  return `${out}...`;
}

export class KubeEventRecorder implements EventRecorder {
  private readonly series = new Map<string, Series>();
  private readonly windowMs: number;
  private readonly maxTracked: number;
  private readonly clock: Clock;

  constructor(private readonly kube: KubeClient, private readonly opts: KubeEventRecorderOptions) {
    this.windowMs = opts.seriesWindowMs ?? 5 * 60_000;
    this.maxTracked = opts.maxTracked ?? 4096;
    this.clock = opts.clock ?? { now: () => new Date() };
  }

  async record(ref: EventRef, type: "Normal" | "Warning", reason: string, message: string): Promise<void> {
    const note = truncateBytes(message, MAX_NOTE_BYTES);
    reason = reason.slice(0, MAX_REASON) || "Unknown";
    const key = JSON.stringify([ref.apiVersion, ref.kind, ref.namespace ?? "", ref.name, ref.uid ?? "", type, reason, note]);
    const now = performance.now();
    let s = this.series.get(key);
    if (s && now - s.last > this.windowMs) {
      this.series.delete(key);
      s = undefined;
    }
    if (s) {
      // A repeat: count it now, write it after the series' earlier writes.
      const series = s;
      series.count++;
      series.last = now;
      this.series.delete(key); // re-insert: the Map's order is least recently used first
      this.series.set(key, series);
      const count = series.count;
      series.chain = series.chain.then(() => this.bump(series, count, ref, type, reason, note, key));
      return series.chain;
    }
    const created: Series = { namespace: ref.namespace || "default", name: "", count: 1, last: now, chain: Promise.resolve() };
    this.series.set(key, created);
    while (this.series.size > this.maxTracked) this.series.delete(this.series.keys().next().value!);
    created.chain = this.create(created, ref, type, reason, note, key);
    return created.chain;
  }

  /** Creates the first Event of a series; on failure the series is forgotten (the next repeat creates anew). */
  private async create(s: Series, ref: EventRef, type: "Normal" | "Warning", reason: string, note: string, key: string): Promise<void> {
    // client-go names Events <object>.<time in hex>; a random tail keeps replicas apart.
    const name = `${ref.name.slice(0, 200)}.${Date.now().toString(16)}${randomBytes(4).toString("hex")}`;
    const regarding: Record<string, string> = { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name };
    if (ref.namespace) regarding.namespace = ref.namespace;
    if (ref.uid) regarding.uid = ref.uid;
    const body = {
      apiVersion: apiVersionOf(CORE_RESOURCES.Event), kind: "Event",
      metadata: { name, namespace: s.namespace },
      eventTime: microTime(this.clock.now()),
      reportingController: this.opts.controller ?? REPORTING_CONTROLLER,
      reportingInstance: this.opts.instance,
      action: (this.opts.action?.(reason, type) ?? reason).slice(0, 128),
      reason, note, type, regarding,
    };
    try {
      const r = await this.kube.post(resourcePath(CORE_RESOURCES.Event, { namespace: s.namespace }), body);
      if (r.status !== 201) throw new Error(`create Event ${s.namespace}/${name}: ${statusMessage(r)}`);
      s.name = name;
    } catch (e) {
      if (this.series.get(key) === s) this.series.delete(key);
      this.opts.onError?.(e);
    }
  }

  /** series.count and lastObservedTime on the series' Event; a vanished Event starts a new series. */
  private async bump(s: Series, count: number, ref: EventRef, type: "Normal" | "Warning", reason: string, note: string, key: string): Promise<void> {
    if (!s.name) return; // its create failed (and was reported); this repeat goes with it
    try {
      const path = resourcePath(CORE_RESOURCES.Event, { namespace: s.namespace, name: s.name });
      const r = await this.kube.patch(path, { series: { count: Math.max(count, 2), lastObservedTime: microTime(this.clock.now()) } });
      if (r.status === 404) {
        s.name = "";
        s.count = 1;
        return this.create(s, ref, type, reason, note, key);
      }
      if (r.status !== 200) throw new Error(`patch Event ${s.namespace}/${s.name}: ${statusMessage(r)}`);
    } catch (e) {
      this.opts.onError?.(e);
    }
  }
}
