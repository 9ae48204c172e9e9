// Fault injection: make chosen calls fail with throttling, a 5xx, an arbitrary error, a hang
// (no response until the client gives up), a reset connection or a delay — before the
// operation runs or after it ran (the change is made, the response is lost).
import { LatticeError, internal, throttling, type ErrorCode } from "./errors.js";

export type Fault =
  | { kind: "throttle"; retryAfterSeconds?: number }
  | { kind: "internal"; retryAfterSeconds?: number }
  /** 503 ServiceUnavailableException (an error code the SDK retries as transient). */
  | { kind: "unavailable" }
  | { kind: "error"; status: number; code: ErrorCode | string; message?: string; members?: Record<string, unknown> }
  /** Never answer; the request stays open until the client times out or the fake closes. */
  | { kind: "hang" }
  /** Destroy the connection without a response. */
  | { kind: "reset" }
  /** Answer normally after `ms` of real time. */
  | { kind: "delay"; ms: number };

export interface FaultRule {
  /** Only calls of these operations count (default: all). */
  operation?: string | readonly string[];
  /** Only mutating (true) or read-only (false) calls count. */
  mutating?: boolean;
  /** Let this many matching calls through first (0 = the next matching call). */
  skip?: number;
  /** How many matching calls fail after the skipped ones (default 1; Infinity = all). */
  times?: number;
  /** "before" (default): the operation does not run. "after": it runs, then the fault replaces the response. */
  when?: "before" | "after";
  fault: Fault;
}

export interface FaultHandle {
  /** Matching calls this rule failed so far. */
  readonly hits: number;
  remove(): void;
}

interface Active {
  rule: FaultRule;
  seen: number;
  hits: number;
}

export class Injector {
  private rules: Active[] = [];

  /** Adds a fault rule; rules are checked in the order added, the first that fires wins. */
  add(rule: FaultRule): FaultHandle {
    const a: Active = { rule, seen: 0, hits: 0 };
    this.rules.push(a);
    return {
      get hits() {
        return a.hits;
      },
      remove: () => {
        this.rules = this.rules.filter((x) => x !== a);
      },
    };
  }

  /** The next call of `operation` (or of any operation: "*") fails. */
  next(operation: string | readonly string[], fault: Fault, when: "before" | "after" = "before"): FaultHandle {
    return this.add({ ...(operation === "*" ? {} : { operation }), fault, when });
  }

  /** The n-th call from now (1-based; counting only `operation` calls if given) fails. */
  nth(n: number, fault: Fault, opts: { operation?: string | readonly string[]; mutating?: boolean; when?: "before" | "after" } = {}): FaultHandle {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`nth(${n}): n is 1-based`);
    return this.add({ ...opts, skip: n - 1, times: 1, fault });
  }

  /**
   * Every mutating call after the first k (from now) fails — a controller that "crashes"
   * after its k-th change. Read-only calls keep working.
   */
  afterMutating(k: number, fault: Fault = { kind: "internal" }): FaultHandle {
    return this.add({ mutating: true, skip: k, times: Number.POSITIVE_INFINITY, fault });
  }

  clear(): void {
    this.rules = [];
  }

  /** Active rules, for debugging. */
  pending(): FaultRule[] {
    return this.rules.map((a) => a.rule);
  }

  /** Called once per call: the fault to apply, if a rule fires. */
  take(call: { operation: string; mutating: boolean }): { fault: Fault; when: "before" | "after" } | undefined {
    let fired: { fault: Fault; when: "before" | "after" } | undefined;
    for (const a of this.rules) {
      const r = a.rule;
      if (r.operation !== undefined) {
        const ops = typeof r.operation === "string" ? [r.operation] : r.operation;
        if (!ops.includes(call.operation)) continue;
      }
      if (r.mutating !== undefined && r.mutating !== call.mutating) continue;
      a.seen++;
      if (fired) continue;
      const skip = r.skip ?? 0;
      const times = r.times ?? 1;
      if (a.seen > skip && a.hits < times) {
        a.hits++;
        fired = { fault: r.fault, when: r.when ?? "before" };
      }
    }
    this.rules = this.rules.filter((a) => a.hits < (a.rule.times ?? 1));
    return fired;
  }
}

/** The error response of an error-kind fault. */
export function faultError(f: Fault): LatticeError | undefined {
  switch (f.kind) {
    case "throttle":
      return throttling(f.retryAfterSeconds ?? 1);
    case "internal":
      return internal("Injected internal error.", f.retryAfterSeconds);
    case "unavailable":
      return new LatticeError("ServiceUnavailableException" as ErrorCode, 503, "Injected: service unavailable.");
    case "error":
      return new LatticeError(f.code as ErrorCode, f.status, f.message ?? `Injected ${f.code}.`, f.members ?? {});
    default:
      return undefined;
  }
}

export function describe(f: Fault): string {
  return f.kind === "error" ? `error:${f.code}` : f.kind;
}
