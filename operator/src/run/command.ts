// `gatehouse run`: build the container, start the operator, stop on SIGTERM/SIGINT.
import { createLogger } from "../logger.js";
import { buildContainer } from "./container.js";
import type { Operator } from "./operator.js";
import type { Settings } from "./settings.js";
import { onShutdownSignal } from "./shutdown.js";
import { RUN_TOKENS } from "./tokens.js";
import { OPERATOR_TOKENS } from "../ports.js";

/** Resolves when the operator has stopped (the signal handler then exits the process). */
export async function runOperator(settings: Settings): Promise<void> {
  const log = createLogger(settings.logLevel);
  const container = buildContainer(settings, { logger: log });
  // Resolve the kubeconfig first: a bad --kubeconfig is a usage error (exit 2), before anything starts.
  container.get(OPERATOR_TOKENS.KubeConfig);
  const operator = container.get<Operator>(RUN_TOKENS.Operator);
  const stopped = new Promise<void>((resolve) => {
    onShutdownSignal(async () => {
      await operator.stop();
      resolve();
    }, log, (code) => {
      process.exitCode = code;
      // Exit explicitly: a library may leave a timer or socket behind.
      setImmediate(() => process.exit(code));
    });
  });
  try {
    await operator.start();
  } catch (e) {
    log.error({ err: e instanceof Error ? e.message : String(e) }, "start failed");
    await operator.stop();
    throw e;
  }
  await stopped;
}
