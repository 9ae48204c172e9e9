// Contracts between the provider (main thread), the workers and the per-protocol servers.
// Everything a worker receives is plain data (structured-clone safe): the IR listeners of
// each socket plus the data-plane settings.
import type { IRListener, IRPort } from "@gatehouse/ir";
import type { TelemetrySettings } from "../telemetry/settings.js";

/** Limits and timeouts of the data plane (LocalProxyConfig spec; defaults in settings.ts). */
export interface ProxySettings {
  /** Request line + headers larger than this get 431 (HTTP/1) or a stream reset (HTTP/2). */
  maxRequestHeaderBytes: number;
  /** Request bodies larger than this get 413; 0 = no limit. */
  maxRequestBodyBytes: number;
  /** A client must send its complete request headers within this (slowloris). */
  requestHeadersTimeoutMs: number;
  /** Keep-alive connection idle time before the proxy closes it. */
  idleTimeoutMs: number;
  /** Connecting to an endpoint (TCP + TLS) may take this long; then the next endpoint / 503. */
  upstreamConnectTimeoutMs: number;
  /** Pooled upstream connections idle longer than this are closed. */
  upstreamIdleTimeoutMs: number;
  /** Max concurrent connections per endpoint per worker (pool size). */
  maxConnectionsPerEndpoint: number;
  /** An endpoint that refused or failed a connect is skipped for this long (passive health). */
  ejectionMs: number;
  /** A removed listener keeps serving open connections for up to this long. */
  drainTimeoutMs: number;
  /** TCP / TLS-passthrough sessions idle longer than this are closed. */
  streamIdleTimeoutMs: number;
  /** A UDP client session (its upstream socket) idle longer than this is dropped. */
  udpIdleTimeoutMs: number;
}

/** One socket every worker binds (SO_REUSEPORT): a Gateway's port on its address. */
export interface BoundPort {
  /** `<host>:<port>/<tcp|udp>`, unique in a WorkerConfig. */
  id: string;
  /** Gateway key `ns/name`. */
  gateway: string;
  /** Address to bind: a loopback address from the pool, spec.addresses, or 0.0.0.0 in a cluster. */
  host: string;
  /** Port to bind: the listener port (+ --port-offset) outside a cluster, the internal port in one. */
  port: number;
  /** The Gateway's own port number (redirects keep it, X-Forwarded-Port reports it). */
  listenerPort: number;
  protocol: IRPort["protocol"];
  /** The port's listeners, most specific hostname first (the IRPort order): try them in this order. */
  listeners: IRListener[];
  /**
   * This port's own settings when its Gateway's LocalProxyConfig differs from the process
   * settings. Factories need not read it: the runtime passes `port.settings ?? config.settings`
   * as the `settings` argument of PortFactory and PortRuntime.update.
   */
  settings?: ProxySettings;
  /** Access log and tracing of its Gateway's LocalProxyConfig, when not the defaults (telemetry/settings.ts). */
  telemetry?: TelemetrySettings;
}

export interface WorkerConfig {
  /** Increases with every config; a worker acknowledges it once every port is in place. */
  generation: number;
  settings: ProxySettings;
  ports: BoundPort[];
  /** Count requests and sessions for Prometheus (the provider has a registry). Default true. */
  metrics?: boolean;
}

/** What a worker reports back for one config generation. */
export interface WorkerAck {
  generation: number;
  /** Ports that failed to bind, by BoundPort.id (EADDRINUSE, EADDRNOTAVAIL, ...). */
  errors: { id: string; message: string }[];
}

/** Structured log hook; workers forward to the process logger. */
export type LogFn = (level: "debug" | "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;

export interface RuntimeEnv {
  log: LogFn;
}

/** A port's running server inside one worker. */
export interface PortRuntime {
  readonly protocol: BoundPort["protocol"];
  /** Binds host:port with reusePort. Rejects with an Error whose message names the address on failure. */
  listen(): Promise<void>;
  /**
   * New config for the same socket and protocol. Swapped atomically: requests/sessions that
   * already started finish with the config they started with; open connections stay open.
   */
  update(port: BoundPort, settings: ProxySettings): void;
  /** Stops accepting, lets open connections finish for up to graceMs, then destroys them. */
  drain(graceMs: number): Promise<void>;
}

export type PortFactory = (port: BoundPort, settings: ProxySettings, env: RuntimeEnv) => PortRuntime;
