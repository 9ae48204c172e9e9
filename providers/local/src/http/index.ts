// The HTTP/HTTPS data plane of the local proxy: createHttpPort is the PortFactory the
// worker runtime uses for HTTP and HTTPS ports.
import type { PortFactory } from "../runtime/types.js";
import { createHttpPortRuntime } from "./port-runtime.js";
import { createRouter } from "./router/index.js";

export const createHttpPort: PortFactory = (port, settings, env) =>
  createHttpPortRuntime(port, settings, env, (p, previous) => createRouter(p, previous));

export { HttpPortRuntime, createHttpPortRuntime, type RouterFactory } from "./port-runtime.js";
