// The ports one worker serves, and how a new WorkerConfig changes them:
//   new id                          → create + listen
//   same id, same protocol          → update (the server swaps its config atomically)
//   same id, other protocol / gone  → drain in the background (the new server binds beside it: reusePort)
// Runs in each worker thread, or in the calling thread when the pool has no workers.
import { resolveFactories, type FactoryTable, type PortProtocol } from "./factories.js";
import type { BoundPort, PortFactory, PortRuntime, ProxySettings, RuntimeEnv, WorkerAck, WorkerConfig } from "./types.js";

interface Entry {
  runtime: PortRuntime;
  protocol: PortProtocol;
  /** The port + settings it last got, serialized: an unchanged port is not updated again. */
  fingerprint: string;
  drainMs: number;
}

/** What one apply did (tests and debug logs read it). */
export interface ApplyReport {
  ack: WorkerAck;
  created: string[];
  updated: string[];
  drained: string[];
}

function fingerprintOf(port: BoundPort, settings: ProxySettings): string {
  return JSON.stringify([port, settings]);
}

function errorMessage(port: BoundPort, e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  // The status shows this message: make sure it names the address.
  return msg.includes(port.host) ? msg : `${port.host}:${port.port}: ${msg}`;
}

export class PortSet {
  private readonly ports = new Map<string, Entry>();
  private readonly draining = new Set<Promise<void>>();
  private readonly loaded = new Map<PortProtocol, PortFactory>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly factories: FactoryTable | (() => Promise<FactoryTable>), private readonly env: RuntimeEnv) {}

  /** Ids of the ports being served (not those draining). */
  ids(): string[] {
    return [...this.ports.keys()].sort();
  }

  /** Applies configs one at a time, in the order given. Never rejects. */
  apply(config: WorkerConfig): Promise<ApplyReport> {
    const run = this.queue.then(() => this.applyNow(config));
    this.queue = run.catch(() => undefined);
    return run.catch((e: unknown) => ({
      ack: { generation: config.generation, errors: config.ports.map((p) => ({ id: p.id, message: `applying the config failed: ${String(e)}` })) },
      created: [], updated: [], drained: [],
    }));
  }

  private async table(): Promise<FactoryTable> {
    return typeof this.factories === "function" ? this.factories() : this.factories;
  }

  private async applyNow(config: WorkerConfig): Promise<ApplyReport> {
    const report: ApplyReport = { ack: { generation: config.generation, errors: [] }, created: [], updated: [], drained: [] };
    if (this.closed) return report;
    const wanted = new Map<string, BoundPort>();
    for (const p of config.ports) if (!wanted.has(p.id)) wanted.set(p.id, p);

    for (const [id, entry] of this.ports) {
      const next = wanted.get(id);
      if (next && next.protocol === entry.protocol) continue;
      this.ports.delete(id);
      this.startDrain(id, entry);
      report.drained.push(id);
    }

    const needed = new Set<PortProtocol>();
    for (const p of wanted.values()) if (!this.ports.has(p.id)) needed.add(p.protocol);
    const factories = needed.size > 0 ? await resolveFactories(await this.table(), needed, this.loaded) : new Map<PortProtocol, PortFactory | string>();

    const errors: { id: string; message: string }[] = [];
    const listening: Promise<void>[] = [];
    for (const port of wanted.values()) {
      const settings = port.settings ?? config.settings;
      const fingerprint = fingerprintOf(port, settings);
      const entry = this.ports.get(port.id);
      if (entry) {
        entry.drainMs = settings.drainTimeoutMs;
        if (entry.fingerprint === fingerprint) continue;
        try {
          entry.runtime.update(port, settings);
          entry.fingerprint = fingerprint;
          report.updated.push(port.id);
        } catch (e) {
          errors.push({ id: port.id, message: errorMessage(port, e) });
        }
        continue;
      }
      const factory = factories.get(port.protocol);
      if (typeof factory !== "function") {
        errors.push({ id: port.id, message: factory ?? `no server for protocol ${port.protocol}` });
        continue;
      }
      let runtime: PortRuntime;
      try {
        runtime = factory(port, settings, this.env);
      } catch (e) {
        errors.push({ id: port.id, message: errorMessage(port, e) });
        continue;
      }
      const created: Entry = { runtime, protocol: port.protocol, fingerprint, drainMs: settings.drainTimeoutMs };
      this.ports.set(port.id, created);
      report.created.push(port.id);
      listening.push(runtime.listen().catch((e: unknown) => {
        errors.push({ id: port.id, message: errorMessage(port, e) });
        // Not kept: the next config tries to bind it again.
        if (this.ports.get(port.id) === created) this.ports.delete(port.id);
        runtime.drain(0).catch(() => undefined);
      }));
    }
    await Promise.all(listening);
    errors.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    report.ack.errors = errors;
    return report;
  }

  private startDrain(id: string, entry: Entry): void {
    let p: Promise<void>;
    try {
      p = Promise.resolve(entry.runtime.drain(entry.drainMs));
    } catch (e) {
      p = Promise.reject(e as Error);
    }
    const tracked = p.catch((e: unknown) => this.env.log("warn", "draining a port failed", { port: id, error: String(e) }))
      .finally(() => this.draining.delete(tracked));
    this.draining.add(tracked);
  }

  /** Drains every port (each with its own drain timeout) and waits for all drains to end. */
  async close(): Promise<void> {
    await this.queue;
    this.closed = true;
    for (const [id, entry] of this.ports) this.startDrain(id, entry);
    this.ports.clear();
    while (this.draining.size > 0) await Promise.all([...this.draining]);
  }
}
