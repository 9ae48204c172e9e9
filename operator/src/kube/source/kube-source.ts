// The operator's Source on a live API server: one supervised list+watch per kind (and per
// namespace when restricted), a plain-JSON cache, snapshots that keep the identity of
// unchanged objects and arrays, and coalesced change notifications.
import type { KubeConfig } from "@kubernetes/client-node";
import type { Kind, Snapshot } from "@gatehouse/model";
import type { Source } from "../../ports.js";
import { Coalescer, type Scheduler } from "./coalescer.js";
import { RawKubeClient, type JsonObject } from "./http.js";
import { WATCHED_KINDS, apiVersionOf } from "./kinds.js";
import { scanReferences, type RefKeys } from "./references.js";
import { metaOf } from "./shape.js";
import { gatewayServiceChanged, ours, statusOnly, type Lookup } from "./relevance.js";
import { patched, sortedFrom, type SortedList } from "./sorted-list.js";
import { KindStream, silentLogger, type SourceLogger } from "./stream.js";
import { DiscoveryPoller } from "../crds/discovery.js";
import type { WatchedKind } from "./kinds.js";

export interface KubeSourceOptions {
  /** Namespaces to watch for the namespaced kinds; empty or absent: all. */
  watchNamespaces?: readonly string[];
  logger?: SourceLogger;
  /** Event coalescing (defaults 100 ms after the last event, at most 500 ms after the first). */
  debounceMs?: number;
  maxWaitMs?: number;
  scheduler?: Scheduler;
  /** Watch restart backoff (defaults 500 ms doubling to 10 s). */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Page size of lists (default 500). */
  pageSize?: number;
  /**
   * Our controllerNames: GatewayClasses, Gateways and routes of other controllers then wake
   * no reconcile (they are still cached). Absent: every event counts.
   */
  controllerNames?: readonly string[];
  /** While a kind is not served (CRD missing), discovery is asked this often whether it appeared (default 5 s). */
  discoveryIntervalMs?: number;
}

/** What the graph read, from graph.referenced after each compute. */
export interface Referenced {
  secrets: readonly string[];
  configMaps: readonly string[];
  /** When given, Service and EndpointSlice events for other Services no longer trigger a rebuild. */
  services?: readonly string[];
}

export interface KindCounters {
  apiVersion: string | undefined;
  objects: number;
  /** Watches started again after an error or an early end of the stream. */
  restarts: number;
  /** Lists after a 410 Gone. */
  relists: number;
}

interface KindState {
  streams: KindStream[];
  /** Keys changed since the last snapshot, or "all" to rebuild the kind's list. */
  dirty: Set<string> | "all";
  sorted: SortedList<JsonObject>;
}

const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
const ALWAYS_RELEVANT = new Set<Kind>([
  "GatewayClass", "Gateway", "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute",
  "ReferenceGrant", "BackendTLSPolicy", "Namespace", "LocalProxyConfig", "LatticeConfig", "GCPConfig",
]);

export class KubeSource implements Source {
  private readonly client: RawKubeClient;
  private readonly abort = new AbortController();
  private readonly kinds = new Map<Kind, KindState>();
  private readonly listeners: (() => void)[] = [];
  private readonly coalescer: Coalescer;
  private readonly logger: SourceLogger;
  private running: Promise<void>[] = [];
  private started = false;
  private current: Snapshot | undefined;
  // Secrets/ConfigMaps in the snapshot: scanned from Gateways and policies ∪ what the graph read.
  private scanned: RefKeys = { secrets: new Set(), configMaps: new Set() };
  private scanDirty = true;
  private fromGraph: RefKeys = { secrets: new Set(), configMaps: new Set() };
  private services: Set<string> | undefined;
  private readonly servedListeners: (() => void)[] = [];
  private readonly discovery: DiscoveryPoller;

  constructor(kc: KubeConfig, private readonly opts: KubeSourceOptions = {}) {
    this.client = new RawKubeClient(kc);
    this.logger = opts.logger ?? silentLogger;
    this.coalescer = new Coalescer(() => this.notify(), {
      ...(opts.debounceMs !== undefined ? { debounceMs: opts.debounceMs } : {}),
      ...(opts.maxWaitMs !== undefined ? { maxWaitMs: opts.maxWaitMs } : {}),
      ...(opts.scheduler ? { scheduler: opts.scheduler } : {}),
    });
    const namespaces = [...new Set(opts.watchNamespaces ?? [])].filter(Boolean).sort();
    const streamOpts = {
      backoffInitialMs: opts.backoffInitialMs ?? 500,
      backoffMaxMs: opts.backoffMaxMs ?? 10_000,
      absentRetryMs: 30_000,
      pageSize: opts.pageSize ?? 500,
      logger: this.logger,
      onServedChange: () => this.servedChanged(),
    };
    this.discovery = new DiscoveryPoller(this.client, () => this.absentStreams(), {
      intervalMs: opts.discoveryIntervalMs ?? 5_000,
      signal: this.abort.signal,
      onError: (e) => this.logger.warn({ err: e instanceof Error ? e.message : String(e) }, "discovery of missing CRDs failed"),
    });
    for (const k of WATCHED_KINDS) {
      const scopes = k.namespaced && namespaces.length ? namespaces : [undefined];
      this.kinds.set(k.kind, {
        dirty: "all",
        sorted: { keys: [], values: [] },
        streams: scopes.map((ns) => new KindStream(k, ns, this.client,
          (key, before, after) => this.changed(k.kind, key, before, after), this.abort.signal, streamOpts)),
      });
    }
  }

