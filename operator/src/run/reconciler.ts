// The reconcile loop: Source snapshot → CoreSession → (leader only) providers and status
// writes → Events → metrics. One reconcile at a time; changes during a reconcile schedule
// exactly one more. Errors are logged with object references and counted, never thrown out.
import { inject, injectable, optional } from "inversify";
import type { Logger } from "pino";
import { CoreSession, type ComputeOutput } from "@gatehouse/core";
import { ANNOTATION_PREFIX, ROUTE_KINDS, TOKENS, keyOf, type Meta, type Snapshot } from "@gatehouse/model";
import type { ProviderRegistry, ProviderResults } from "@gatehouse/provider-api";
import type { StatusUpdate } from "@gatehouse/status";
import { OPERATOR_TOKENS, type Clock, type EventRecorder, type LeaderElector, type Source, type StatusSink } from "../ports.js";
import type { Metrics, SourceCounters } from "./metrics.js";
import { RUN_TOKENS, type AnnotationWriter, type Finalizers, type ObjectRef } from "./tokens.js";
import { annotationPatches } from "./annotation-patches.js";
import { ProgrammedClock } from "./programmed-clock.js";
import { TransitionTracker, type Transition } from "./transitions.js";
import type { Settings } from "./settings.js";

/** What a Source may offer beyond the port (KubeSource does). */
interface SourceExtras {
  setReferenced?(refs: { secrets: string[]; configMaps: string[]; services?: string[] }): void;
  /** Per kind restarts and relists: a list, or a record by kind (KubeSource). */
  counters?(): readonly SourceCounters[] | Record<string, { restarts: number; relists: number }>;
}

const FINALIZED_KINDS = ["Gateway", ...ROUTE_KINDS] as const;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

@injectable()
export class Reconciler {
  private readonly session = new CoreSession();
  private readonly transitions = new TransitionTracker();
  private readonly programmed = new ProgrammedClock();
  /** Last results of each provider (kept when an apply fails). */
  private results = new Map<string, ProviderResults>();
  /** key → [resourceVersion seen, JSON of the status we wrote]: skip rewriting before the cache catches up. */
  private written = new Map<string, { rv: string | undefined; json: string }>();
  /** key → resourceVersion when we added our finalizer: not re-added before the cache shows a newer version. */
  private finalizerAdded = new Map<string, string | undefined>();
  private finalizerRemoved = new Map<string, string | undefined>();
  private liveIndex = new WeakMap<readonly Meta[], Map<string, Meta>>();
  private pending = 0;
  private running: Promise<void> | undefined;
  private started = false;
  private stopping = false;
  private retryTimer: NodeJS.Timeout | undefined;
  /** A provider asked to be called again (cloud resources in transient states). */
  private requeueTimer: NodeJS.Timeout | undefined;
  /** `kind/ns/name` → JSON of the annotations we last patched: not re-sent before the cache shows them. */
  private annotated = new Map<string, string>();
  private resyncTimer: NodeJS.Timeout | undefined;
  private retryDelay = RETRY_MIN_MS;
  private readonly eventsInFlight = new Set<Promise<void>>();
  private readyFlag = false;
  private lastOutput: ComputeOutput | undefined;
  private reconcileCount = 0;

  constructor(
    @inject(OPERATOR_TOKENS.Source) private readonly source: Source & SourceExtras,
    @inject(OPERATOR_TOKENS.StatusSink) private readonly sink: StatusSink,
    @inject(OPERATOR_TOKENS.LeaderElector) private readonly elector: LeaderElector,
    @inject(OPERATOR_TOKENS.EventRecorder) private readonly recorder: EventRecorder,
    @inject(OPERATOR_TOKENS.Clock) private readonly clock: Clock,
    @inject(OPERATOR_TOKENS.Logger) private readonly log: Logger,
    @inject(OPERATOR_TOKENS.Metrics) private readonly metrics: Metrics,
    @inject(TOKENS.ProviderRegistry) private readonly registry: ProviderRegistry,
    @inject(RUN_TOKENS.Finalizers) @optional() private readonly finalizers: Finalizers | undefined,
    @inject(OPERATOR_TOKENS.Settings) private readonly settings: Pick<Settings, "resyncPeriodMs">,
    @inject(RUN_TOKENS.Annotations) @optional() private readonly annotations: AnnotationWriter | undefined,
  ) {
    metrics.watchProviders(() => registry.providers().flatMap((p) => {
      const stats = p.stats?.();
      return stats ? [{ controller: p.capabilities.controllerName, stats }] : [];
    }));
    metrics.watchProgramming(() => {
      // Every controller of ours has a series (0 when nothing waits): dashboards show 0, not "no data".
      const w = this.programmed.waiting(this.clock.now().getTime());
      for (const p of registry.providers()) if (!w.has(p.capabilities.controllerName)) w.set(p.capabilities.controllerName, { count: 0, oldestSeconds: 0 });
      return w;
    });
    if (source.counters) {
      metrics.watchSource(() => {
        const c = source.counters!();
        return Array.isArray(c) ? c : Object.entries(c).map(([kind, v]) => ({ kind, restarts: v.restarts, relists: v.relists }));
      });
    }
  }

