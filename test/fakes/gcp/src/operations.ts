import { randomBytes } from "node:crypto";
import { ApiError } from "./errors.js";
import type { Json } from "./json.js";
import { clone } from "./json.js";
import { type Scope, scopeKey, selfLink } from "./links.js";
import type { Store } from "./store.js";

/** How an operation failed, as the DONE operation reports it. */
export interface OpFailure {
  errors: Array<{ code: string; message: string; errorDetails?: Json[] }>;
  httpErrorStatusCode: number;
  httpErrorMessage: string;
}

export interface OperationTiming {
  /** Time from the call to DONE. 0 completes the change before the call returns. */
  delayMs: number;
  /** The longest a `wait` call blocks before it returns an operation still RUNNING (the real API: ~2 minutes). */
  waitTimeoutMs: number;
  /** When true, operations stay RUNNING until `completeAll()` (or hold is lifted). */
  hold: boolean;
}

export interface OpRecord {
  project: string;
  scope: Scope;
  wire: Json;
  done: boolean;
  observed: boolean;
  /** Applies the change; returns a failure to report instead. */
  commit: () => OpFailure | undefined;
  /** Partial paths this operation holds (store.pending). */
  locks: string[];
  waiters: Set<() => void>;
  timer: NodeJS.Timeout | undefined;
  delayMs: number;
}

export interface CreateOp {
  project: string;
  scope: Scope;
  operationType: string;
  targetPath: string;
  targetId: string;
  requestId: string | undefined;
  locks: string[];
  commit: () => OpFailure | undefined;
  /** Overrides the configured delay for this one operation. */
  delayMs?: number;
}

const HTTP_REASON: Record<number, string> = { 400: "BAD REQUEST", 403: "FORBIDDEN", 404: "NOT FOUND", 409: "CONFLICT", 412: "PRECONDITION FAILED" };

export function failureFromApiError(e: ApiError): OpFailure {
  const codes: Record<string, string> = {
    notFound: "RESOURCE_NOT_FOUND",
    resourceInUseByAnotherResource: "RESOURCE_IN_USE_BY_ANOTHER_RESOURCE",
    invalid: "INVALID_FIELD_VALUE",
    alreadyExists: "RESOURCE_ALREADY_EXISTS",
    resourceNotReady: "RESOURCE_NOT_READY",
  };
  return {
    errors: e.items.map((i) => ({ code: codes[i.reason] ?? i.reason.toUpperCase(), message: i.message })),
    httpErrorStatusCode: e.status,
    httpErrorMessage: HTTP_REASON[e.status] ?? "ERROR",
  };
}

/** QUOTA_EXCEEDED as a DONE operation reports it. */
export function quotaFailure(metric: string, limit: number, scope: Scope): OpFailure {
  const where = scope.type === "global" ? "globally" : `in ${scope.type} ${scope.name}`;
  return {
    errors: [
      {
        code: "QUOTA_EXCEEDED",
        message: `Quota '${metric}' exceeded.  Limit: ${limit.toFixed(1)} ${where}.`,
        errorDetails: [{ quotaInfo: { metricName: `compute.googleapis.com/${metric.toLowerCase()}`, limitName: `${metric}-per-project`, limit } }],
      },
    ],
    httpErrorStatusCode: 403,
    httpErrorMessage: "FORBIDDEN",
  };
}

/** Global, regional and zonal operations, with requestId idempotency and `wait`. */
export class Operations {
  private readonly ops = new Map<string, OpRecord>();
  private readonly byRequest = new Map<string, OpRecord>();

  constructor(
    private readonly store: Store,
    readonly timing: OperationTiming,
  ) {}

  /** The operation an earlier call with this requestId created, if any. */
  byRequestId(project: string, requestId: string | undefined): OpRecord | undefined {
    return requestId ? this.byRequest.get(`${project}|${requestId}`) : undefined;
  }

