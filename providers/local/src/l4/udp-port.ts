// UDPRoute: one datagram socket per worker on host:port (SO_REUSEPORT: the kernel hashes a
// client to one worker's socket, so a client's session lives in one worker). A session per
// client address:port owns an upstream socket on an ephemeral port connected to one backend
// endpoint (chosen when the session starts); replies from it go back to that client.
import { createSocket, type RemoteInfo, type Socket as DgramSocket } from "node:dgram";
import { isIPv6 } from "node:net";
import type { BoundPort, PortFactory, PortRuntime, ProxySettings, RuntimeEnv } from "../runtime/types.js";
import { Ejections, endpointOrder, type L4Backend, type L4Endpoint, type L4Route } from "./backends.js";
import { PortTelemetry, connClosed, connOpened, connSeries } from "../telemetry/port-telemetry.js";
import { countSeries, stats, U_CONNECT_ERRORS } from "../telemetry/stats.js";
import { buildTable, streamRoute, type L4Table } from "./route-table.js";
import { IdleSweep } from "./idle-sweep.js";
import { safeLog } from "./safe-log.js";

export interface UdpPortOptions {
  /** Sessions per port per worker; datagrams from new clients past it are dropped. */
  maxSessions?: number;
  /** Datagrams held per session while its upstream socket connects. */
  maxPendingDatagrams?: number;
}

export const DEFAULT_MAX_UDP_SESSIONS = 16384;
/** While draining, a session with no datagram for this long is over. */
const DRAIN_QUIET_MS = 500;

const SESSION = Symbol("l4.udp.session");
type WithSession = DgramSocket & { [SESSION]?: UdpSession };

class UdpSession {
  readonly upstream: WithSession;
  pending: Buffer[] | undefined = [];
  closed = false;
  /** Set by every datagram either way; the idle sweep clears it and notes the time. */
  active = true;
  lastActive: number;
  // Telemetry: datagram bytes either way, what was counted, the series (-1: none), the start.
  bytesIn = 0;
  bytesOut = 0;
  countedIn = 0;
  countedOut = 0;
  series = -1;
  connId = -1;
  readonly t0 = performance.now();
  route: L4Route | null = null;
  backend: L4Backend | null = null;

  constructor(
    readonly port: UdpPort,
    readonly key: string,
    readonly clientAddress: string,
    readonly clientPort: number,
    readonly endpoint: L4Endpoint,
    /** The idle timeout the session started with (0 = none). */
    readonly idleMs: number,
  ) {
    const s = createSocket({ type: isIPv6(endpoint.host) ? "udp6" : "udp4" }) as WithSession;
    s[SESSION] = this;
    s.on("message", onUpstreamMessage);
    s.on("error", onUpstreamError);
    s.once("connect", onUpstreamConnect);
    this.upstream = s;
    this.lastActive = Date.now();
    s.connect(endpoint.port, endpoint.host);
  }

  send(msg: Buffer): void {
    this.active = true;
    this.bytesIn += msg.length;
    if (this.pending) {
      if (this.pending.length < this.port.maxPending) this.pending.push(msg);
      return;
    }
    this.upstream.send(msg);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = undefined;
    try {
      this.upstream.close();
    } catch {
      // already closed
    }
    this.port.sessionClosed(this);
  }
}

function onUpstreamConnect(this: WithSession): void {
  const s = this[SESSION];
  if (!s || s.closed) return;
  const queued = s.pending;
  s.pending = undefined;
  try {
    for (const m of queued ?? []) this.send(m);
  } catch (e) {
    s.port.sessionError(s, e as Error);
  }
}

function onUpstreamMessage(this: WithSession, msg: Buffer): void {
  const s = this[SESSION];
  if (!s || s.closed) return;
  s.active = true;
  s.port.reply(msg, s);
}

function onUpstreamError(this: WithSession, err: Error): void {
  const s = this[SESSION];
  if (s) s.port.sessionError(s, err);
}