  /** True once a reconcile has completed without errors. */
  get ready(): boolean { return this.readyFlag; }

  /** Reconciles completed (with or without errors). */
  get count(): number { return this.reconcileCount; }

  /** The output of the last compute (for tests and debugging). */
  get last(): ComputeOutput | undefined { return this.lastOutput; }

  /** Waits for the initial list, then reconciles once and on every change. */
  async start(): Promise<void> {
    this.source.onChange(() => this.trigger());
    this.elector.onChange((leader) => {
      this.metrics.leader.set(leader ? 1 : 0);
      this.log.info({ leader }, leader ? "became leader" : "lost leadership");
      // A new leader writes what the previous one may have left unwritten.
      if (leader) this.trigger();
    });
    this.metrics.leader.set(this.elector.isLeader() ? 1 : 0);
    await this.source.start();
    this.started = true;
    if (this.settings.resyncPeriodMs > 0) {
      this.resyncTimer = setInterval(() => this.resync(), this.settings.resyncPeriodMs);
      this.resyncTimer.unref();
    }
    this.trigger();
    await this.idle();
  }

  /**
   * A full pass that trusts only the watch cache: forgets what we wrote, so every status that
   * differs from ours (someone edited or wiped it; that wakes nothing) is written again.
   */
  resync(): void {
    this.written.clear();
    this.trigger();
  }

  /** Asks for a reconcile: runs now, or once more after the running one. */
  trigger(): void {
    if (this.stopping) return;
    this.pending++;
    this.metrics.queueDepth.set(this.pending);
    if (!this.started || this.running) return;
    this.running = this.loop();
  }

