// One configuration of a port, swapped atomically by update(): a request keeps the state it
// started with until it ends (its router decision, its endpoints and their pools).
import type { LogFn, ProxySettings } from "../runtime/types.js";
import { PortTelemetry } from "../telemetry/port-telemetry.js";
import type { Router } from "./router/index.js";
import type { BackendSet } from "./upstream/backend-set.js";

export class PortState {
  constructor(
    readonly router: Router,
    readonly settings: ProxySettings,
    readonly backends: BackendSet,
    /** The Gateway's port, for X-Forwarded-Port. */
    readonly listenerPort: string,
    /** Metrics, access log and tracing of this configuration. */
    readonly tel: PortTelemetry = new PortTelemetry(""),
  ) {}
}

/** What requests read from their port while they run (it may start draining meanwhile). */
export interface PortContext {
  readonly scheme: "http" | "https";
  readonly draining: boolean;
  readonly log: LogFn;
}