class UdpPort implements PortRuntime {
  readonly protocol = "UDP" as const;
  readonly maxSessions: number;
  readonly maxPending: number;
  private table: L4Table;
  private settings: ProxySettings;
  private readonly ejections = new Ejections();
  private readonly sessions = new Map<string, UdpSession>();
  private readonly socket: DgramSocket;
  private listening = false;
  private draining: Promise<void> | undefined;
  private dropped = 0;
  private readonly sweep = new IdleSweep((now) => this.sweepIdle(now));
  private tel: PortTelemetry;
  private connSeries: number;
  private readonly flushBytes = (): void => {
    for (const s of this.sessions.values()) this.countBytes(s);
  };

  private readonly env: RuntimeEnv;

  constructor(private port: BoundPort, settings: ProxySettings, env: RuntimeEnv, options: UdpPortOptions) {
    this.env = { ...env, log: safeLog(env.log) };
    this.settings = settings;
    this.table = buildTable(port, "udp");
    this.tel = new PortTelemetry(port.gateway, port.telemetry);
    this.connSeries = connSeries(port.gateway, port.listeners, "udp");
    stats.flushers.add(this.flushBytes);
    this.maxSessions = options.maxSessions ?? DEFAULT_MAX_UDP_SESSIONS;
    this.maxPending = options.maxPendingDatagrams ?? 64;
    this.socket = createSocket({ type: isIPv6(port.host) ? "udp6" : "udp4", reusePort: true });
    this.socket.on("message", (msg, rinfo) => this.onMessage(msg, rinfo));
  }

