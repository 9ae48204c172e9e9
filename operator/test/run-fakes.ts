// In-memory fakes of OUR ports (Source, StatusSink, LeaderElector, EventRecorder, Clock) for
// unit tests of the reconcile loop. Never a fake API server: the e2e tests use a real one.
import { emptySnapshot, type Snapshot } from "@gatehouse/model";
import type { FinalizeResult, Plan, Provider, ProviderResults } from "@gatehouse/provider-api";
import type { StatusUpdate } from "@gatehouse/status";
import type { Clock, EventRecorder, LeaderElector, Source, StatusSink, StatusWriteReport } from "../src/ports.js";
import { capabilitiesFor } from "@gatehouse/provider-local";
import type { Finalizers, ObjectRef } from "../src/run/tokens.js";

type Obj = { apiVersion?: string; kind: string; metadata: Record<string, any>; spec?: unknown; status?: Record<string, unknown> };

export class FakeSource implements Source {
  private snap: Snapshot = emptySnapshot();
  private listeners: (() => void)[] = [];
  private rv = 1;
  referenced: { secrets: string[]; configMaps: string[] }[] = [];
  started = false;
  stopped = false;

  async start(): Promise<void> { this.started = true; }
  snapshot(): Snapshot { return this.snap; }
  onChange(l: () => void): void { this.listeners.push(l); }
  async stop(): Promise<void> { this.stopped = true; }
  setReferenced(r: { secrets: string[]; configMaps: string[] }): void { this.referenced.push(r); }
  counters() { return [{ kind: "HTTPRoute", restarts: 2, relists: 3 }]; }

  /** Adds or replaces objects (new identity, new resourceVersion) and notifies. */
  put(...objects: Obj[]): void {
    this.putQuietly(...objects);
    this.notify();
  }

  /** Like put, without notifying (a status-only change the real source does not wake on). */
  putQuietly(...objects: Obj[]): void {
    const s = { ...this.snap } as unknown as Record<string, Obj[]>;
    for (const o of objects) {
      const copy = { ...o, metadata: { generation: 1, uid: `uid-${o.metadata.name}`, ...o.metadata, resourceVersion: String(++this.rv) } };
      const key = (x: Obj) => `${x.metadata.namespace ?? ""}/${x.metadata.name}`;
      const list = (s[o.kind] ?? []).filter((x) => key(x) !== key(copy));
      s[o.kind] = [...list, copy].sort((a, b) => (key(a) < key(b) ? -1 : 1));
    }
    this.snap = s as unknown as Snapshot;
  }

  remove(kind: string, namespace: string, name: string): void {
    const s = { ...this.snap } as unknown as Record<string, Obj[]>;
    s[kind] = (s[kind] ?? []).filter((o) => !(o.metadata.name === name && (o.metadata.namespace ?? "") === namespace));
    this.snap = s as unknown as Snapshot;
    this.notify();
  }

  get(kind: string, namespace: string, name: string): Obj | undefined {
    return ((this.snap as unknown as Record<string, Obj[]>)[kind] ?? []).find((o) => o.metadata.name === name && (o.metadata.namespace ?? "") === namespace);
  }

  notify(): void { for (const l of this.listeners) l(); }
}

/** Writes statuses into the FakeSource (as the API server + watch would), records every call. */
export class FakeSink implements StatusSink {
  calls: StatusUpdate[][] = [];
  gate: Promise<void> | undefined;
  fail: Error | undefined;
  /** The cache never sees the writes (a watch lagging behind, or status-only events filtered). */
  lag = false;
  constructor(private readonly source: FakeSource) {}
  async write(updates: readonly StatusUpdate[]): Promise<StatusWriteReport> {
    this.calls.push([...updates]);
    if (this.gate) await this.gate;
    if (this.fail) throw this.fail;
    // Deliver "watch events" after the call returns, as a real server would (status only: metadata stays).
    const list = [...updates];
    if (!this.lag) setImmediate(() => this.source.put(...list.map((u) => ({ ...this.source.get(u.kind, u.namespace, u.name)!, status: u.status }))));
    return { written: updates.length, unchanged: 0, conflicts: 0, errors: [] };
  }
  get written(): StatusUpdate[] { return this.calls.flat(); }
}

