// The data plane's logging must never throw into a socket event handler.
import type { LogFn } from "../runtime/types.js";

export function safeLog(log: LogFn): LogFn {
  return (level, msg, fields) => {
    try {
      log(level, msg, fields);
    } catch {
      // a broken logger loses the line, not the connection
    }
  };
}