  listen(): Promise<void> {
    const { host, port } = this.port;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(new Error(`listen ${host}:${port}/udp: ${err.message}`));
      this.socket.once("error", onError);
      this.socket.bind({ address: host, port }, () => {
        this.socket.removeListener("error", onError);
        this.socket.on("error", (err) => this.env.log("debug", "l4: udp socket error", { port: this.port.id, error: err.message }));
        this.listening = true;
        this.sweep.start(this.settings.udpIdleTimeoutMs);
        resolve();
      });
    });
  }

  update(port: BoundPort, settings: ProxySettings): void {
    try {
      const table = buildTable(port, "udp");
      this.port = port;
      this.settings = settings;
      this.table = table;
      this.tel = new PortTelemetry(port.gateway, port.telemetry);
      this.connSeries = connSeries(port.gateway, port.listeners, "udp");
      if (this.listening) this.sweep.start(settings.udpIdleTimeoutMs);
    } catch (e) {
      this.env.log("error", "l4: config update failed; the previous one stays", { port: port.id, error: (e as Error).message });
    }
  }

  drain(graceMs: number): Promise<void> {
    this.draining ??= new Promise<void>((resolve) => {
      const finish = (): void => {
        clearInterval(poll);
        clearTimeout(deadline);
        this.sweep.stop();
        for (const s of [...this.sessions.values()]) s.close();
        stats.flushers.delete(this.flushBytes);
        this.listening = false;
        try {
          this.socket.close();
        } catch {
          // already closed
        }
        resolve();
      };
      // Existing sessions keep their replies flowing until they go quiet (no datagram either
      // way for one DRAIN_QUIET_MS tick: UDP has no end of session to wait for) or the grace ends.
      this.sweep.stop();
      const poll = setInterval(() => {
        for (const s of this.sessions.values()) {
          if (s.active) s.active = false;
          else s.close();
        }
        if (this.sessions.size === 0) finish();
      }, DRAIN_QUIET_MS);
      const deadline = setTimeout(finish, Math.max(0, graceMs));
      if (this.sessions.size === 0) finish();
    });
    return this.draining;
  }

  /** Open sessions (tests, metrics). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    try {
      const key = `${rinfo.address}:${rinfo.port}`;
      let s = this.sessions.get(key);
      if (!s) {
        s = this.newSession(key, rinfo);
        if (!s) return;
      }
      s.send(msg);
    } catch (e) {
      this.env.log("debug", "l4: udp datagram dropped", { port: this.port.id, error: (e as Error).message });
    }
  }

  private newSession(key: string, rinfo: RemoteInfo): UdpSession | undefined {
    if (this.draining) return undefined;
    if (this.sessions.size >= this.maxSessions) {
      if (this.dropped++ % 1000 === 0) {
        this.env.log("warn", "l4: udp session limit reached; datagrams from new clients dropped", {
          port: this.port.id, maxSessions: this.maxSessions, dropped: this.dropped,
        });
      }
      return undefined;
    }
    const route = streamRoute(this.table);
    const backend = route?.backends.pick();
    if (!route || !backend || backend.invalid !== undefined) {
      this.env.log("debug", "l4: udp datagram without a usable backend dropped", {
        port: this.port.id, source: backend?.source ?? route?.source, reason: backend?.invalid,
      });
      return undefined;
    }
    const endpoint = endpointOrder(backend, this.ejections)[0];
    if (!endpoint) {
      this.env.log("debug", "l4: udp backend has no ready endpoint", { port: this.port.id, backend: backend.id });
      return undefined;
    }
    const s = new UdpSession(this, key, rinfo.address, rinfo.port, endpoint, this.settings.udpIdleTimeoutMs);
    this.sessions.set(key, s);
    s.route = route;
    s.backend = backend;
    if (stats.enabled) {
      s.series = this.tel.l4Series(route, backend, "udp");
      this.tel.l4Started(s.series);
      s.connId = this.connSeries;
      connOpened(s.connId);
    }
    return s;
  }

  /** Ends sessions with no datagram either way for their idle timeout. */
  private sweepIdle(now: number): void {
    for (const s of this.sessions.values()) {
      if (s.active) {
        s.active = false;
        s.lastActive = now;
      } else if (s.idleMs > 0 && now - s.lastActive >= s.idleMs) {
        s.close(); // deletes itself from the map: safe while iterating a Map
      }
    }
  }

  /** @internal */
  reply(msg: Buffer, s: UdpSession): void {
    if (!this.listening) return;
    s.bytesOut += msg.length;
    try {
      this.socket.send(msg, s.clientPort, s.clientAddress);
    } catch (e) {
      this.env.log("debug", "l4: udp reply dropped", { port: this.port.id, error: (e as Error).message });
    }
  }

  /** @internal */
  sessionClosed(s: UdpSession): void {
    if (this.sessions.get(s.key) === s) this.sessions.delete(s.key);
    this.countBytes(s);
    if (s.connId >= 0) connClosed(s.connId);
    const tel = this.tel;
    if (tel.log !== null && tel.sampleLog()) {
      tel.l4Log(s.route, s.backend !== null ? s.backend.id : "", s.endpoint.key, "UDP", s.t0, performance.now(), s.bytesIn, s.bytesOut, s.clientAddress);
    }
  }

  private countBytes(s: UdpSession): void {
    if (s.series < 0) return;
    this.tel.l4Bytes(s.series, s.bytesIn - s.countedIn, s.bytesOut - s.countedOut);
    s.countedIn = s.bytesIn;
    s.countedOut = s.bytesOut;
  }

  /** @internal ICMP unreachable (ECONNREFUSED) and friends: eject the endpoint, end the session. */
  sessionError(s: UdpSession, err: Error): void {
    this.env.log("debug", "l4: udp upstream error", { port: this.port.id, endpoint: s.endpoint.key, error: err.message });
    if (stats.enabled) countSeries(s.series, U_CONNECT_ERRORS);
    this.ejections.eject(s.endpoint.key, this.settings.ejectionMs);
    s.close();
  }
}

/** A UDP PortFactory with non-default limits. */
export function udpPortFactory(options: UdpPortOptions = {}): PortFactory {
  return (port, settings, env) => new UdpPort(port, settings, env, options);
}

export const createUdpPort: PortFactory = udpPortFactory();
