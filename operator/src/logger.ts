import { pino, type Logger } from "pino";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** JSON logs on stderr (stdout is reserved for the command's output). Synchronous, so nothing is lost on exit. */
export function createLogger(level: string): Logger {
  return pino({ name: "gatehouse", level, base: undefined }, pino.destination({ dest: 2, sync: true }));
}