  /** Resolves when no reconcile is running or pending. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops accepting changes, lets the running reconcile finish, waits for Events in flight. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.requeueTimer) clearTimeout(this.requeueTimer);
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    await this.idle();
    await Promise.allSettled([...this.eventsInFlight]);
  }

  private async loop(): Promise<void> {
    try {
      while (this.pending > 0 && !this.stopping) {
        this.pending = 0;
        this.metrics.queueDepth.set(0);
        await this.reconcileOnce();
      }
    } finally {
      this.running = undefined;
    }
  }

  private async reconcileOnce(): Promise<void> {
    const end = this.metrics.reconcileDuration.startTimer();
    let errors = 0;
    const fail = (stage: string, err: unknown, ref?: ObjectRef, msg = `${stage} failed`) => {
      errors++;
      this.metrics.reconcileErrors.inc({ stage });
      this.log.error({ ...(ref ? { object: ref } : {}), stage, err: errorText(err) }, msg);
    };
    try {
      const leader = this.elector.isLeader();
      const snapshot = this.source.snapshot();
      this.countObjects(snapshot);
      const core = leader && this.needsFinalizers() ? withoutDeleting(snapshot) : snapshot;
      const now = secondPrecision(this.clock.now());
      const controllers = this.registry.capabilities();
      const controllerNames = controllers.map((c) => c.controllerName);

      let out: ComputeOutput;
      try {
        out = this.session.update({ snapshot: core, controllers, results: [...this.results.values()], now });
      } catch (e) {
        fail("compute", e);
        return;
      }
      try {
        const { secrets, configMaps, services } = out.graph.referenced;
        this.source.setReferenced?.({ secrets, configMaps, services });
      } catch (e) {
        fail("source", e);
      }

      if (leader) errors += await this.finalize(snapshot, out, fail);
      if (await this.applyProviders(out, leader, fail)) {
        try {
          out = this.session.update({ snapshot: core, controllers, results: [...this.results.values()], now });
        } catch (e) {
          fail("compute", e);
          return;
        }
      }
      this.lastOutput = out;

      // Only the leader writes; it re-checks, since leadership may have moved during apply.
      if (this.elector.isLeader()) {
        errors += await this.writeAnnotations(snapshot, fail);
        const changed = out.statuses.filter((u) => !this.unchanged(snapshot, u));
        this.metrics.statusWrites.inc({ result: "skipped" }, out.statuses.length - changed.length);
        if (changed.length > 0) {
          try {
            const report = await this.sink.write(changed);
            this.metrics.statusWrites.inc({ result: "written" }, report.written);
            this.metrics.statusWrites.inc({ result: "unchanged" }, report.unchanged);
            this.metrics.statusWrites.inc({ result: "conflict" }, report.conflicts);
            this.metrics.statusWrites.inc({ result: "error" }, report.errors.length);
            const failed = new Set(report.errors.map((e) => `${e.kind}/${e.namespace}/${e.name}`));
            for (const e of report.errors) fail("status", e.message, { kind: e.kind, namespace: e.namespace, name: e.name }, "status write failed");
            for (const u of changed) {
              const key = `${u.kind}/${u.namespace}/${u.name}`;
              if (!failed.has(key)) this.written.set(key, { rv: this.live(snapshot, u)?.metadata?.resourceVersion, json: JSON.stringify(u.status) });
            }
          } catch (e) {
            fail("status", e);
          }
        }
        this.recordEvents(this.transitions.diff(out.statuses, controllerNames, (u) => statusOf(this.live(snapshot, u))), snapshot);
        const controllerOf = new Map(out.graph.gateways.map((g) => [g.key, g.controllerName]));
        for (const o of this.programmed.observe(out.statuses, (k) => controllerOf.get(k), this.clock.now().getTime())) {
          this.metrics.timeToProgrammed.observe({ controller: o.controller }, o.seconds);
        }
      } else {
        // Keep the tracker current so a new leader does not replay old transitions.
        this.transitions.diff(out.statuses, controllerNames, (u) => statusOf(this.live(snapshot, u)));
      }
    } catch (e) {
      fail("reconcile", e);
    } finally {
      end();
      this.reconcileCount++;
      this.metrics.reconciles.inc({ result: errors === 0 ? "success" : "error" });
      if (errors === 0) {
        if (!this.readyFlag) this.log.info({ reconciles: this.reconcileCount }, "first reconcile done; ready");
        this.readyFlag = true;
        this.retryDelay = RETRY_MIN_MS;
      } else {
        this.scheduleRetry();
      }
    }
  }

  /** Plans and applies the providers this replica runs (all when leading); true when any provider's results changed. */
  private async applyProviders(
    out: ComputeOutput, leader: boolean, fail: (stage: string, err: unknown, ref?: ObjectRef, msg?: string) => void,
  ): Promise<boolean> {
    let changed = false;
    for (const p of this.registry.providers()) {
      if (!leader && !p.everyReplica) continue;
      const name = p.capabilities.controllerName;
      try {
        const plan = await p.plan(out.desired);
        if (plan.changes.length > 0) this.log.info({ controller: name, changes: plan.changes.length }, "applying plan");
        const res = await p.apply(plan, out.desired);
        this.metrics.providerApplies.inc({ controller: name, result: "success" });
        if (typeof res.requeueAfterMs === "number" && res.requeueAfterMs >= 0) this.requeue(res.requeueAfterMs);
        const prev = this.results.get(name);
        if (!prev || JSON.stringify(prev) !== JSON.stringify(res)) {
          this.results.set(name, res);
          changed = true;
        }
      } catch (e) {
        this.metrics.providerApplies.inc({ controller: name, result: "error" });
        fail("provider", e, undefined, `provider ${name} failed; keeping its previous results`);
      }
    }
    return changed;
  }

  /** Patches the annotations providers reported that the cached objects do not carry yet. */
  private async writeAnnotations(snapshot: Snapshot, fail: (stage: string, err: unknown, ref?: ObjectRef, msg?: string) => void): Promise<number> {
    if (!this.annotations) return 0;
    let errors = 0;
    const patches = annotationPatches([...this.results.values()], (ref) => this.live(snapshot, { kind: ref.kind, namespace: ref.namespace, name: ref.name } as StatusUpdate));
    const sent = new Map<string, string>();
    for (const { ref, annotations } of patches) {
      const key = `${ref.kind}/${ref.namespace}/${ref.name}`;
      const json = JSON.stringify(annotations);
      sent.set(key, json);
      if (this.annotated.get(key) === json) continue;
      try {
        await this.annotations.set(ref, annotations);
      } catch (e) {
        errors++;
        sent.delete(key);
        fail("annotations", e, ref, "writing provider annotations failed");
      }
    }
    this.annotated = sent;
    return errors;
  }

