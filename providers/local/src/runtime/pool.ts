// N worker threads that all serve the same ports (each binds its own socket with
// reusePort; the kernel spreads connections). Every worker gets every config; apply resolves
// once each worker acknowledged it. A crashed worker is restarted with the current config.
// workers: 0 serves in the calling thread (tests, debugging).
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { factoryModuleHref, importFactoryTable, isFactoryModule, type FactorySource } from "./factories.js";
import type { FromWorker, ToWorker, WorkerData } from "./messages.js";
import { PortSet } from "./port-set.js";
import type { LogFn, WorkerAck, WorkerConfig } from "./types.js";
import { stats, type StatsSnapshot } from "../telemetry/stats.js";
import { combine } from "../telemetry/merge.js";

export interface WorkerPoolOptions {
  /** Worker threads; 0 = serve in the calling thread. Default: os.availableParallelism(). */
  workers?: number;
  /** A table (workers: 0 only) or a module exporting `factories`. */
  factories: FactorySource;
  log: LogFn;
}

interface Slot {
  index: number;
  worker?: Worker;
  closing: boolean;
  startedAt: number;
  /** Crashes in quick succession: the restart delay grows with them. */
  crashes: number;
  /** Generation of the config the worker was started with. */
  startedGeneration: number;
  /** Crashes of workers started with generation `crashGeneration`, in a row. */
  crashGeneration: number;
  crashesOnGeneration: number;
  restartTimer?: NodeJS.Timeout;
  exited?: () => void;
  lastError?: string;
  /** The worker's counters as it last reported them. */
  lastStats?: StatsSnapshot;
}

interface Waiter {
  generation: number;
  /** Port ids of the config (a worker that cannot take it fails them all). */
  ids: string[];
  remaining: Set<number>;
  errors: Map<string, string>;
  resolve(ack: WorkerAck): void;
}

const WORKER_URL = new URL("./worker-main.js", import.meta.url);
/** A worker that lived less than this before crashing counts as crash-looping. */
const STABLE_MS = 1000;
const MAX_RESTART_DELAY_MS = 5000;
/** After this many crashes of workers started with one config, applies stop waiting for the worker (it keeps being restarted). */
const GIVE_UP_WAITING_AFTER = 3;
/** A metrics scrape waits this long for the workers' counters, then uses what each last reported. */
export const STATS_TIMEOUT_MS = 1000;

export class WorkerPool {
  /** Number of worker threads (0: in the calling thread). */
  readonly size: number;
  private readonly log: LogFn;
  private readonly factoriesHref?: string;
  private readonly local?: PortSet;
  private readonly slots: Slot[] = [];
  private waiters: Waiter[] = [];
  private current?: WorkerConfig;
  private closed = false;
  private closing?: Promise<void>;
  /** Counters of workers that exited (summed), so totals never go back. */
  private retired: StatsSnapshot | undefined;
  private statsSeq = 0;
  private readonly statsWaits = new Map<number, { remaining: Set<number>; done: () => void }>();

  constructor(opts: WorkerPoolOptions) {
    this.size = Math.max(0, Math.floor(opts.workers ?? availableParallelism()));
    this.log = opts.log;
    const source = opts.factories;
    if (this.size === 0) {
      const table = isFactoryModule(source) ? () => importFactoryTable(factoryModuleHref(source.module)) : source;
      this.local = new PortSet(table, { log: this.log });
    } else {
      if (!isFactoryModule(source)) {
        throw new Error("worker threads need a factories module ({ module: URL }); a table of functions works only with workers: 0");
      }
      this.factoriesHref = factoryModuleHref(source.module);
    }
  }

  /** The last config given to apply. */
  get config(): WorkerConfig | undefined {
    return this.current;
  }

  /** Thread ids of the running workers (tests: which threads serve). */
  threadIds(): number[] {
    return this.slots.flatMap((s) => (s.worker ? [s.worker.threadId] : []));
  }

  /**
   * Sends a config to every worker; resolves with the bind errors once every worker acked
   * it (errors merged by port id). Generations must increase.
   */
  async apply(config: WorkerConfig): Promise<WorkerAck> {
    if (this.closed) throw new Error("the worker pool is closed");
    if (this.current && config.generation <= this.current.generation) {
      throw new Error(`config generation ${config.generation} is not newer than ${this.current.generation}`);
    }
    this.current = config;
    if (this.local) return (await this.local.apply(config)).ack;

    if (this.slots.length === 0) for (let i = 0; i < this.size; i++) this.slots.push({ index: i, closing: false, startedAt: 0, crashes: 0, startedGeneration: 0, crashGeneration: 0, crashesOnGeneration: 0 });
    const ack = new Promise<WorkerAck>((resolve) => {
      this.waiters.push({ generation: config.generation, ids: config.ports.map((p) => p.id), remaining: new Set(this.slots.map((s) => s.index)), errors: new Map(), resolve });
    });
    for (const slot of this.slots) {
      if (slot.worker) this.post(slot, { type: "config", config });
      else if (!slot.restartTimer) this.start(slot);
    }
    return ack;
  }

  private post(slot: Slot, m: ToWorker): void {
    try {
      slot.worker?.postMessage(m);
    } catch (e) {
      this.log("error", "sending to a worker failed", { worker: slot.index, error: String(e) });
    }
  }

