// Messages between the WorkerPool (main thread) and its workers. Plain data only.
import type { WorkerAck, WorkerConfig } from "./types.js";
import type { StatsSnapshot } from "../telemetry/stats.js";

export interface WorkerData {
  /** Module exporting `factories: FactoryTable` (an href `import()` accepts). */
  factoriesModule: string;
}

export type ToWorker =
  | { type: "config"; config: WorkerConfig }
  | { type: "close" }
  /** Asks for the worker's counters (a metrics scrape). */
  | { type: "stats"; id: number };

export type FromWorker =
  | { type: "ack"; ack: WorkerAck }
  | { type: "log"; level: "debug" | "info" | "warn" | "error"; msg: string; fields?: Record<string, unknown> }
  | { type: "closed" }
  | { type: "stats"; id: number; snapshot: StatsSnapshot };
