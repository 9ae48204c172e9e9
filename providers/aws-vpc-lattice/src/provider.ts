// The AWS VPC Lattice backend: routeCentricView → Lattice resources, through the SDK.
// plan() lists the changes against what the provider knows (nothing is called); apply()
// makes them and reports per Gateway and route, writing resource ids back as annotations;
// finalize() removes what a deleted Gateway or route owned.
import type { Capabilities } from "@gatehouse/model";
import type { DesiredState } from "@gatehouse/ir";
import type {
  FinalizeResult, FinalizeTarget, GatewayResult, Plan, Provider, ProviderResults, ProviderStats, RouteResult,
} from "@gatehouse/provider-api";
import {
  GetAuthPolicyCommand, GetServiceCommand, GetServiceNetworkCommand, GetServiceNetworkServiceAssociationCommand, GetServiceNetworkVpcAssociationCommand,
  GetTargetGroupCommand,
} from "@aws-sdk/client-vpc-lattice";
import { storedFingerprint } from "./auth-policy.js";
import { LATTICE_CONTROLLER, latticeCapabilities } from "./capabilities.js";
import { isCloudError, LatticeClients } from "./client.js";
import { ANNOTATION, encode, fromAnnotations, type Known, type KnownMap } from "./known.js";
import { buildModel, type DesiredModel, type ModelContext } from "./model.js";
import { Reconciler, type Problem, type ReconcileContext } from "./reconciler.js";