  private requeue(ms: number): void {
    if (this.stopping || this.requeueTimer) return;
    this.requeueTimer = setTimeout(() => {
      this.requeueTimer = undefined;
      this.trigger();
    }, Math.max(50, ms));
    this.requeueTimer.unref();
  }

  private needsFinalizers(): boolean {
    return this.finalizers !== undefined && this.registry.providers().some((p) => p.needsFinalizer);
  }

  /**
   * Providers that own external resources get a finalizer on our Gateways and routes; on
   * deletion each such provider finalizes, then the finalizer goes. Returns the error count.
   */
  private async finalize(snapshot: Snapshot, out: ComputeOutput, fail: (stage: string, err: unknown, ref?: ObjectRef, msg?: string) => void): Promise<number> {
    const fin = this.finalizers;
    const owners = this.registry.providers().filter((p) => p.needsFinalizer);
    if (!fin || owners.length === 0) return 0;
    const ownerNames = new Set(owners.map((p) => p.capabilities.controllerName));
    let errors = 0;
    const guard = async (ref: ObjectRef, what: string, f: () => Promise<void>) => {
      try { await f(); } catch (e) { errors++; fail("finalizer", e, ref, what); }
    };
    // Ours and alive: make sure the finalizer is there.
    const alive: { ref: ObjectRef; object: Meta }[] = [
      ...out.graph.gateways.filter((g) => ownerNames.has(g.controllerName))
        .map((g) => ({ ref: { kind: "Gateway", namespace: g.namespace, name: g.name }, object: g.object as Meta })),
      ...out.graph.routes.filter((r) => r.parents.some((p) => ownerNames.has(p.controllerName)))
        .map((r) => ({ ref: { kind: r.kind, namespace: r.namespace, name: r.name }, object: r.object as Meta })),
    ];
    const added = new Map<string, string | undefined>();
    for (const { ref, object } of alive) {
      const key = `${ref.kind}/${ref.namespace}/${ref.name}`;
      const rv = object.metadata?.resourceVersion;
      if (object.metadata?.deletionTimestamp || object.metadata?.finalizers?.includes(fin.name)) continue;
      if (this.finalizerAdded.has(key) && this.finalizerAdded.get(key) === rv) { added.set(key, rv); continue; }
      await guard(ref, "adding finalizer failed", async () => {
        await fin.add(ref);
        added.set(key, rv);
      });
    }
    this.finalizerAdded = added;
    // Being deleted and carrying our finalizer: clean up, then let it go.
    const removed = new Map<string, string | undefined>();
    for (const kind of FINALIZED_KINDS) {
      for (const o of ((snapshot as unknown as Record<string, Meta[]>)[kind] ?? [])) {
        const m = o.metadata;
        if (!m?.deletionTimestamp || !m.finalizers?.includes(fin.name)) continue;
        const ref: ObjectRef = { kind, namespace: m.namespace ?? "", name: m.name ?? "" };
        const key = `${kind}/${ref.namespace}/${ref.name}`;
        // Already removed; the cache has not caught up yet.
        if (this.finalizerRemoved.has(key) && this.finalizerRemoved.get(key) === m.resourceVersion) { removed.set(key, m.resourceVersion); continue; }
        await guard(ref, "finalize failed", async () => {
          const annotations = ownAnnotations(m.annotations);
          const results = await Promise.all(owners.map((p) => p.finalize(annotations ? { ...ref, annotations } : ref)));
          const waiting = results.filter((r) => !r.done);
          if (waiting.length > 0) {
            this.log.info({ object: ref, message: waiting.map((r) => r.message).join("; ") }, "waiting for provider cleanup");
            errors++; // retried with backoff
            return;
          }
          await fin.remove(ref);
          removed.set(key, m.resourceVersion);
          this.log.info({ object: ref }, "provider cleanup done; finalizer removed");
        });
      }
    }
    this.finalizerRemoved = removed;
    return errors;
  }

