// The Compute API as the provider uses it: get / insert / update / patch / delete and the
// custom methods, each mutation with a requestId, retried with backoff on 429/5xx/timeouts
// and resourceNotReady, then waited for (operations `wait` returns before DONE: loop).
// Every HTTP call is counted by method id, so tests and the bench can assert on them.
import { CUSTOM_BODY, ClientPool, KINDS, type AnyClient } from "./clients.js";
import { isObj, type Json } from "./json.js";
import { parsePath, type ResourcePath } from "./paths.js";

export type LogFn = (level: "debug" | "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;

export interface CallCounts {
  total: number;
  mutating: number;
  /** By method id, e.g. `urlMaps.insert`, `globalOperations.wait`. */
  byMethod: Record<string, number>;
}

export interface ComputeOptions {
  clientOptions: Record<string, unknown>;
  retry: { attempts: number; baseMs: number };
  operationPollMs: number;
  callTimeoutMs: number;
  /** Upper bound on waiting for one operation. */
  operationTimeoutMs: number;
  log: LogFn;
  /** Test hook: runs after every answered mutating call (a crash test throws here). */
  afterMutation?: (method: string, count: number) => void;
}

/** An API error, with the HTTP status and the API's errors[0].reason when known. */
export class ComputeError extends Error {
  constructor(message: string, readonly status: number, readonly reason: string | undefined, readonly quota = false) {
    super(message);
  }
}

const RAW = Symbol.for("google-gax.rawHttpResponsePayload");
/** gRPC codes the client maps HTTP statuses to. */
const GRPC_TO_HTTP: Record<number, number> = { 3: 400, 4: 504, 5: 404, 8: 429, 9: 412, 10: 409, 13: 500, 14: 503, 7: 403 };

export function toComputeError(e: unknown): ComputeError {
  if (e instanceof ComputeError) return e;
  const err = (isObj(e) || e instanceof Error ? e : {}) as Record<string | symbol, unknown>;
  const status = typeof err["httpStatusCode"] === "number" ? err["httpStatusCode"] : GRPC_TO_HTTP[Number(err["code"])] ?? 0;
  let reason: string | undefined;
  let message = e instanceof Error ? e.message : String(e);
  const raw = err[RAW];
  if (typeof raw === "string") {
    try {
      const body = JSON.parse(raw) as { error?: { message?: string; errors?: { reason?: string }[] } };
      reason = body.error?.errors?.[0]?.reason;
      if (body.error?.message) message = body.error.message;
    } catch { /* not JSON */ }
  }
  return new ComputeError(message, status, reason);
}

function retriable(e: ComputeError): boolean {
  return e.status === 429 || e.status >= 500 || e.status === 0 || e.reason === "resourceNotReady" || e.reason === "rateLimitExceeded";
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Op { name?: string | null; status?: unknown; zone?: string | null; region?: string | null; error?: unknown; targetLink?: string | null }

export class ComputeApi {
  private readonly pool: ClientPool;
  private counts: CallCounts = { total: 0, mutating: 0, byMethod: {} };
  /** Cumulative since start (operator metrics): per `method|result`, and retried attempts. */
  private readonly results = new Map<string, number>();
  private retried = 0;

  stats(): { apiCalls: { operation: string; result: "success" | "error" | "throttled"; count: number }[]; retries: number } {
    const apiCalls = [...this.results.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, count]) => {
      const [operation, result] = k.split("|") as [string, "success" | "error" | "throttled"];
      return { operation, result, count };
    });
    return { apiCalls, retries: this.retried };
  }

  private result(method: string, err: ComputeError | undefined): void {
    const r = !err ? "success" : err.status === 429 ? "throttled" : "error";
    const k = `${method}|${r}`;
    this.results.set(k, (this.results.get(k) ?? 0) + 1);
  }

  constructor(private readonly o: ComputeOptions) {
    this.pool = new ClientPool(o.clientOptions);
  }

  callCounts(): CallCounts {
    return { total: this.counts.total, mutating: this.counts.mutating, byMethod: { ...this.counts.byMethod } };
  }

  resetCounts(): void {
    this.counts = { total: 0, mutating: 0, byMethod: {} };
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private client(r: ResourcePath): { client: AnyClient; api: string; scope: "global" | "region" | "zone" } {
    const k = KINDS[r.collection];
    const scope = r.zone ? "zone" : r.region ? "region" : "global";
    const ctor = k.ctor[scope];
    const api = k.api[scope];
    if (!ctor || !api) throw new ComputeError(`${r.collection} has no ${scope} form`, 400, "invalid");
    return { client: this.pool.get(ctor), api, scope };
  }

  private base(r: ResourcePath): Json {
    const req: Json = { project: r.project, [KINDS[r.collection].param]: r.name };
    if (r.region) req["region"] = r.region;
    if (r.zone) req["zone"] = r.zone;
    return req;
  }

  private count(method: string, mutating: boolean): void {
    this.counts.total++;
    this.counts.byMethod[method] = (this.counts.byMethod[method] ?? 0) + 1;
    if (mutating) this.counts.mutating++;
  }

  /** One call with retries on transient errors (same request, so the same requestId). */
  private async call<T>(client: AnyClient, fn: string, method: string, req: Json, mutating: boolean): Promise<T> {
    const { attempts, baseMs } = this.o.retry;
    for (let i = 1; ; i++) {
      this.count(method, mutating);
      let res: T | undefined;
      let err: ComputeError | undefined;
      try {
        [res] = (await client[fn](req, { timeout: this.o.callTimeoutMs })) as [T];
      } catch (e) {
        err = toComputeError(e);
      }
      this.result(method, err);
      if (mutating) this.o.afterMutation?.(method, this.counts.mutating);
      if (!err) return res as T;
      if (i >= attempts || !retriable(err)) throw err;
      this.retried++;
      {
        const delay = Math.min(baseMs * 2 ** (i - 1), 30_000) * (0.5 + Math.random() / 2);
        this.o.log("debug", "retrying compute call", { method, status: err.status, reason: err.reason, attempt: i });
        await sleep(delay);
      }
    }
  }

  /** The resource, or undefined on 404. */
  async get(path: string): Promise<Json | undefined> {
    const r = parsePath(path);
    if (!r) throw new ComputeError(`bad resource path ${path}`, 400, "invalid");
    const { client, api } = this.client(r);
    try {
      return await this.call<Json>(client, "get", `${api}.get`, this.base(r), false);
    } catch (e) {
      const err = toComputeError(e);
      if (err.status === 404) return undefined;
      throw err;
    }
  }

  /** Every endpoint attached to a zonal NEG. */
  async listEndpoints(path: string): Promise<Json[]> {
    const r = parsePath(path)!;
    const { client, api } = this.client(r);
    const req = { ...this.base(r), [CUSTOM_BODY["listNetworkEndpoints"]!.zone]: {} };
    const items = await this.call<unknown[]>(client, "listNetworkEndpoints", `${api}.listNetworkEndpoints`, req, false);
    return (Array.isArray(items) ? items : []).map((i) => (isObj(i) && isObj(i["networkEndpoint"]) ? i["networkEndpoint"] : {}));
  }

  /** Every resource of a collection in a project, all scopes (for the finalizer's discovery). */
  async aggregated(project: string, collection: keyof typeof KINDS): Promise<Json[]> {
    const k = KINDS[collection];
    if (collection === "firewalls") {
      const c = this.pool.get(k.ctor.global!);
      const items = await this.call<unknown[]>(c, "list", "firewalls.list", { project }, false);
      return (Array.isArray(items) ? items : []).filter(isObj);
    }
    // aggregatedList lives on the regional client for addresses and forwarding rules.
    const regional = collection === "addresses" || collection === "forwardingRules";
    const ctor = (regional ? k.ctor.region : k.ctor.global ?? k.ctor.zone)!;
    const api = (regional ? k.api.region : k.api.global ?? k.api.zone)!;
    const c = this.pool.get(ctor);
    const method = `${api}.aggregatedList`;
    this.count(method, false);
    const out: Json[] = [];
    try {
      const iter = c["aggregatedListAsync"]({ project }, { timeout: this.o.callTimeoutMs }) as AsyncIterable<[string, Json]>;
      for await (const [, scoped] of iter) {
        const list = Object.values(scoped ?? {}).find(Array.isArray);
        for (const item of (list as unknown[] | undefined) ?? []) if (isObj(item)) out.push(item);
      }
    } catch (e) {
      const err = toComputeError(e);
      this.result(method, err);
      throw err;
    }
    // Counted in the operator's metrics like every other call (pages are one call here).
    this.result(method, undefined);
    return out;
  }

  /** Runs a mutating method and waits for its operation to finish. */
  async mutate(path: string, verb: string, body: Json | undefined, requestId: string): Promise<void> {
    const r = parsePath(path);
    if (!r) throw new ComputeError(`bad resource path ${path}`, 400, "invalid");
    const { client, api, scope } = this.client(r);
    const req: Json = { ...this.base(r), requestId };
    if (verb === "insert") {
      delete req[KINDS[r.collection].param];
      req[KINDS[r.collection].body] = body;
    } else if (verb === "update" || verb === "patch") {
      req[KINDS[r.collection].body] = body;
    } else if (verb !== "delete") {
      const field = CUSTOM_BODY[verb]?.[scope];
      if (!field) throw new ComputeError(`${verb} is not available for ${api}`, 400, "invalid");
      req[field] = body;
    }
    const lro = await this.call<{ latestResponse?: Op; name?: string }>(client, verb, `${api}.${verb}`, req, true);
    await this.waitDone((lro?.latestResponse ?? {}) as Op, r.project);
  }

  private async waitDone(first: Op, project: string): Promise<void> {
    let op = first;
    const deadline = Date.now() + this.o.operationTimeoutMs;
    while (op.status !== "DONE") {
      if (Date.now() > deadline) throw new ComputeError(`operation ${String(op.name)} still ${String(op.status)} after ${this.o.operationTimeoutMs} ms`, 504, "timeout");
      const name = String(op.name ?? "");
      const zone = op.zone ? String(op.zone).split("/").pop()! : undefined;
      const region = op.region ? String(op.region).split("/").pop()! : undefined;
      const [ctor, api, req] = zone
        ? ["ZoneOperationsClient", "zoneOperations", { project, zone, operation: name }]
        : region
          ? ["RegionOperationsClient", "regionOperations", { project, region, operation: name }]
          : ["GlobalOperationsClient", "globalOperations", { project, operation: name }];
      const c = this.pool.get(ctor);
      try {
        op = await this.call<Op>(c, "wait", `${api}.wait`, req as Json, false);
      } catch (e) {
        const err = toComputeError(e);
        if (err.status === 504 || err.status === 0) continue; // the wait itself timed out: wait again
        throw err;
      }
      if (op.status !== "DONE" && this.o.operationPollMs > 0) await sleep(this.o.operationPollMs);
    }
    const errors = isObj(op.error) && Array.isArray(op.error["errors"]) ? (op.error["errors"] as Json[]) : [];
    if (errors.length > 0) {
      const e0 = errors[0]!;
      const code = String(e0["code"] ?? "");
      const message = errors.map((x) => String(x["message"] ?? x["code"] ?? "")).join("; ");
      const status = Number((op as Json)["httpErrorStatusCode"] ?? 400);
      throw new ComputeError(message, status, code, code === "QUOTA_EXCEEDED");
    }
  }
}
