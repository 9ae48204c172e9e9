// `gatehouse standalone`: the operator's pipeline (Source → CoreSession → provider → status)
// without Kubernetes. Objects come from files (FileSource, hot reload), statuses are printed
// (PrintingStatusSink), this process always leads, no finalizers, no Events, and the local
// provider serves the traffic. SIGINT/SIGTERM drain and exit 0.
import type { Logger } from "pino";
import { keyOf, type Meta } from "@gatehouse/model";
import { loadStandaloneConfig } from "../config.js";
import { UsageError } from "../errors.js";
import { createLogger } from "../logger.js";
import type { EventRecorder } from "../ports.js";
import { AlwaysLeader } from "../run/always-leader.js";
import { buildContainer } from "../run/container.js";
import type { Operator } from "../run/operator.js";
import { secondPrecision } from "../run/reconciler.js";
import { defaultSettings } from "../run/settings.js";
import { onShutdownSignal } from "../run/shutdown.js";
import { RUN_TOKENS } from "../run/tokens.js";
import { FileSource } from "./file-source.js";
import type { StandaloneOptions } from "./options.js";
import { consoleOutput, type Output } from "./output.js";
import { createStandaloneProvider } from "./provider.js";
import { readManifests } from "./read.js";
import { PrintingStatusSink } from "./status-printer.js";

const noEvents: EventRecorder = { record: async () => {} };

/** Resolves once the gateway has stopped after a signal. Input problems at start are UsageErrors (exit 2). */
export async function runStandalone(opts: StandaloneOptions, out: Output = consoleOutput): Promise<void> {
  const log = createLogger(opts.logLevel);
  // Signals from here on drain and exit 0 (also while the config is still being read).
  let operator: Operator | undefined;
  let stopRequested = false;
  let removeHandlers = () => {};
  const stopped = new Promise<number>((resolve) => {
    removeHandlers = onShutdownSignal(async () => {
      stopRequested = true;
      if (!operator) return;
      out.print("stopping: draining connections");
      await operator.stop();
    }, log, resolve);
  });
  try {
    operator = await startOperator(opts, out, log);
  } catch (e) {
    removeHandlers();
    throw e;
  }
  if (stopRequested) await operator.stop();
  else out.print(`watching ${opts.config} for changes; Ctrl-C stops`);
  const code = await stopped;
  process.exitCode = code;
  // A library may leave a timer or socket behind.
  setImmediate(() => process.exit(code));
}

async function startOperator(opts: StandaloneOptions, out: Output, log: Logger): Promise<Operator> {
  const config = await loadStandaloneConfig(opts.config);
  const initial = await readManifests(config);
  if (initial.problems.length > 0) {
    // Nothing good to serve yet: every problem on its own line, the last one as the exit error.
    for (const p of initial.problems.slice(0, -1)) out.problem(p);
    throw new UsageError(initial.problems.at(-1)!);
  }
  for (const i of initial.ignored) out.problem(`${i}: ignored (not a kind gatehouse reads)`);

  let source: FileSource | undefined;
  const sink = new PrintingStatusSink(out, {
    controllerName: config.controllerName,
    portOffset: opts.portOffset,
    lookup: (kind, namespace, name) => {
      const list = (source?.snapshot() as unknown as Record<string, Meta[]> | undefined)?.[kind] ?? [];
      const key = namespace ? `${namespace}/${name}` : name;
      return list.find((o) => keyOf(o) === key) as Record<string, unknown> | undefined;
    },
  });
  const fileSource = (source = new FileSource({
    config, initial, debounceMs: opts.debounceMs, out,
    now: () => secondPrecision(new Date()),
    onRemoved: (ids) => { for (const id of ids) sink.forget(id); },
  }));
  const provider = createStandaloneProvider({
    controllerName: config.controllerName, portOffset: opts.portOffset, workers: opts.workers,
    addressPool: opts.addressPool, logger: log.child({ component: "provider" }),
  });
  const settings = defaultSettings({
    controllerNames: [config.controllerName], leaderElect: false, identity: "standalone",
    metricsAddress: undefined, healthAddress: undefined, resyncPeriodMs: 0, logLevel: opts.logLevel,
  });
  const container = buildContainer(settings, {
    logger: log,
    providers: [provider],
    kube: {
      source: () => fileSource,
      statusSink: () => sink,
      leaderElector: () => new AlwaysLeader(),
      eventRecorder: () => noEvents,
      finalizers: () => undefined,
      annotations: () => undefined,
    },
  });
  const operator = container.get<Operator>(RUN_TOKENS.Operator);
  try {
    await operator.start();
  } catch (e) {
    await operator.stop();
    throw e;
  }
  return operator;
}