  create(c: CreateOp): OpRecord {
    const id = this.store.nextId();
    const name = `operation-${Date.now()}-${randomBytes(7).toString("hex").slice(0, 13)}-${randomBytes(4).toString("hex")}-${randomBytes(4).toString("hex")}`;
    const now = timestamp();
    const wire: Json = {
      kind: "compute#operation",
      id,
      name,
      operationType: c.operationType,
      targetLink: selfLink(c.targetPath),
      targetId: c.targetId,
      status: "PENDING",
      user: "fake-compute@gatehouse.invalid",
      progress: 0,
      insertTime: now,
      startTime: now,
      selfLink: selfLink(`${scopeKey(c.project, c.scope)}/operations/${name}`),
    };
    if (c.scope.type === "region") wire["region"] = selfLink(`projects/${c.project}/regions/${c.scope.name}`);
    if (c.scope.type === "zone") wire["zone"] = selfLink(`projects/${c.project}/zones/${c.scope.name}`);
    const op: OpRecord = {
      project: c.project,
      scope: c.scope,
      wire,
      done: false,
      observed: false,
      commit: c.commit,
      locks: c.locks,
      waiters: new Set(),
      timer: undefined,
      delayMs: c.delayMs ?? this.timing.delayMs,
    };
    this.ops.set(`${scopeKey(c.project, c.scope)}/${name}`, op);
    this.ops.set(`${scopeKey(c.project, c.scope)}/${id}`, op);
    if (c.requestId) this.byRequest.set(`${c.project}|${c.requestId}`, op);
    return op;
  }

  /** Starts the clock (or completes at once with a zero delay); call after recording the op's locks. */
  start(op: OpRecord): void {
    this.schedule(op);
  }

  private schedule(op: OpRecord): void {
    if (op.done || op.timer || this.timing.hold) return;
    if (op.delayMs <= 0) {
      this.complete(op);
      return;
    }
    op.timer = setTimeout(() => this.complete(op), op.delayMs);
    op.timer.unref();
  }

  find(project: string, scope: Scope, nameOrId: string): OpRecord | undefined {
    return this.ops.get(`${scopeKey(project, scope)}/${nameOrId}`);
  }

  /** The operation as the API returns it; the first read after creation sees RUNNING. */
  render(op: OpRecord): Json {
    const out = clone(op.wire);
    if (!op.done) out["status"] = op.observed ? "RUNNING" : "PENDING";
    op.observed = true;
    return out;
  }

  complete(op: OpRecord): void {
    if (op.done) return;
    if (op.timer) clearTimeout(op.timer);
    op.timer = undefined;
    for (const path of op.locks) {
      if (this.store.pending.get(path)?.opName === op.wire["name"]) this.store.pending.delete(path);
    }
    let failure: OpFailure | undefined;
    try {
      failure = op.commit();
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      failure = failureFromApiError(e);
    }
    op.done = true;
    op.wire["status"] = "DONE";
    op.wire["progress"] = 100;
    op.wire["endTime"] = timestamp();
    if (failure) {
      op.wire["error"] = { errors: failure.errors };
      op.wire["httpErrorStatusCode"] = failure.httpErrorStatusCode;
      op.wire["httpErrorMessage"] = failure.httpErrorMessage;
    }
    for (const w of op.waiters) w();
    op.waiters.clear();
  }

  /** Resolves when the operation is DONE or after the wait limit, whichever is first. */
  wait(op: OpRecord, signal: AbortSignal): Promise<void> {
    if (op.done) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(t);
        op.waiters.delete(finish);
        signal.removeEventListener("abort", finish);
        resolve();
      };
      const t = setTimeout(finish, this.timing.waitTimeoutMs);
      op.waiters.add(finish);
      signal.addEventListener("abort", finish, { once: true });
    });
  }

  pendingOps(): OpRecord[] {
    return [...new Set(this.ops.values())].filter((o) => !o.done);
  }

  /** Completes every operation in flight now, in creation order. */
  completeAll(): number {
    const pending = this.pendingOps();
    for (const op of pending) this.complete(op);
    return pending.length;
  }

  setHold(hold: boolean): void {
    this.timing.hold = hold;
    if (!hold) for (const op of this.pendingOps()) this.schedule(op);
  }

  /** Every operation record, for list and for tests. */
  list(project: string, scope: Scope): OpRecord[] {
    const prefix = `${scopeKey(project, scope)}/`;
    const out = new Set<OpRecord>();
    for (const [k, v] of this.ops) if (k.startsWith(prefix) && k.slice(prefix.length) === v.wire["name"]) out.add(v);
    return [...out];
  }

  clear(): void {
    for (const op of new Set(this.ops.values())) {
      if (op.timer) clearTimeout(op.timer);
      for (const w of op.waiters) w();
    }
    this.ops.clear();
    this.byRequest.clear();
  }
}

/** RFC 3339 with an explicit offset, like the API's `creationTimestamp`. */
export function timestamp(): string {
  return new Date().toISOString().replace("Z", "+00:00");
}
