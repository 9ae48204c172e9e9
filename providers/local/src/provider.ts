// The local backend: serves the Gateways of its controllerName itself, in worker threads of
// this process. plan() diffs the sockets the desired state needs against those running;
// apply() pushes the new WorkerConfig to every worker and reports per Gateway.
import { REASON, type Capabilities } from "@gatehouse/model";
import type { DesiredState, IRGateway } from "@gatehouse/ir";
import type {
  FinalizeResult, GatewayResult, ListenerResult, Plan, PlannedChange, Provider, ProviderResults,
} from "@gatehouse/provider-api";
import { AddressAllocator } from "./addresses/loopback.js";
import { DEFAULT_INTERNAL_PORT_RANGE, checkPortRange, type PortRange } from "./addresses/internal-ports.js";
import { AddressPool, DEFAULT_ADDRESS_POOL } from "./addresses/pool.js";
import type { ExposureResult, Exposer } from "./addresses/types.js";
import { LOCAL_CONTROLLER, capabilitiesFor } from "./capabilities.js";
import { DEFAULT_FACTORIES_MODULE } from "./runtime/default-factories.js";
import type { FactorySource } from "./runtime/factories.js";
import { layoutGateways, type GatewayConfig, type GatewayLayout } from "./runtime/layout.js";
import { WorkerPool } from "./runtime/pool.js";
import { DEFAULT_PROXY_SETTINGS } from "./runtime/settings.js";
import type { BoundPort, LogFn, ProxySettings, WorkerConfig } from "./runtime/types.js";
import type { Registry } from "prom-client";
import { ProxyMetrics, ReloadStats } from "./telemetry/hub.js";

export interface LocalProviderOptions {
  /** Default gatehouse.dev/local. */
  controllerName?: string;
  /** Worker threads; default os.availableParallelism(); 0 = serve in the calling thread. */
  workers?: number;
  /** Added to every listener port outside a cluster (unprivileged use). Default 0. */
  portOffset?: number;
  /** CIDRs Gateways take their address from outside a cluster. Default ["127.1.0.0/16"]. */
  addressPool?: string[];
  /**
   * Set when running in a cluster: every replica binds 0.0.0.0 on an internal port per
   * (Gateway, listener port) from portRange (default 20000–29999), and the exposer (the
   * operator; absent on replicas that do not write) maps a Service onto them.
   */
  inCluster?: { exposer?: Exposer; portRange?: PortRange };
  logger: LogFn;
  /** Per-protocol servers. Default: the HTTP and L4 servers. A table of functions needs workers: 0. */
  factories?: FactorySource;
  /**
   * prom-client Registry (the operator's /metrics) the proxy's `gatehouse_proxy_*` metrics go
   * on, summed over the workers at each scrape. Without one, the workers count nothing.
   */
  metricsRegistry?: Registry;
}

