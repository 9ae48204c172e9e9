// @gatehouse/fake-lattice: a stateful fake Amazon VPC Lattice API on loopback for tests.
// The real @aws-sdk/client-vpc-lattice client talks to it through an endpoint override.
import { randomBytes } from "node:crypto";
import { Clock } from "./clock.js";
import { Ids } from "./ids.js";
import { resolveOptions, type FakeLatticeOptions } from "./options.js";
import { FakeServer } from "./server.js";
import { FakeState } from "./state.js";
import { Store } from "./store.js";
import type { CallLog } from "./calls.js";
import type { Injector } from "./faults.js";

export interface FakeLattice {
  /** http://host:port — pass as `endpoint` to the VPCLatticeClient. */
  endpoint: string;
  host: string;
  port: number;
  region: string;
  accountId: string;
  state: FakeState;
  inject: Injector;
  calls: CallLog;
  /** Moves the fake's clock (async states advance); same as state.advance. */
  advance(ms: number): void;
  /** The fake's current time (ms since epoch). */
  now(): number;
  /** Empties the state, the call log and the fault rules; rewinds the clock and the id sequence. */
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeLattice(options: FakeLatticeOptions = {}): Promise<FakeLattice> {
  const host = options.host ?? "127.0.0.1";
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) && host !== "localhost" && host !== "::1") {
    throw new Error(`fake-lattice binds to loopback only; got host ${host}`);
  }
  const opts = resolveOptions(options);
  const clock = new Clock(options.clock ?? "real", options.startTime ?? Date.UTC(2025, 0, 1), options.autoAdvanceMs ?? 0);
  const ids = new Ids(options.seed ?? randomBytes(8).toString("hex"));
  const store = new Store(opts, clock, ids);
  const server = new FakeServer(store, clock);
  const addr = await server.listen(host, options.port ?? 0);
  const state = new FakeState(store);
  let closed = false;
  return {
    endpoint: `http://${addr.family === "IPv6" ? `[${addr.address}]` : addr.address}:${addr.port}`,
    host: addr.address,
    port: addr.port,
    region: opts.region,
    accountId: opts.accountId,
    state,
    inject: server.inject,
    calls: server.calls,
    advance: (ms) => state.advance(ms),
    now: () => clock.now(),
    reset() {
      store.reset();
      server.calls.clear();
      server.inject.clear();
      clock.reset();
      ids.reset();
    },
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
    },
  };
}

export type { FakeLatticeOptions, Limits, Delays } from "./options.js";
export { DEFAULT_DELAYS, DEFAULT_LIMITS, ZERO_DELAYS, QUOTA_CODES } from "./options.js";
export type { CallRecord, CallFilter, CallListener, CallLog } from "./calls.js";
export type { Fault, FaultRule, FaultHandle, Injector } from "./faults.js";
export type { FakeState, Snapshot, ResourceEntry, ResourceKind } from "./state.js";
export type { TargetStatus } from "./model.js";
export { OPERATIONS } from "./routes.js";
