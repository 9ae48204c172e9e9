// The operator's edges, as interfaces: the reconciler depends on these, and the inversify
// container binds real implementations (Kubernetes) or test ones (a recording provider, a
// fixed clock). Data flows one way: Source → CoreSession → (leader only) StatusSink and
// providers.
import type { Snapshot } from "@gatehouse/model";
import type { StatusUpdate } from "@gatehouse/status";

/** Objects from the API server (or files), as one consistent plain-JSON snapshot. */
export interface Source {
  /** Lists every kind, starts watching; resolves once the first full snapshot is ready. */
  start(): Promise<void>;
  /** The current objects. Unchanged objects keep their identity between calls (CoreSession relies on it). */
  snapshot(): Snapshot;
  /** Called (coalesced) after objects changed in a way that can affect our output. */
  onChange(listener: () => void): void;
  /** Stops all watches. */
  stop(): Promise<void>;
}

export interface StatusWriteReport {
  written: number;
  unchanged: number;
  conflicts: number;
  errors: { kind: string; namespace: string; name: string; message: string }[];
}

/** Writes `.status` of objects: GET, merge only our entries, PUT /status with resourceVersion, retry on 409. */
export interface StatusSink {
  write(updates: readonly StatusUpdate[]): Promise<StatusWriteReport>;
}

/** Leader election on a coordination.k8s.io/v1 Lease. */
export interface LeaderElector {
  /** Starts campaigning; returns at once. */
  start(): void;
  isLeader(): boolean;
  /** Called on every change of leadership (true: we lead). */
  onChange(listener: (leader: boolean) => void): void;
  /** Stops campaigning and releases the Lease if we hold it. */
  stop(): Promise<void>;
}

/** Kubernetes Events for important transitions. */
export interface EventRecorder {
  record(ref: { kind: string; apiVersion: string; namespace?: string; name: string; uid?: string },
    type: "Normal" | "Warning", reason: string, message: string): Promise<void>;
}

/** Time, injected so tests can fix it. */
export interface Clock { now(): Date }

export const OPERATOR_TOKENS = {
  Source: Symbol.for("gatehouse.operator.Source"),
  StatusSink: Symbol.for("gatehouse.operator.StatusSink"),
  LeaderElector: Symbol.for("gatehouse.operator.LeaderElector"),
  EventRecorder: Symbol.for("gatehouse.operator.EventRecorder"),
  Clock: Symbol.for("gatehouse.operator.Clock"),
  KubeConfig: Symbol.for("gatehouse.operator.KubeConfig"),
  Settings: Symbol.for("gatehouse.operator.Settings"),
  Logger: Symbol.for("gatehouse.operator.Logger"),
  Metrics: Symbol.for("gatehouse.operator.Metrics"),
} as const;
