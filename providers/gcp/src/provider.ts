// The GCP backend: programs Application Load Balancers with @google-cloud/compute.
// plan() reads what it does not know yet (GETs by deterministic name — the names are ours)
// and diffs; apply() carries the actions out in dependency order and reports per Gateway
// and route. Known state lives in memory, seeded from the Gateways' annotations and GETs.
import { REASON, type Capabilities } from "@gatehouse/model";
import type { DesiredState, IRGateway } from "@gatehouse/ir";
import type { FinalizeResult, FinalizeTarget, Plan, Provider, ProviderResults, ProviderStats } from "@gatehouse/provider-api";
import { GCP_CONTROLLER, gcpCapabilities } from "./capabilities.js";
import { ComputeApi, ComputeError, toComputeError, type CallCounts, type LogFn } from "./cloud/compute.js";
import { hashOf, isObj, requestIdFor, type Json } from "./cloud/json.js";
import { byRank, parsePath, pathOf, type Collection } from "./cloud/paths.js";
import { buildModel, ownership, type DesiredModel } from "./model.js";
import { knownFrom, planActions, referencesOf, toPlannedChange, type Action, type Known } from "./planner.js";
import { ANNOTATIONS, gatewayResults, routeResults, type ApplyError } from "./results.js";

export interface GcpProviderOptions {
  controllerName?: string;
  log?: (level: "debug" | "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;
  /** Passed to every @google-cloud/compute client constructor (tests: the fake's clientOptions()). */
  clientOptions?: Record<string, unknown>;
  /** Used when the GCPConfig names none. */
  project?: string;
  /** Ownership label value, default "gatehouse". */
  clusterName?: string;
  /** 429/5xx backoff. */
  retry?: { attempts?: number; baseMs?: number };
  operationPollMs?: number;
  /** Deadline of one API call (default 60 s). */
  callTimeoutMs?: number;
  /** Upper bound on waiting for one operation (default 10 min). */
  operationTimeoutMs?: number;
  /** Test hook: runs after every answered mutating call (a crash test throws from it). */
  afterMutation?: (method: string, count: number) => void;
}

const READ_CONCURRENCY = 8;
const MAX_ROUNDS = 3;

async function inBatches<T>(items: T[], n: number, f: (t: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += n) await Promise.all(items.slice(i, i + n).map(f));
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class GcpProvider implements Provider {
  readonly capabilities: Capabilities;
  readonly needsFinalizer = true;

  private readonly api: ComputeApi;
  private readonly log: LogFn;
  private readonly cluster: string;
  private readonly project: string | undefined;
  private readonly known: Known = { resources: new Map(), absent: new Set() };
  /** Paths to read again before the next plan (after a failed or unexpected answer). */
  private readonly stale = new Set<string>();
  /** Numeric ids of deleted incarnations: a later insert of the same name gets a new requestId. */
  private readonly lastIds = new Map<string, string>();
  /** Failed mutations per path: a retry after a failed operation needs a new requestId (the old one replays the failure). */
  private readonly failures = new Map<string, number>();
  private lastDesired: DesiredState | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(opts: GcpProviderOptions) {
    this.capabilities = gcpCapabilities(opts.controllerName ?? GCP_CONTROLLER);
    this.log = opts.log ?? (() => undefined);
    this.cluster = opts.clusterName ?? "gatehouse";
    this.project = opts.project;
    this.api = new ComputeApi({
      clientOptions: opts.clientOptions ?? {},
      retry: { attempts: opts.retry?.attempts ?? 6, baseMs: opts.retry?.baseMs ?? 500 },
      operationPollMs: opts.operationPollMs ?? 100,
      callTimeoutMs: opts.callTimeoutMs ?? 60_000,
      operationTimeoutMs: opts.operationTimeoutMs ?? 600_000,
      log: this.log,
      ...(opts.afterMutation ? { afterMutation: opts.afterMutation } : {}),
    });
  }

  /** Cumulative API calls by operation and result, and retries (operator metrics). */
  stats(): ProviderStats {
    return this.api.stats();
  }

  /** Compute calls made so far, by method (mutating ones and all). */
  callCounts(): CallCounts {
    return this.api.callCounts();
  }

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private model(desired: DesiredState): DesiredModel {
    return buildModel(desired, {
      controllerName: this.capabilities.controllerName, clusterName: this.cluster, ...(this.project ? { project: this.project } : {}),
    });
  }

  plan(desired: DesiredState): Promise<Plan> {
    return this.serial(async () => {
      const model = this.model(desired);
      await this.refresh(model, desired);
      const { actions } = planActions(this.known, model);
      return { controllerName: this.capabilities.controllerName, changes: actions.map(toPlannedChange) };
    });
  }

  /** Recomputes from `desired` (the plan is informational), so applying twice is harmless. */
  apply(_plan: Plan, desired: DesiredState): Promise<ProviderResults> {
    return this.serial(() => this.reconcile(desired));
  }

  private async reconcile(desired: DesiredState): Promise<ProviderResults> {
    this.lastDesired = desired;
    const model = this.model(desired);
    const errors = new Map<string, ApplyError>();
    let conflicts = new Map<string, string>();
    let fatal: string | undefined;
    try {
      for (let round = 0; round < MAX_ROUNDS; round++) {
        await this.refresh(model, desired);
        const plan = planActions(this.known, model);
        conflicts = plan.conflicts;
        errors.clear();
        if (plan.actions.length === 0) break;
        const again = await this.execute(plan.actions, errors);
        if (!again) break;
      }
    } catch (e) {
      if (!(e instanceof ComputeError)) throw e;
      fatal = `reading the current Compute state failed: ${e.message}`;
      this.log("error", "gcp reconcile failed", { error: fatal });
    }
    for (const [p, e] of errors) this.log("warn", "gcp change failed", { resource: p, error: e.message });
    const gateways = gatewayResults(model, this.known, errors, conflicts, fatal);
    const out: ProviderResults = { controllerName: this.capabilities.controllerName, gateways, routes: routeResults(model) };
    // Failed or unfinished changes: try again later even if nothing changes in the cluster.
    if (gateways.some((g) => !g.programmed && g.reason !== REASON.Invalid)) out.requeueAfterMs = 15_000;
    return out;
  }

  /** Reads every resource the model (or a Gateway's annotations) names that is not known yet. */
  private async refresh(model: DesiredModel, desired: DesiredState): Promise<void> {
    const want = new Set<string>();
    for (const p of model.resources.keys()) want.add(p);
    for (const g of model.gateways) if (g.address.path && !g.address.ours) want.add(g.address.path);
    for (const [source, ann] of Object.entries(desired?.annotations ?? {})) {
      if (source.startsWith("gateway/")) for (const p of annotationPaths(ann)) want.add(p);
    }
    const todo = [...want].filter((p) => this.stale.has(p) || (!this.known.resources.has(p) && !this.known.absent.has(p))).sort(byRank);
    await inBatches(todo, READ_CONCURRENCY, (p) => this.read(p));
  }

  private async read(path: string): Promise<void> {
    const body = await this.api.get(path);
    this.stale.delete(path);
    if (!body) {
      this.known.resources.delete(path);
      this.known.absent.add(path);
      return;
    }
    const endpoints = parsePath(path)?.collection === "networkEndpointGroups" ? await this.api.listEndpoints(path) : undefined;
    this.known.absent.delete(path);
    this.known.resources.set(path, knownFrom(path, body, this.cluster, endpoints));
  }

  /** Re-reads one resource after a change (keeping the endpoints we track for NEGs). */
  private async reread(path: string): Promise<void> {
    const prev = this.known.resources.get(path);
    const body = await this.api.get(path);
    if (!body) {
      this.known.resources.delete(path);
      this.known.absent.add(path);
      return;
    }
    const k = knownFrom(path, body, this.cluster);
    if (parsePath(path)?.collection === "networkEndpointGroups") k.endpoints = prev?.endpoints ?? new Map();
    this.known.absent.delete(path);
    this.known.resources.set(path, k);
  }

  /** Runs the actions in order; returns true when another round should plan again. */
  private async execute(actions: Action[], errors: Map<string, ApplyError>): Promise<boolean> {
    let again = false;
    const failed = new Set<string>();
    for (const a of actions) {
      if (a.op !== "delete") {
        const dep = referencesOf(a.res.body).find((p) => failed.has(p));
        if (dep) {
          failed.add(a.path);
          if (!errors.has(a.path)) errors.set(a.path, { message: `waiting for ${dep.split("/").slice(-2).join("/")}`, quota: false });
          continue;
        }
      }
      try {
        again = (await this.run(a)) || again;
      } catch (e) {
        // Only the API's answers are per-resource failures; anything else (a bug, a test's crash) ends the apply.
        if (!(e instanceof ComputeError)) throw e;
        const err = e;
        failed.add(a.path);
        this.stale.add(a.path);
        this.failures.set(a.path, (this.failures.get(a.path) ?? 0) + 1);
        errors.set(a.path, { message: err.message, quota: err.quota || /quota/i.test(err.message) });
      }
    }
    return again && errors.size === 0;
  }

  private rid(...parts: string[]): string {
    const path = parts[1] ?? "";
    return requestIdFor([...parts, String(this.failures.get(path) ?? 0)].join("|"));
  }

  /** One action; true when the world was not as known (plan again). */
  private async run(a: Action): Promise<boolean> {
    const k = this.known.resources.get(a.path);
    const fp = typeof k?.body["fingerprint"] === "string" ? k.body["fingerprint"] : "";
    const id = String(k?.body["id"] ?? "");
    switch (a.op) {
      case "insert": {
        try {
          await this.api.mutate(a.path, "insert", a.res.body, this.rid("insert", a.path, a.res.hash, this.lastIds.get(a.path) ?? ""));
        } catch (e) {
          if (!(e instanceof ComputeError)) throw e;
          const err = e;
          if (err.status !== 409) throw err;
          // Already there (an earlier run's insert, perhaps still in flight): read it until visible.
          for (let i = 0; i < 50 && !this.known.resources.has(a.path); i++) {
            await this.read(a.path);
            if (!this.known.resources.has(a.path)) await sleep(50);
          }
          return true;
        }
        await this.reread(a.path);
        const kn = this.known.resources.get(a.path);
        if (kn && a.res.endpoints && !kn.endpoints?.size) kn.endpoints = new Map();
        return false;
      }
      case "update": {
        let fingerprint = fp;
        for (let i = 0; ; i++) {
          try {
            await this.api.mutate(a.path, "update", { ...a.res.body, fingerprint }, this.rid("update", a.path, a.res.hash, fingerprint));
            break;
          } catch (e) {
            if (!(e instanceof ComputeError)) throw e;
          const err = e;
            if (err.status !== 412 || i >= 3) throw err;
            // Someone changed it since we read it: read again, then update with the new fingerprint.
            await this.reread(a.path);
            fingerprint = String(this.known.resources.get(a.path)?.body["fingerprint"] ?? "");
          }
        }
        await this.reread(a.path);
        return false;
      }
      case "patch":
        await this.withFingerprint(a.path, (f) => this.api.mutate(a.path, "patch", { ...a.body, fingerprint: f }, this.rid("patch", a.path, hashOf(a.body), f)));
        await this.reread(a.path);
        return false;
      case "setUrlMap":
        await this.api.mutate(a.path, "setUrlMap", { urlMap: a.urlMap }, this.rid("setUrlMap", a.path, a.urlMap, fp));
        await this.reread(a.path);
        return false;
      case "setSslCertificates":
        await this.api.mutate(a.path, "setSslCertificates", { sslCertificates: a.certs }, this.rid("setSslCertificates", a.path, a.certs.join(","), fp));
        await this.reread(a.path);
        return false;
      case "setTarget":
        await this.api.mutate(a.path, "setTarget", { target: a.target }, this.rid("setTarget", a.path, a.target, fp));
        await this.reread(a.path);
        return false;
      case "attach": case "detach": {
        const verb = a.op === "attach" ? "attachNetworkEndpoints" : "detachNetworkEndpoints";
        const eps = a.endpoints.map((e) => ({ instance: e.instance, ipAddress: e.ipAddress, port: e.port }));
        await this.api.mutate(a.path, verb, { networkEndpoints: eps }, this.rid(verb, a.path, hashOf(eps), id));
        const kn = this.known.resources.get(a.path);
        if (kn) {
          kn.endpoints ??= new Map();
          for (const e of a.endpoints) {
            const key = `${e.instance}|${e.ipAddress}|${e.port}`;
            if (a.op === "attach") kn.endpoints.set(key, e);
            else kn.endpoints.delete(key);
          }
        }
        return false;
      }
      case "delete": {
        try {
          await this.api.mutate(a.path, "delete", undefined, this.rid("delete", a.path, id));
        } catch (e) {
          if (!(e instanceof ComputeError)) throw e;
          const err = e;
          if (err.status !== 404) throw err;
        }
        if (id) this.lastIds.set(a.path, id);
        this.known.resources.delete(a.path);
        this.known.absent.add(a.path);
        return false;
      }
    }
  }

  private async withFingerprint(path: string, f: (fingerprint: string) => Promise<void>): Promise<void> {
    for (let i = 0; ; i++) {
      const fp = String(this.known.resources.get(path)?.body["fingerprint"] ?? "");
      try {
        return await f(fp);
      } catch (e) {
        if (!(e instanceof ComputeError)) throw e;
          const err = e;
        if (err.status !== 412 || i >= 3) throw err;
        await this.reread(path);
      }
    }
  }

  finalize(target: FinalizeTarget): Promise<FinalizeResult> {
    return this.serial(() => this.finalizeNow(target));
  }

  private async finalizeNow(t: FinalizeTarget): Promise<FinalizeResult> {
    const kind = String(t?.kind ?? "");
    const key = `${t?.namespace ?? ""}/${t?.name ?? ""}`;
    if (kind === "Gateway") {
      const owner = `gateway/${key}`;
      let failure = "";
      if (this.lastDesired) {
        const res = await this.reconcile({ ...this.lastDesired, gateways: this.lastDesired.gateways.filter((g) => g.key !== key) });
        const bad = res.gateways.find((g) => !g.programmed && g.reason !== REASON.Invalid);
        if (bad) failure = ` (Gateway ${bad.key}: ${bad.message})`;
      } else {
        // A fresh process: read what the Gateway's annotations list (or, without them, list
        // what is ours), delete this Gateway's own resources; shared ones no Gateway wants any
        // more go with the next apply (they are known now).
        const listed = annotationPaths(t.annotations);
        if (listed.length > 0) await inBatches(listed.sort(byRank), READ_CONCURRENCY, (p) => this.read(p));
        else await this.discover();
        const mine = [...this.known.resources.values()].filter((r) => r.ours && r.owner === owner).sort((a, b) => byRank(b.path, a.path));
        const errors = new Map<string, ApplyError>();
        await this.execute(mine.map((r): Action => ({ op: "delete", path: r.path, sources: [owner], gateways: [key], owner })), errors);
        if (errors.size > 0) failure = ` (${[...errors.values()].map((e) => e.message).slice(0, 2).join("; ")})`;
      }
      const left = [...this.known.resources.values()].filter((r) => r.ours && r.owner === owner).map((r) => r.path);
      if (left.length > 0) {
        return { done: false, message: `deleting ${left.length} GCP resource(s) of Gateway ${key}: ${left.slice(0, 3).map((p) => p.split("/").slice(-2).join("/")).join(", ")}${failure}` };
      }
      return { done: true, message: `the GCP resources of Gateway ${key} are deleted` };
    }
    // A route: plan again without it, so its rules leave the URL maps now.
    if (!this.lastDesired) return { done: true, message: "no known state; the next reconcile programs the URL maps without this route" };
    const route = `${kind.toLowerCase()}/${key}`;
    const without = withoutRoute(this.lastDesired, route);
    const res = await this.reconcile(without);
    const bad = res.gateways.filter((g) => !g.programmed && g.reason !== REASON.Invalid);
    if (bad.length > 0) return { done: false, message: `removing ${route} from the URL maps: ${bad.map((g) => `${g.key}: ${g.message}`).join("; ")}` };
    return { done: true, message: `${route} removed from the URL maps` };
  }

  /**
   * Without a desired state (a fresh process finalizing first): list every resource of ours
   * in the default project, so the deleted Gateway's resources and unused shared ones are known.
   */
  private async discover(): Promise<void> {
    if (!this.project) return;
    const collections: Collection[] = ["forwardingRules", "addresses", "targetHttpsProxies", "targetHttpProxies", "sslCertificates", "urlMaps",
      "backendServices", "networkEndpointGroups", "healthChecks", "firewalls"];
    for (const c of collections) {
      let items: Json[];
      try {
        items = await this.api.aggregated(this.project, c);
      } catch (e) {
        this.log("warn", "listing GCP resources failed", { collection: c, error: toComputeError(e).message });
        continue;
      }
      for (const item of items) {
        const own = ownership(item["description"]);
        if (!own || own.cluster !== this.cluster) continue;
        const p = parsePath(String(item["selfLink"] ?? ""));
        if (!p) continue;
        const path = pathOf(p, p.collection, p.name);
        this.known.resources.set(path, knownFrom(path, item, this.cluster, c === "networkEndpointGroups" ? [] : undefined));
      }
    }
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.api.close();
  }
}

/** Resource paths a Gateway's `gatehouse.dev/` annotations list (see ANNOTATIONS). */
export function annotationPaths(ann: unknown): string[] {
  if (!isObj(ann)) return [];
  const project = typeof ann[ANNOTATIONS.project] === "string" ? ann[ANNOTATIONS.project] : undefined;
  if (!project) return [];
  const out = new Set<string>();
  for (const key of new Set(Object.values(ANNOTATIONS))) {
    if (key === ANNOTATIONS.project || typeof ann[key] !== "string") continue;
    for (const short of String(ann[key]).split(",")) {
      const p = `projects/${project}/${short.trim()}`;
      if (parsePath(p)) out.add(p);
    }
  }
  return [...out];
}

/** The desired state without one route's entries. */
export function withoutRoute(ds: DesiredState, route: string): DesiredState {
  const r = route.toLowerCase();
  return {
    ...ds,
    gateways: ds.gateways.map((g): IRGateway => ({
      ...g,
      listeners: g.listeners.map((l) => ({
        ...l,
        virtualHosts: l.virtualHosts.map((vh) => ({ ...vh, routes: vh.routes.filter((e) => e.route.toLowerCase() !== r) })),
      })),
    })),
  };
}

export { ComputeError };
