// SIGTERM/SIGINT → graceful stop, then exit 0. A second signal exits at once (1).
import type { Logger } from "pino";

export function onShutdownSignal(stop: () => Promise<void>, log: Logger, exit: (code: number) => void = (c) => process.exit(c)): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, "second signal: exiting now");
      exit(1);
      return;
    }
    stopping = true;
    log.info({ signal }, "signal received: stopping");
    stop().then(() => exit(0), (e: unknown) => {
      log.error({ err: e instanceof Error ? e.message : String(e) }, "shutdown failed");
      exit(1);
    });
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
  return () => {
    process.off("SIGTERM", handler);
    process.off("SIGINT", handler);
  };
}