  async start(): Promise<void> {
    if (this.running.length) throw new Error("KubeSource: already started");
    const t0 = performance.now();
    const streams = [...this.kinds.values()].flatMap((s) => s.streams);
    this.running = streams.map((s) => s.run());
    const stopped = new Promise<never>((_, reject) => {
      const fail = () => reject(new Error("KubeSource: stopped before the first sync"));
      if (this.abort.signal.aborted) fail();
      this.abort.signal.addEventListener("abort", fail, { once: true });
    });
    stopped.catch(() => {});
    await Promise.race([Promise.all(streams.map((s) => s.synced)), stopped]);
    this.started = true;
    this.logger.info({ ms: Math.round(performance.now() - t0), objects: streams.reduce((n, s) => n + s.items.size, 0) }, "initial list done");
  }

  snapshot(): Snapshot {
    this.refreshScan();
    let changed = !this.current;
    for (const [kind, st] of this.kinds) {
      if (st.dirty !== "all" && st.dirty.size === 0) continue;
      st.sorted = this.build(kind, st, st.dirty);
      st.dirty = new Set();
      changed = true;
    }
    if (changed) {
      const s = {} as Record<Kind, JsonObject[]>;
      for (const [kind, st] of this.kinds) s[kind] = st.sorted.values;
      this.current = s as unknown as Snapshot;
    }
    return this.current!;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  async stop(): Promise<void> {
    this.abort.abort(new Error("KubeSource stopped"));
    this.coalescer.close();
    await Promise.all(this.running);
    this.client.close();
  }

  /** Called with graph.referenced after each compute. */
  setReferenced(r: Referenced): void {
    const next: RefKeys = { secrets: new Set(r.secrets), configMaps: new Set(r.configMaps) };
    this.services = r.services ? new Set(r.services) : undefined;
    const before = this.visible();
    this.fromGraph = next;
    this.reconcileVisible(before, this.visible());
  }

  /** True once every kind has been listed. */
  get synced(): boolean {
    return this.started;
  }

  /** Watched kinds the API server serves no version of (their CRD is not installed), after the first list. */
  missingKinds(): WatchedKind[] {
    const out: WatchedKind[] = [];
    for (const st of this.kinds.values()) {
      const s = st.streams[0];
      if (s && st.streams.some((x) => !x.served)) out.push(s.kind);
    }
    return out;
  }

  /** Called after a kind stopped or started being served (missingKinds() changed). */
  onServedChange(listener: () => void): void {
    this.servedListeners.push(listener);
  }

  /** Per-kind counters, for metrics. */
  counters(): Record<Kind, KindCounters> {
    const out = {} as Record<Kind, KindCounters>;
    for (const [kind, st] of this.kinds) {
      const first = st.streams[0]!;
      out[kind] = {
        apiVersion: first.version ? apiVersionOf(first.kind, first.version) : undefined,
        objects: st.streams.reduce((n, s) => n + s.items.size, 0),
        restarts: st.streams.reduce((n, s) => n + s.restarts, 0),
        relists: st.streams.reduce((n, s) => n + s.relists, 0),
      };
    }
    return out;
  }

  /**
   * Test hooks: end a kind's watches and hold them (changes made meanwhile are missed), then
   * watch again, optionally from a given resourceVersion ("1" is expired on any real
   * server, so the API server answers 410 Gone and the stream relists).
   */
  pauseWatchForTest(kind: Kind): void {
    for (const s of this.kinds.get(kind)!.streams) s.pauseWatch();
  }

  resumeWatchForTest(kind: Kind, resourceVersion?: string): void {
    for (const s of this.kinds.get(kind)!.streams) s.resumeWatch(resourceVersion);
  }

  private absentStreams(): KindStream[] {
    return [...this.kinds.values()].flatMap((st) => st.streams.filter((s) => !s.served));
  }

  private servedChanged(): void {
    this.discovery.update();
    for (const l of this.servedListeners) {
      try {
        l();
      } catch (e) {
        this.logger.warn({ err: e instanceof Error ? e.message : String(e) }, "onServedChange listener threw");
      }
    }
  }

  private build(kind: Kind, st: KindState, dirty: Set<string> | "all"): SortedList<JsonObject> {
    const filter = kind === "Secret" ? this.visibleSet("secrets") : kind === "ConfigMap" ? this.visibleSet("configMaps") : undefined;
    // Patching costs a copy plus a splice per key; past a few keys a sort is as cheap.
    if (dirty === "all" || dirty.size > Math.max(64, st.sorted.keys.length / 8)) {
      const entries: [string, JsonObject][] = [];
      for (const s of st.streams) {
        for (const e of s.items) if (!filter || filter(e[0])) entries.push(e);
      }
      return sortedFrom(entries);
    }
    return patched(st.sorted, dirty, (key) => {
      if (filter && !filter(key)) return undefined;
      for (const s of st.streams) {
        const o = s.items.get(key);
        if (o) return o;
      }
      return undefined;
    });
  }

  private markDirty(st: KindState, key: string): void {
    if (st.dirty !== "all") st.dirty.add(key);
  }

  private changed(kind: Kind, key: string, before: JsonObject | undefined, after: JsonObject | undefined): void {
    const st = this.kinds.get(kind)!;
    if (kind === "Gateway" || kind === "BackendTLSPolicy") this.scanDirty = true;
    let relevant: boolean;
    if (kind === "Secret" || kind === "ConfigMap") {
      relevant = this.visibleSet(kind === "Secret" ? "secrets" : "configMaps")(key);
      if (relevant) this.markDirty(st, key); // an invisible one cannot change the snapshot
    } else {
      this.markDirty(st, key);
      relevant = ALWAYS_RELEVANT.has(kind)
        ? !statusOnly(kind, before, after) && this.owned(kind, before, after)
        : this.serviceRelevant(kind, key, before, after);
    }
    if (relevant && this.started) this.coalescer.poke();
  }

  private owned(kind: Kind, before: JsonObject | undefined, after: JsonObject | undefined): boolean {
    const controllers = this.opts.controllerNames;
    if (!controllers) return true;
    const set = new Set(controllers);
    return ours(kind, before, set, this.lookup) || ours(kind, after, set, this.lookup);
  }

  private readonly lookup: Lookup = {
    gatewayClass: (name) => this.cached("GatewayClass", name),
    gateway: (key) => this.cached("Gateway", key),
  };

  private cached(kind: Kind, key: string): JsonObject | undefined {
    for (const s of this.kinds.get(kind)?.streams ?? []) {
      const o = s.items.get(key);
      if (o) return o;
    }
    return undefined;
  }

  private serviceRelevant(kind: Kind, key: string, before: JsonObject | undefined, after: JsonObject | undefined): boolean {
    // A local Gateway's own Service: its address is the Gateway's status.
    if (kind === "Service" && gatewayServiceChanged(before, after)) return true;
    if (!this.services) return true;
    if (kind === "Service") return this.services.has(key);
    // EndpointSlice: the Service it belongs to.
    for (const o of [before, after]) {
      const labels = (o?.["metadata"] as { labels?: Record<string, unknown> } | undefined)?.labels;
      const svc = labels?.[SERVICE_NAME_LABEL];
      if (typeof svc === "string" && this.services.has(`${metaOf(o!).namespace}/${svc}`)) return true;
    }
    return false;
  }

  private visibleSet(which: keyof RefKeys): (key: string) => boolean {
    this.refreshScan();
    const a = this.scanned[which];
    const b = this.fromGraph[which];
    return (key) => a.has(key) || b.has(key);
  }

  private visible(): RefKeys {
    this.refreshScan();
    const union = (x: Set<string>, y: Set<string>) => new Set([...x, ...y]);
    return {
      secrets: union(this.scanned.secrets, this.fromGraph.secrets),
      configMaps: union(this.scanned.configMaps, this.fromGraph.configMaps),
    };
  }

  private refreshScan(): void {
    if (!this.scanDirty) return;
    this.scanDirty = false;
    const before = { secrets: this.scanned.secrets, configMaps: this.scanned.configMaps };
    const union = (x: Set<string>, y: Set<string>) => new Set([...x, ...y]);
    const oldVisible = { secrets: union(before.secrets, this.fromGraph.secrets), configMaps: union(before.configMaps, this.fromGraph.configMaps) };
    const items = (k: Kind) => this.kinds.get(k)!.streams.flatMap((s) => [...s.items.values()]);
    this.scanned = scanReferences(items("Gateway"), items("BackendTLSPolicy"));
    // The Gateway or policy event that changed the references already triggers a rebuild.
    this.reconcileVisible(oldVisible, this.visible(), false);
  }

  /** Marks Secrets/ConfigMaps dirty when their visible set changed; pokes if a cached object appeared or vanished. */
  private reconcileVisible(before: RefKeys, after: RefKeys, poke = true): void {
    for (const [which, kind] of [["secrets", "Secret"], ["configMaps", "ConfigMap"]] as const) {
      const a = before[which];
      const b = after[which];
      if (a.size === b.size && [...a].every((k) => b.has(k))) continue;
      const st = this.kinds.get(kind)!;
      const present = (k: string) => st.streams.some((s) => s.items.has(k));
      let moved = false;
      for (const [from, to] of [[a, b], [b, a]] as const) {
        for (const k of from) {
          if (to.has(k) || !present(k)) continue;
          this.markDirty(st, k);
          moved = true;
        }
      }
      if (moved && poke && this.started) this.coalescer.poke();
    }
  }

  private notify(): void {
    for (const l of this.listeners) {
      try {
        l();
      } catch (e) {
        this.logger.warn({ err: e instanceof Error ? e.message : String(e) }, "onChange listener threw");
      }
    }
  }
}