export class FakeElector implements LeaderElector {
  private listeners: ((l: boolean) => void)[] = [];
  constructor(private leader = true) {}
  started = false;
  stopped = false;
  start(): void { this.started = true; }
  isLeader(): boolean { return this.leader; }
  onChange(l: (leader: boolean) => void): void { this.listeners.push(l); }
  async stop(): Promise<void> { this.stopped = true; this.set(false); }
  set(leader: boolean): void {
    if (leader === this.leader) return;
    this.leader = leader;
    for (const l of this.listeners) l(leader);
  }
}

export class FakeRecorder implements EventRecorder {
  events: { ref: { kind: string; namespace?: string; name: string }; type: string; reason: string; message: string }[] = [];
  async record(ref: { kind: string; apiVersion: string; namespace?: string; name: string }, type: "Normal" | "Warning", reason: string, message: string): Promise<void> {
    this.events.push({ ref, type, reason, message });
  }
}

export class FixedClock implements Clock {
  constructor(public t = new Date("2026-01-02T03:04:05.678Z")) {}
  now(): Date { return this.t; }
}

/** A provider that records every call and reports Programmed like the placeholder does. */
export class RecordingProvider implements Provider {
  readonly capabilities;
  plans = 0;
  applies = 0;
  finalized: ObjectRef[] = [];
  closed = false;
  finalizeDone = true;
  constructor(controllerName = "gatehouse.dev/local", readonly needsFinalizer = false, readonly everyReplica = false) {
    this.capabilities = capabilitiesFor(controllerName);
  }
  async plan(): Promise<Plan> { this.plans++; return { controllerName: this.capabilities.controllerName, changes: [] }; }
  async apply(_p: Plan, desired: Parameters<Provider["apply"]>[1]): Promise<ProviderResults> {
    this.applies++;
    return {
      controllerName: this.capabilities.controllerName,
      gateways: desired.gateways.filter((g) => g.controllerName === this.capabilities.controllerName)
        .map((g) => ({ key: g.key, programmed: true, reason: "Programmed", message: "recorded", addresses: [{ type: "IPAddress", value: "10.1.2.3" }], listeners: [] })),
      routes: [],
    };
  }
  async finalize(target: ObjectRef): Promise<FinalizeResult> {
    this.finalized.push(target);
    return { done: this.finalizeDone, message: this.finalizeDone ? "gone" : "still deleting" };
  }
  async close(): Promise<void> { this.closed = true; }
}

export class FakeFinalizers implements Finalizers {
  readonly name = "gatehouse.dev/cleanup";
  added: ObjectRef[] = [];
  removed: ObjectRef[] = [];
  constructor(private readonly source: FakeSource) {}
  async add(ref: ObjectRef): Promise<void> {
    this.added.push(ref);
    setImmediate(() => {
      const o = this.source.get(ref.kind, ref.namespace, ref.name)!;
      this.source.put({ ...o, metadata: { ...o.metadata, finalizers: [...(o.metadata.finalizers ?? []), this.name] } });
    });
  }
  async remove(ref: ObjectRef): Promise<void> {
    this.removed.push(ref);
    // Deleting, and our finalizer was the last one: the object goes away.
    setImmediate(() => this.source.remove(ref.kind, ref.namespace, ref.name));
  }
}

export const gatewayClass = (controllerName = "gatehouse.dev/local"): Obj => ({
  apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: { name: "gh" }, spec: { controllerName },
});
export const gateway = (ns = "default", name = "gw"): Obj => ({
  apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: { namespace: ns, name },
  spec: { gatewayClassName: "gh", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
});
export const httpRoute = (name: string, ns = "default", backend = "svc"): Obj => ({
  apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { namespace: ns, name, creationTimestamp: "2026-01-01T00:00:00Z" },
  spec: { parentRefs: [{ name: "gw" }], rules: [{ backendRefs: [{ name: backend, port: 80 }] }] },
});
export const service = (name = "svc", ns = "default"): Obj => ({
  apiVersion: "v1", kind: "Service", metadata: { namespace: ns, name }, spec: { ports: [{ port: 80 }] },
});

export async function until(cond: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
