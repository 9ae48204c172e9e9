// Worker thread entry: receives WorkerConfigs, keeps its ports (PortSet), acks each generation.
// Imports nothing heavy itself; the factories module is loaded on the first config and the
// servers inside it per protocol.
import { parentPort, workerData } from "node:worker_threads";
import { importFactoryTable, type FactoryTable } from "./factories.js";
import type { FromWorker, ToWorker, WorkerData } from "./messages.js";
import { PortSet } from "./port-set.js";
import type { LogFn } from "./types.js";
import { stats } from "../telemetry/stats.js";
import { closeAccessLogs, flushAccessLogs } from "../telemetry/access-log.js";
import { flushSpans } from "../telemetry/spans.js";

const port = parentPort;
if (!port) throw new Error("worker-main.js runs only as a worker thread");
const data = workerData as WorkerData;

function send(m: FromWorker): void {
  port!.postMessage(m);
}

const log: LogFn = (level, msg, fields) => {
  try {
    send({ type: "log", level, msg, ...(fields ? { fields } : {}) });
  } catch {
    // Fields that do not survive structured cloning (functions, sockets): send them as text.
    send({ type: "log", level, msg, fields: { fields: String(JSON.stringify(fields, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))) } });
  }
};

let table: Promise<FactoryTable> | undefined;
const loadTable = (): Promise<FactoryTable> => {
  table ??= importFactoryTable(data.factoriesModule).catch((e: unknown) => {
    table = undefined;
    throw e;
  });
  return table;
};

const ports = new PortSet(async () => {
  try {
    return await loadTable();
  } catch (e) {
    log("error", "loading the port factories failed", { module: data.factoriesModule, error: String(e) });
    const failed = { load: () => Promise.reject(e as Error) };
    return { HTTP: failed, HTTPS: failed, TLS: failed, TCP: failed, UDP: failed };
  }
}, { log });

port.on("message", (m: ToWorker) => {
  if (m.type === "config") {
    // Counting only pays when someone collects (the provider has a registry).
    stats.enabled = m.config.metrics !== false;
    void ports.apply(m.config).then((r) => send({ type: "ack", ack: r.ack }));
  } else if (m.type === "stats") {
    send({ type: "stats", id: m.id, snapshot: stats.snapshot() });
  } else if (m.type === "close") {
    // What was logged and traced goes out before the thread ends.
    void ports.close().then(() => Promise.all([flushAccessLogs(), flushSpans()])).finally(() => {
      closeAccessLogs();
      send({ type: "closed" });
      port.close();
      process.exit(0);
    });
  }
});