  /** Equal to what the cache holds, or to what we wrote while the cache still shows the version we wrote over. */
  private unchanged(snapshot: Snapshot, u: StatusUpdate): boolean {
    const live = this.live(snapshot, u);
    if (!live) return false;
    const w = this.written.get(`${u.kind}/${u.namespace}/${u.name}`);
    // The cache has not seen our last write yet: the server holds what we wrote, not what the
    // cache shows (the write's own event wakes no reconcile, being status-only).
    if (w && w.rv === live.metadata?.resourceVersion) return w.json === JSON.stringify(u.status);
    return sameJson(statusOf(live), u.status);
  }

  private live(snapshot: Snapshot, u: StatusUpdate): Meta | undefined {
    const list = (snapshot as unknown as Record<string, Meta[]>)[u.kind];
    if (!Array.isArray(list)) return undefined;
    let index = this.liveIndex.get(list);
    if (!index) {
      index = new Map(list.map((o) => [keyOf(o), o]));
      this.liveIndex.set(list, index);
    }
    return index.get(u.namespace ? `${u.namespace}/${u.name}` : u.name);
  }

  private recordEvents(transitions: Transition[], snapshot: Snapshot): void {
    for (const t of transitions) {
      const live = this.live(snapshot, { kind: t.kind, namespace: t.namespace, name: t.name } as StatusUpdate) as
        (Meta & { apiVersion?: string }) | undefined;
      const ref = {
        kind: t.kind,
        apiVersion: live?.apiVersion ?? "gateway.networking.k8s.io/v1",
        ...(t.namespace ? { namespace: t.namespace } : {}),
        name: t.name,
        ...(live?.metadata?.uid ? { uid: live.metadata.uid } : {}),
      };
      this.metrics.events.inc({ reason: t.reason });
      // Not awaited: Events must never delay status.
      const p = this.recorder.record(ref, t.type, t.reason, t.message)
        .catch((e: unknown) => {
          this.metrics.reconcileErrors.inc({ stage: "event" });
          this.log.warn({ object: { kind: t.kind, namespace: t.namespace, name: t.name }, err: errorText(e) }, "recording event failed");
        })
        .finally(() => this.eventsInFlight.delete(p));
      this.eventsInFlight.add(p);
    }
  }

  private countObjects(snapshot: Snapshot): void {
    for (const [kind, list] of Object.entries(snapshot)) {
      if (Array.isArray(list)) this.metrics.objects.set({ kind }, list.length);
    }
  }

  private scheduleRetry(): void {
    if (this.stopping || this.retryTimer) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MAX_MS);
    this.log.info({ retryInMs: delay }, "reconcile had errors; retrying");
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.trigger();
    }, delay);
    this.retryTimer.unref();
  }
}

/** The `gatehouse.dev/` annotations of an object (provider memory), if any. */
function ownAnnotations(a: unknown): Record<string, string> | undefined {
  if (a == null || typeof a !== "object") return undefined;
  const out = Object.fromEntries(Object.entries(a as Record<string, unknown>)
    .filter((e): e is [string, string] => e[0].startsWith(ANNOTATION_PREFIX) && typeof e[1] === "string"));
  return Object.keys(out).length > 0 ? out : undefined;
}

/** RFC 3339 with second precision (metav1.Time). */
export function secondPrecision(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, "Z");
}

function statusOf(o: Meta | undefined): Record<string, unknown> | undefined {
  const s = (o as { status?: unknown } | undefined)?.status;
  return s && typeof s === "object" ? (s as Record<string, unknown>) : undefined;
}

/** Gateways and routes being deleted leave the desired state (their provider finalizes them). */
function withoutDeleting(snapshot: Snapshot): Snapshot {
  const s = snapshot as unknown as Record<string, Meta[]>;
  let copy: Record<string, Meta[]> | undefined;
  for (const kind of FINALIZED_KINDS) {
    const list = s[kind];
    if (!Array.isArray(list) || !list.some((o) => o.metadata?.deletionTimestamp)) continue;
    copy ??= { ...s };
    copy[kind] = list.filter((o) => !o.metadata?.deletionTimestamp);
  }
  return (copy ?? s) as unknown as Snapshot;
}

/** Structural equality ignoring key order (the API server may order keys differently). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => sameJson(x, bb[i]));
  }
  const ra = a as Record<string, unknown>, rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined), kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(rb, k) && sameJson(ra[k], rb[k]));
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === "string" ? e : JSON.stringify(e);
}