interface Running {
  port: BoundPort;
  fingerprint: string;
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class LocalProvider implements Provider {
  readonly capabilities: Capabilities;
  readonly needsFinalizer = false;
  readonly everyReplica = true;

  private readonly log: LogFn;
  private readonly pool: WorkerPool;
  private readonly allocator?: AddressAllocator;
  private readonly portOffset: number;
  private readonly cluster?: { exposer?: Exposer; portRange: PortRange };
  private readonly base: ProxySettings = { ...DEFAULT_PROXY_SETTINGS };
  /** Ports the workers serve (bound without error), by id. */
  private running = new Map<string, Running>();
  private readonly lastGood = new Map<string, GatewayConfig>();
  private generation = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly reloads = new ReloadStats();
  private readonly unregister?: () => void;

  constructor(opts: LocalProviderOptions) {
    this.capabilities = capabilitiesFor(opts.controllerName ?? LOCAL_CONTROLLER);
    this.log = opts.logger;
    this.portOffset = opts.portOffset ?? 0;
    if (!Number.isInteger(this.portOffset)) throw new Error(`portOffset ${opts.portOffset} is not an integer`);
    if (opts.inCluster) {
      const portRange = opts.inCluster.portRange ?? { ...DEFAULT_INTERNAL_PORT_RANGE };
      const bad = checkPortRange(portRange);
      if (bad) throw new Error(`inCluster.portRange: ${bad}`);
      this.cluster = { portRange, ...(opts.inCluster.exposer ? { exposer: opts.inCluster.exposer } : {}) };
    } else {
      this.allocator = new AddressAllocator(AddressPool.of(opts.addressPool ?? [...DEFAULT_ADDRESS_POOL]));
    }
    this.pool = new WorkerPool({
      ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
      factories: opts.factories ?? { module: DEFAULT_FACTORIES_MODULE },
      log: this.log,
    });
    if (opts.metricsRegistry) {
      const pool = this.pool;
      this.unregister = ProxyMetrics.of(opts.metricsRegistry).add({ snapshots: () => pool.snapshots(), reloads: this.reloads });
    }
  }

  private layout(desired: DesiredState, dryRun: boolean): GatewayLayout[] {
    const name = this.capabilities.controllerName;
    const gateways = (Array.isArray(desired?.gateways) ? desired.gateways : []).filter((g) => g?.controllerName === name);
    return layoutGateways({
      gateways, base: this.base, lastGood: this.lastGood, dryRun,
      mode: this.cluster ? { kind: "cluster", portRange: this.cluster.portRange } : { kind: "loopback", allocator: this.allocator!, portOffset: this.portOffset },
    });
  }

  async plan(desired: DesiredState): Promise<Plan> {
    const layouts = this.layout(desired, true);
    const changes: PlannedChange[] = [];
    const wanted = new Map<string, BoundPort>();
    for (const l of layouts) for (const p of l.ports) wanted.set(p.id, p);
    for (const [id, p] of wanted) {
      const cur = this.running.get(id);
      const sources = sourcesOf(p);
      if (!cur) {
        changes.push({ op: "create", resource: "local:listener", id, sources, summary: `serve ${describe(p)}` });
      } else if (cur.port.protocol !== p.protocol) {
        changes.push({ op: "update", resource: "local:listener", id, sources, summary: `${cur.port.protocol} → ${p.protocol}: ${describe(p)} (the old server drains)` });
      } else if (cur.fingerprint !== fingerprint(p)) {
        changes.push({ op: "update", resource: "local:listener", id, sources, summary: `new config for ${describe(p)}` });
      }
    }
    for (const [id, cur] of this.running) {
      if (!wanted.has(id)) changes.push({ op: "delete", resource: "local:listener", id, sources: sourcesOf(cur.port), summary: `drain ${describe(cur.port)}` });
    }
    changes.sort(byId);
    return { controllerName: this.capabilities.controllerName, changes };
  }

  /** Recomputes from `desired` (the plan is informational), so applying twice is harmless. */
  apply(_plan: Plan, desired: DesiredState): Promise<ProviderResults> {
    const run = this.queue.then(() => this.applyNow(desired));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async applyNow(desired: DesiredState): Promise<ProviderResults> {
    if (this.closed) throw new Error("the local provider is closed");
    const layouts = this.layout(desired, false);
    const ports = layouts.flatMap((l) => l.ports).sort(byId);
    const config: WorkerConfig = { generation: ++this.generation, settings: this.base, ports, metrics: this.unregister !== undefined };
    const started = performance.now();
    const ack = await this.pool.apply(config);
    this.reloads.add((performance.now() - started) / 1000, ack.errors.length === 0 && !layouts.some((l) => l.invalid));
    const bindErrors = new Map(ack.errors.map((e) => [e.id, e.message]));

    this.running = new Map(ports.filter((p) => !bindErrors.has(p.id)).map((p) => [p.id, { port: p, fingerprint: fingerprint(p) }]));
    for (const l of layouts) if (!l.invalid && l.config) this.lastGood.set(l.gateway.key, l.config);
    for (const key of [...this.lastGood.keys()]) if (!layouts.some((l) => l.gateway.key === key)) this.lastGood.delete(key);

    const exposed = this.cluster ? await this.expose(layouts) : undefined;
    const gateways = layouts.map((l) => this.gatewayResult(l, bindErrors, exposed));
    for (const g of gateways) {
      if (!g.programmed) this.log("warn", "gateway not programmed", { gateway: g.key, reason: g.reason, message: g.message });
    }
    return { controllerName: this.capabilities.controllerName, gateways, routes: [] };
  }

  private async expose(layouts: GatewayLayout[]): Promise<Map<string, ExposureResult> | string> {
    const exposer = this.cluster?.exposer;
    if (!exposer) return "no Service exposes this Gateway on this replica (no exposer)";
    const list = layouts.flatMap((l) => (l.exposure && l.exposure.ports.length > 0 ? [l.exposure] : []));
    try {
      const results = await exposer.expose(list);
      return new Map((Array.isArray(results) ? results : []).map((r) => [r.gateway, r]));
    } catch (e) {
      this.log("error", "exposing the gateways failed", { error: String(e) });
      return `exposing the Gateway failed: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  private gatewayResult(l: GatewayLayout, bindErrors: ReadonlyMap<string, string>, exposed: Map<string, ExposureResult> | string | undefined): GatewayResult {
    const g = l.gateway;
    // Errors per listener name: a port that cannot be bound fails the listeners it carries.
    const errors: string[] = [];
    const byListener = new Map<string, string[]>();
    const add = (names: string[], m: string) => {
      errors.push(m);
      for (const n of names) byListener.set(n, [...(byListener.get(n) ?? []), m]);
    };
    for (const e of l.portErrors) add(g.listeners.filter((x) => x.port === e.listenerPort).map((x) => x.name), e.message);
    for (const p of l.ports) {
      const m = bindErrors.get(p.id);
      if (m !== undefined) add(p.listeners.map((x) => x.name), m);
    }
    const listeners = listenerResults(g, l, byListener);
    let addresses = l.addresses.map((value) => ({ type: "IPAddress", value }));

    const fail = (reason: string, message: string): GatewayResult => ({ key: g.key, programmed: false, reason, message, addresses, listeners });
    if (l.invalid) return fail(REASON.Invalid, l.config ? `${l.invalid} (still serving with the last valid settings)` : l.invalid);
    if (l.addressError) return fail(REASON.AddressNotUsable, l.addressError);
    if (errors.length > 0) return fail(REASON.AddressNotUsable, errors.join("; "));

    if (exposed !== undefined) {
      const r = typeof exposed === "string" ? undefined : exposed.get(g.key);
      if (!r) {
        const why = typeof exposed === "string" ? exposed : l.ports.length === 0 ? "the Gateway has no ports to expose" : "the exposer reported nothing for this Gateway";
        return fail(REASON.AddressNotAssigned, why);
      }
      addresses = (Array.isArray(r.addresses) ? r.addresses : []).map((a) => ({ type: a.type, value: a.value }));
      if (!r.ready) return fail(REASON.AddressNotAssigned, r.message || "the Service has no address yet");
    }
    const where = this.cluster
      ? `internal ports ${l.ports.map((p) => `${p.listenerPort}→${p.port}`).join(", ")}`
      : `${l.addresses.join(", ")} ports ${[...new Set(l.ports.map((p) => p.port))].join(", ")}`;
    return { key: g.key, programmed: true, reason: REASON.Programmed, message: l.ports.length > 0 ? `serving on ${where}` : "no listeners to serve", addresses, listeners };
  }

  async finalize(): Promise<FinalizeResult> {
    return { done: true, message: "the local proxy owns nothing outside this process" };
  }

  /** Drains every port and stops the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.pool.close();
    this.unregister?.();
    this.running.clear();
  }

  /** Ports served right now, by id (tests, debugging). */
  servedPorts(): BoundPort[] {
    return [...this.running.values()].map((r) => r.port);
  }
}

function listenerResults(g: IRGateway, l: GatewayLayout, errors: ReadonlyMap<string, string[]>): ListenerResult[] {
  return g.listeners.map((x) => {
    const errs = errors.get(x.name);
    if (l.invalid && !l.config) return { name: x.name, programmed: false, reason: REASON.Invalid, message: l.invalid };
    if (l.addressError) return { name: x.name, programmed: false, reason: REASON.Invalid, message: l.addressError };
    if (errs) return { name: x.name, programmed: false, reason: REASON.Invalid, message: errs.join("; ") };
    return { name: x.name, programmed: true, reason: REASON.Programmed, message: "the listener is served" };
  });
}

function sourcesOf(p: BoundPort): string[] {
  return [...new Set(p.listeners.map((l) => l.source))].sort();
}

function describe(p: BoundPort): string {
  return `${p.protocol} ${p.id} for Gateway ${p.gateway} (listeners ${p.listeners.map((l) => l.name).join(", ") || "none"})`;
}

function fingerprint(p: BoundPort): string {
  return JSON.stringify(p);
}