  private start(slot: Slot): void {
    slot.restartTimer = undefined;
    if (this.closed) return;
    const data: WorkerData = { factoriesModule: this.factoriesHref! };
    const worker = new Worker(WORKER_URL, { workerData: data, name: `gatehouse-worker-${slot.index}` });
    slot.worker = worker;
    slot.startedAt = Date.now();
    slot.startedGeneration = this.current?.generation ?? 0;
    worker.on("message", (m: FromWorker) => this.onMessage(slot, m));
    worker.on("error", (e) => {
      slot.lastError = e instanceof Error ? e.message : String(e);
      this.log("error", "worker crashed", { worker: slot.index, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    });
    worker.on("messageerror", (e) => this.log("error", "a worker message could not be read", { worker: slot.index, error: String(e) }));
    worker.on("exit", (code) => this.onExit(slot, worker, code));
    if (this.current) this.post(slot, { type: "config", config: this.current });
  }

  /**
   * Every worker's counters, asked for now (each worker answers between two events of its
   * loop); a worker that does not answer within STATS_TIMEOUT_MS counts with what it last
   * reported. Includes the counters of workers that exited. workers: 0: this thread's.
   */
  async snapshots(timeoutMs = STATS_TIMEOUT_MS): Promise<StatsSnapshot[]> {
    if (this.local) return [stats.snapshot()];
    const live = this.slots.filter((s) => s.worker !== undefined && !s.closing);
    if (live.length > 0) {
      const id = ++this.statsSeq;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, timeoutMs);
        const wait = { remaining: new Set(live.map((s) => s.index)), done: finish };
        const waits = this.statsWaits;
        function finish(): void {
          clearTimeout(timer);
          waits.delete(id);
          resolve();
        }
        waits.set(id, wait);
        for (const slot of live) this.post(slot, { type: "stats", id });
      });
    }
    const out = this.slots.flatMap((s) => (s.lastStats ? [s.lastStats] : []));
    if (this.retired) out.push(this.retired);
    return out;
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    if (m.type === "stats") {
      slot.lastStats = m.snapshot;
      const w = this.statsWaits.get(m.id);
      if (w !== undefined) {
        w.remaining.delete(slot.index);
        if (w.remaining.size === 0) w.done();
      }
      return;
    }
    if (m.type === "log") {
      this.log(m.level, m.msg, { ...m.fields, worker: slot.index });
    } else if (m.type === "ack") {
      this.onAck(slot.index, m.ack);
    }
  }

  /** `failAll`: the worker could not take the config; every port of each answered wait fails with this message. */
  private onAck(index: number, ack: WorkerAck, failAll?: string): void {
    const done: Waiter[] = [];
    for (const w of this.waiters) {
      // A restarted worker only gets the newest config: its ack answers older waits too.
      if (ack.generation < w.generation || !w.remaining.has(index)) continue;
      w.remaining.delete(index);
      for (const e of ack.errors) if (!w.errors.has(e.id)) w.errors.set(e.id, e.message);
      if (failAll !== undefined) for (const id of w.ids) if (!w.errors.has(id)) w.errors.set(id, failAll);
      if (w.remaining.size === 0) done.push(w);
    }
    if (done.length === 0) return;
    this.waiters = this.waiters.filter((w) => !done.includes(w));
    for (const w of done) w.resolve(toAck(w));
  }

  private onExit(slot: Slot, worker: Worker, code: number): void {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    // Its counters (as of its last report) stay in the totals; its restart counts from zero.
    if (slot.lastStats) {
      this.retired = combine(this.retired ? [this.retired, slot.lastStats] : [slot.lastStats]);
      slot.lastStats = undefined;
    }
    if (slot.closing || this.closed) {
      slot.exited?.();
      return;
    }
    const lived = Date.now() - slot.startedAt;
    slot.crashes = lived < STABLE_MS ? slot.crashes + 1 : 0;
    const delay = slot.crashes === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** (slot.crashes - 1));
    this.log("error", "worker exited; restarting it with the current config", { worker: slot.index, code, delayMs: delay });
    // The same config crashing a fresh worker again and again: applies up to it stop waiting.
    if (slot.crashGeneration === slot.startedGeneration) slot.crashesOnGeneration++;
    else {
      slot.crashGeneration = slot.startedGeneration;
      slot.crashesOnGeneration = 1;
    }
    if (slot.crashesOnGeneration >= GIVE_UP_WAITING_AFTER) this.stopWaitingFor(slot, slot.crashGeneration);
    slot.restartTimer = setTimeout(() => this.start(slot), delay);
  }

  /** A crash-looping worker must not hold up apply: configs up to `generation` fail on every port, saying why. */
  private stopWaitingFor(slot: Slot, generation: number): void {
    const why = `worker ${slot.index} keeps crashing${slot.lastError ? `: ${slot.lastError}` : ""}`;
    this.onAck(slot.index, { generation, errors: [] }, why);
  }

  /** Drains every port (each with its drain timeout) and stops the workers. */
  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    this.closed = true;
    const pending = this.waiters;
    this.waiters = [];
    for (const w of pending) w.resolve(toAck(w));
    if (this.local) return this.local.close();
    // Each port drains for its own drain timeout; past the longest one (+ slack) a worker is stopped.
    const settings = this.current ? [this.current.settings, ...this.current.ports.flatMap((p) => (p.settings ? [p.settings] : []))] : [];
    const graceMs = Math.max(0, ...settings.map((s) => s.drainTimeoutMs)) + 5000;
    await Promise.all(this.slots.map(async (slot) => {
      clearTimeout(slot.restartTimer);
      slot.restartTimer = undefined;
      const worker = slot.worker;
      if (!worker) return;
      slot.closing = true;
      const exited = new Promise<void>((resolve) => { slot.exited = resolve; });
      this.post(slot, { type: "close" });
      const timer = setTimeout(() => void worker.terminate(), graceMs);
      await exited;
      clearTimeout(timer);
    }));
  }
}

function toAck(w: Waiter): WorkerAck {
  const errors = [...w.errors].map(([id, message]) => ({ id, message })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { generation: w.generation, errors };
}
