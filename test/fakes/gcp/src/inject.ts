import type { Call } from "./calls.js";
import { methodMatches } from "./calls.js";
import type { OpFailure } from "./operations.js";
import { quotaFailure } from "./operations.js";
import type { Scope } from "./links.js";

/** Which calls a fault applies to; every given field must match. */
export interface FaultMatch {
  /** `compute.urlMaps.insert`, `urlMaps.insert`, or a RegExp over the method id. */
  method?: string | RegExp;
  verb?: string;
  path?: RegExp;
  mutating?: boolean;
  /** Any predicate over the call. */
  when?: (call: Call) => boolean;
}

export type Fault =
  /** Answer with this HTTP error (429 → rateLimitExceeded, 500/503 → backendError, or any status/reason). */
  | { kind: "http"; status: number; reason?: string; message?: string }
  /** Never answer; the client's deadline (call option `timeout`) ends the call. */
  | { kind: "hang" }
  /**
   * Carry the call out (the change happens, its operation starts) but drop the connection
   * instead of answering: the client sees a network error, as when a response is lost.
   */
  | { kind: "dropResponse" }
  /** Answer after a pause (then normally). */
  | { kind: "latency"; ms: number }
  /** Accept the mutation, then report this failure on the DONE operation (no change is made). */
  | { kind: "operationError"; failure: OpFailure | ((scope: Scope) => OpFailure) }
  /** Accept the mutation with this operation delay instead of the configured one. */
  | { kind: "operationDelay"; ms: number };

export interface FaultRule extends FaultMatch {
  fault: Fault;
  /** How many matching calls get the fault (default 1; Infinity for all). */
  times?: number;
  /** Let this many matching calls through first (e.g. fail the 3rd mutating call: skip 2). */
  skip?: number;
}

export interface FaultHandle {
  /** Calls this rule has answered. */
  readonly hits: number;
  remove(): void;
}

interface Active {
  rule: FaultRule;
  seen: number;
  hits: number;
}

/** Fault injection at any call, consumed in the order rules were added. */
export class Injector {
  private rules: Active[] = [];

  add(rule: FaultRule): FaultHandle {
    const a: Active = { rule, seen: 0, hits: 0 };
    this.rules.push(a);
    return {
      get hits() {
        return a.hits;
      },
      remove: () => {
        this.rules = this.rules.filter((r) => r !== a);
      },
    };
  }

  /** 429 rateLimitExceeded. */
  rateLimit(match: FaultMatch = {}, times = 1): FaultHandle {
    return this.add({ ...match, times, fault: { kind: "http", status: 429 } });
  }

  /** 503 backendError. */
  unavailable(match: FaultMatch = {}, times = 1): FaultHandle {
    return this.add({ ...match, times, fault: { kind: "http", status: 503 } });
  }

  /** 500 backendError. */
  internalError(match: FaultMatch = {}, times = 1): FaultHandle {
    return this.add({ ...match, times, fault: { kind: "http", status: 500 } });
  }

  /** Any HTTP error with the API's error shape. */
  fail(match: FaultMatch, status: number, reason: string, message: string, times = 1): FaultHandle {
    return this.add({ ...match, times, fault: { kind: "http", status, reason, message } });
  }

  /** No answer until the client gives up. */
  hang(match: FaultMatch = {}, times = 1): FaultHandle {
    return this.add({ ...match, times, fault: { kind: "hang" } });
  }

  /** The call takes effect but its response is lost (the connection is reset). */
  dropResponse(match: FaultMatch = {}, times = 1): FaultHandle {
    return this.add({ ...match, times, fault: { kind: "dropResponse" } });
  }

  latency(match: FaultMatch, ms: number, times = 1): FaultHandle {
    return this.add({ ...match, times, fault: { kind: "latency", ms } });
  }

  /** The operation of a matching mutation ends DONE with QUOTA_EXCEEDED and changes nothing. */
  quotaExceeded(match: FaultMatch = {}, quota = { metric: "BACKEND_SERVICES", limit: 0 }, times = 1): FaultHandle {
    return this.add({
      ...match,
      mutating: match.mutating ?? true,
      times,
      fault: { kind: "operationError", failure: (scope: Scope) => quotaFailure(quota.metric, quota.limit, scope) },
    });
  }

  operationDelay(match: FaultMatch, ms: number, times = 1): FaultHandle {
    return this.add({ ...match, mutating: match.mutating ?? true, times, fault: { kind: "operationDelay", ms } });
  }

  /** The fault for this call, if a rule matches and has hits left (the rule's count is consumed). */
  take(call: Call): Fault | undefined {
    for (const a of this.rules) {
      const r = a.rule;
      if (!methodMatches(r.method, call.method)) continue;
      if (r.verb !== undefined && r.verb !== call.verb) continue;
      if (r.path && !r.path.test(call.path)) continue;
      if (r.mutating !== undefined && r.mutating !== call.mutating) continue;
      if ((r.fault.kind === "operationError" || r.fault.kind === "operationDelay") && !call.mutating) continue;
      if (r.when && !r.when(call)) continue;
      a.seen++;
      if (a.seen <= (r.skip ?? 0)) continue;
      if (a.hits >= (r.times ?? 1)) continue;
      a.hits++;
      return r.fault;
    }
    return undefined;
  }

  clear(): void {
    this.rules = [];
  }
}