export type LogFn = (level: "debug" | "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;

export interface LatticeProviderOptions {
  /** Default gatehouse.dev/aws-vpc-lattice. */
  controllerName?: string;
  log?: LogFn;
  /** SDK endpoint override (the fake, moto); undefined = AWS. */
  endpoint?: string;
  /** Used when the LatticeConfig names none (default us-east-1, or AWS_REGION). */
  region?: string;
  /** Undefined = the SDK's default credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Ownership tag value (gatehouse.dev/cluster), default "gatehouse". */
  clusterName?: string;
  /** SDK request timeout (ms), default 30 s; a request past it fails and is retried. */
  requestTimeoutMs?: number;
  /** Retries of throttled, 5xx, timed-out requests: attempts (default 5) with exponential backoff from baseMs (default 200). */
  retry?: { attempts?: number; baseMs?: number };
  /** VPC when the LatticeConfig names none. */
  vpcIdentifier?: string;
  /** How long one apply waits for CREATE/DELETE_IN_PROGRESS before reporting Pending (default 60 s). */
  waitMs?: number;
  /** First poll interval while waiting (default 250 ms). */
  pollMs?: number;
  /** Interval of the drift check (a Get per known top-level resource at the start of an apply); 0 = off. Default 10 min. */
  driftCheckMs?: number;
  /** Asked of the operator (ProviderResults.requeueAfterMs) while anything is Pending; default 5 s. */
  requeueAfterMs?: number;
  /** Test hook: runs before every request (throw a non-AWS error to simulate a crash). */
  beforeSend?: (command: string, mutating: boolean) => void;
}

/** @deprecated The contract's FinalizeTarget carries `annotations` now; kept as an alias for existing imports. */
export type LatticeFinalizeTarget = FinalizeTarget;

const ROUTE_KINDS = new Set(["HTTPRoute", "GRPCRoute", "TLSRoute"]);

export class LatticeProvider implements Provider {
  readonly capabilities: Capabilities;
  readonly needsFinalizer = true;
  readonly everyReplica = false;

  private readonly opts: LatticeProviderOptions;
  private readonly clients: LatticeClients;
  private readonly log: LogFn;
  private readonly known: KnownMap = new Map();
  private readonly regionOf = new Map<string, string>();
  private seenDesired = false;
  private lastDrift = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(opts: LatticeProviderOptions) {
    this.opts = opts;
    this.capabilities = latticeCapabilities(opts.controllerName ?? LATTICE_CONTROLLER);
    this.log = opts.log ?? (() => undefined);
    this.clients = new LatticeClients({
      ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      ...(opts.requestTimeoutMs !== undefined ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
      ...(opts.retry ? { retry: opts.retry } : {}),
      ...(opts.beforeSend ? { beforeSend: opts.beforeSend } : {}),
    });
    this.lastDrift = Date.now();
  }

  private get controllerName(): string { return this.capabilities.controllerName; }
  private get region(): string { return this.opts.region ?? process.env["AWS_REGION"] ?? "us-east-1"; }

  private modelContext(): ModelContext {
    return {
      controllerName: this.controllerName,
      clusterName: this.opts.clusterName ?? "gatehouse",
      region: this.region,
      ...(this.opts.vpcIdentifier ? { vpcIdentifier: this.opts.vpcIdentifier } : {}),
    };
  }

  private reconcileContext(): ReconcileContext {
    return {
      clients: this.clients,
      clusterName: this.opts.clusterName ?? "gatehouse",
      controllerName: this.controllerName,
      defaultRegion: this.region,
      waitMs: this.opts.waitMs ?? 60_000,
      pollMs: this.opts.pollMs ?? 250,
      log: this.log,
    };
  }

  /** One apply/finalize at a time: they share what the provider knows. */
  private serial<T>(f: () => Promise<T>): Promise<T> {
    const next = this.queue.then(f, f);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Annotations fill in what memory lacks (after a restart); memory is newer otherwise. */
  private seed(known: KnownMap, annotations: Record<string, Record<string, string>> | undefined): void {
    for (const [k, v] of fromAnnotations(annotations)) if (!known.has(k)) known.set(k, v);
  }

  async plan(desired: DesiredState): Promise<Plan> {
    const known: KnownMap = new Map([...this.known].map(([k, v]) => [k, { ...v }]));
    this.seed(known, desired.annotations);
    const r = new Reconciler(this.reconcileContext(), known, true);
    await r.reconcile(buildModel(desired, this.modelContext()));
    return { controllerName: this.controllerName, changes: r.changes };
  }

  apply(_plan: Plan, desired: DesiredState): Promise<ProviderResults> {
    return this.serial(async () => {
      if (this.closed) throw new Error("LatticeProvider is closed");
      this.seed(this.known, desired.annotations);
      this.seenDesired = true;
      const model = buildModel(desired, this.modelContext());
      for (const g of model.gateways) this.regionOf.set(g.key, g.region);
      await this.maybeDriftCheck();
      const r = new Reconciler(this.reconcileContext(), this.known, false);
      await r.reconcile(model);
      return this.results(model, r.problems, desired);
    });
  }

  private async maybeDriftCheck(): Promise<void> {
    const every = this.opts.driftCheckMs ?? 600_000;
    if (every <= 0 || Date.now() - this.lastDrift < every) return;
    this.lastDrift = Date.now();
    await this.driftCheck();
  }

  /**
   * A Get per known top-level resource; what is gone is forgotten, so the apply recreates it.
   * An auth policy that is gone or was changed outside gatehouse is forgotten too (the apply
   * reads it once and puts the configured one back).
   */
  async driftCheck(): Promise<number> {
    let dropped = 0;
    for (const [key, k] of [...this.known.entries()]) {
      const kind = key.slice(0, key.indexOf("/"));
      const region = (k.gw && this.regionOf.get(k.gw)) ?? this.regionOf.get(k.o) ?? this.region;
      if (kind === "ap") {
        let held: string | undefined;
        let state: string | undefined;
        try {
          const got = await this.clients.send<{ policy?: string; state?: string }>(region, new GetAuthPolicyCommand({ resourceIdentifier: k.id }));
          held = storedFingerprint(got.policy);
          state = got.state;
        } catch (e) {
          if (!isCloudError(e) || e.name !== "ResourceNotFoundException") continue;
        }
        if (this.known.get(key) !== k) continue;
        if (held === k.h) {
          // Still ours; Active/Inactive follows the network's authType, which may have changed.
          if (state) this.known.set(key, { ...k, st: state });
          continue;
        }
        dropped++;
        this.known.delete(key);
        this.log("warn", "lattice: auth policy gone or changed (drift); it will be put again", { key, id: k.id });
        continue;
      }
      const cmd = kind === "svc" ? new GetServiceCommand({ serviceIdentifier: k.id })
        : kind === "tg" ? new GetTargetGroupCommand({ targetGroupIdentifier: k.id })
        : kind === "sn" ? new GetServiceNetworkCommand({ serviceNetworkIdentifier: k.id })
        : kind === "snva" ? new GetServiceNetworkVpcAssociationCommand({ serviceNetworkVpcAssociationIdentifier: k.id })
        : kind === "snsa" ? new GetServiceNetworkServiceAssociationCommand({ serviceNetworkServiceAssociationIdentifier: k.id })
        : undefined;
      if (!cmd) continue;
      try {
        const got = await this.clients.send<{ status?: string }>(region, cmd);
        if (got.status && this.known.has(key)) this.known.set(key, { ...this.known.get(key)!, st: got.status });
      } catch (e) {
        if (!isCloudError(e) || e.name !== "ResourceNotFoundException") continue;
        dropped++;
        this.known.delete(key);
        this.log("warn", "lattice: resource gone (drift); it will be recreated", { key, id: k.id });
        if (kind === "svc") {
          const name = key.slice(4);
          for (const [x, v] of [...this.known.entries()]) if (v.o === name && /^(lis|rule|snsa)\//.test(x)) this.known.delete(x);
        }
      }
    }
    return dropped;
  }

  private entriesOf(pred: (key: string, k: Known) => boolean): [string, Known][] {
    return [...this.known.entries()].filter(([key, k]) => pred(key, k));
  }

  private results(model: DesiredModel, problems: Map<string, Problem>, desired: DesiredState): ProviderResults {
    const gateways: GatewayResult[] = [];
    const routes = new Map<string, RouteResult>();
    for (const g of model.gateways) {
      const svcNames = new Set(this.entriesOf((key, k) => key.startsWith("svc/") && k.gw === g.key).map(([key]) => key.slice(4)));
      const entries = this.entriesOf((key, k) => k.o === g.key || (svcNames.has(k.o) && /^(svc|snsa|tg)\//.test(key)));
      const annotations: Record<string, string | null> = { [ANNOTATION.gateway]: entries.length ? encode(entries) : null };
      const sn = this.known.get(g.sn.key);
      const dns = [...new Set(model.services.filter((s) => s.gatewayKey === g.key).map((s) => this.known.get(s.key)?.d).filter((d): d is string => !!d))].sort();
      const p = g.invalid ? { reason: "Invalid", message: g.invalid } : problems.get(g.key);
      // A policy on a network whose authType is NONE (an adopted one: gatehouse sets authType only on networks it creates) is not enforced.
      const inactive = g.authPolicy.text !== undefined && this.known.get(g.authPolicy.key)?.st === "Inactive"
        ? "; its auth policy is Inactive: the service network's authType is NONE (set it to AWS_IAM)" : "";
      gateways.push({
        key: g.key,
        programmed: !p && !!sn,
        reason: p?.reason ?? (sn ? "Programmed" : "Pending"),
        message: p?.message ?? (sn ? `VPC Lattice service network ${g.sn.name} (${sn.arn ?? sn.id})${inactive}` : "service network not created yet"),
        addresses: dns.map((value) => ({ type: "Hostname", value })),
        listeners: [],
        annotations,
      });
    }
    const unsupported = new Map<string, string[]>();
    for (const u of model.unsupported) {
      if (!u.route) continue;
      const k = `${u.route}|${u.gatewayKey}`;
      unsupported.set(k, [...(unsupported.get(k) ?? []), `${u.source}: ${u.message}`]);
    }
    for (const s of model.services) {
      const svc = this.known.get(s.key);
      const entries = this.entriesOf((_key, k) => k.o === s.name);
      const r: RouteResult = {
        route: s.route,
        gatewayKey: s.gatewayKey,
        annotations: {
          [ANNOTATION.route(s.gatewayKey)]: entries.length ? encode(entries) : null,
          [ANNOTATION.dns(s.gatewayKey)]: svc?.d ?? null,
        },
      };
      const p = problems.get(s.name);
      const u = unsupported.get(`${s.route}|${s.gatewayKey}`);
      if (p) r.error = { reason: p.reason, message: p.message };
      else if (u) r.error = { reason: "UnsupportedValue", message: `VPC Lattice cannot program: ${u.join("; ")}` };
      routes.set(`${s.route}|${s.gatewayKey}`, r);
    }
    for (const [k, msgs] of unsupported) {
      if (routes.has(k)) continue;
      const [route = "", gatewayKey = ""] = k.split("|");
      routes.set(k, { route, gatewayKey, error: { reason: "UnsupportedValue", message: `VPC Lattice cannot program: ${msgs.join("; ")}` } });
    }
    // Annotations of a route's services that are gone (e.g. a parent removed) are cleared.
    const byRoute = new Map<string, RouteResult>();
    for (const r of routes.values()) if (!byRoute.has(r.route)) byRoute.set(r.route, r);
    for (const [route, r] of byRoute) {
      const have = desired.annotations?.[route] ?? {};
      const written = new Set([...routes.values()].filter((x) => x.route === route).flatMap((x) => Object.keys(x.annotations ?? {})));
      for (const key of Object.keys(have)) {
        if (key.startsWith("gatehouse.dev/lattice-") && !written.has(key)) r.annotations = { ...(r.annotations ?? {}), [key]: null };
      }
    }
    const sorted = [...routes.values()].sort((a, b) => (a.route < b.route ? -1 : a.route > b.route ? 1 : a.gatewayKey < b.gatewayKey ? -1 : 1));
    const out: ProviderResults = { controllerName: this.controllerName, gateways, routes: sorted };
    // Something still in progress (or throttled, or conflicting): ask to be called again.
    if ([...problems.values()].some((p) => p.reason === "Pending")) out.requeueAfterMs = this.opts.requeueAfterMs ?? 5000;
    return out;
  }

  finalize(target: FinalizeTarget): Promise<FinalizeResult> {
    return this.serial(async () => {
      // The deleted object's gatehouse.dev/ annotations (FinalizeTarget.annotations): after a
      // restart they are the only record of what it owned (it has left the desired state).
      if (target.annotations) this.seed(this.known, { [`${target.kind.toLowerCase()}/${target.namespace}/${target.name}`]: target.annotations });
      const key = `${target.namespace}/${target.name}`;
      const isGateway = target.kind === "Gateway";
      if (!isGateway && !ROUTE_KINDS.has(target.kind)) return { done: true, message: `${target.kind} owns no VPC Lattice resources` };
      const source = `${target.kind.toLowerCase()}/${key}`;
      const services = this.entriesOf((k, v) => k.startsWith("svc/") && (isGateway ? v.gw === key : v.r === source)).map(([k]) => k.slice(4));
      if (!this.seenDesired && !target.annotations && services.length === 0 && !this.known.has(`sn/${key}`)) {
        // Right after a start, nothing is loaded yet: the first apply reads the annotations.
        return { done: false, message: "waiting for the first reconcile to load the VPC Lattice resource ids" };
      }
      const r = new Reconciler(this.reconcileContext(), this.known, false);
      for (const name of services.sort()) {
        const gw = this.known.get(`svc/${name}`)?.gw;
        await r.run(name, () => r.deleteServiceUnit((gw && this.regionOf.get(gw)) ?? this.region, name));
      }
      if (isGateway && r.problems.size === 0) {
        await r.run(key, () => r.deleteGatewayUnit(this.regionOf.get(key) ?? this.region, key, source));
      }
      const left = this.entriesOf((k, v) => isGateway ? v.o === key || v.gw === key : (k.startsWith("svc/") && v.r === source)).length
        + services.reduce((n, name) => n + this.entriesOf((_k, v) => v.o === name).length, 0);
      const problems = [...r.problems.values()].map((p) => p.message);
      if (left === 0 && problems.length === 0) return { done: true, message: `VPC Lattice resources of ${target.kind} ${key} deleted` };
      return { done: false, message: problems.length ? problems.join("; ") : `${left} VPC Lattice resource(s) of ${target.kind} ${key} still being deleted` };
    });
  }

  /** Requests sent so far, by operation (tests and the bench). */
  /** API attempts by operation and result, and retries, since start (the operator's metrics). */
  stats(): ProviderStats {
    return this.clients.stats();
  }

  callCounts(): Record<string, number> {
    return this.clients.callCounts();
  }

  resetCallCounts(): void {
    this.clients.resetCounts();
  }

  /** A copy of what the provider knows (tests). */
  knownResources(): Record<string, Known> {
    return Object.fromEntries([...this.known.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, v]) => [k, { ...v }]));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => undefined);
    this.clients.close();
  }
}
