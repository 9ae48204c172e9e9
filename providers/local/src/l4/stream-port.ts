// What the TCP and TLS ports share: the listening server (SO_REUSEPORT), the current routing
// table swapped by update(), the set of open connections, drain, and the upstream connect.
import { createServer, type Server, type Socket } from "node:net";
import type { BoundPort, PortRuntime, ProxySettings, RuntimeEnv } from "../runtime/types.js";
import { Ejections, type L4Backend, type L4Endpoint, type L4Route } from "./backends.js";
import { buildTable, type L4Table } from "./route-table.js";
import { peerOf, splice } from "./splice.js";
import type { SecureContextCache } from "./tls-contexts.js";
import { IdleSweep } from "./idle-sweep.js";
import { safeLog } from "./safe-log.js";
import { UpstreamConnect } from "./upstream-connect.js";
import { PortTelemetry, connClosed, connOpened, connSeries } from "../telemetry/port-telemetry.js";
import { clientIp } from "../http/forward-headers.js";
import { countSeries, stats, U_CONNECT_ERRORS } from "../telemetry/stats.js";

/** One client connection, from accept to close. */
export interface StreamConn {
  client: Socket;
  attempt: UpstreamConnect | undefined;
  upstream: Socket | undefined;
  /** Set once spliced: the idle timeout it started with (0 = none), and its last progress. */
  idleMs: number;
  lastBytes: number;
  lastActive: number;
  // Telemetry: when it began (performance.now()), its route, backend and endpoint, its metric
  // series (-1: none), the bytes already counted, its connection gauge (-1: none).
  t0: number;
  route: L4Route | null;
  backend: L4Backend | null;
  endpoint: string;
  series: number;
  countedIn: number;
  countedOut: number;
  connId: number;
  client0: string;
  /** The accepted socket (bytes are counted on it; a terminated TLS session's client is its TLSSocket). */
  raw: Socket;
}

const CONN = Symbol("l4.conn");
type WithConn = Socket & { [CONN]?: StreamConn; [OWNER]?: StreamPort };
const OWNER = Symbol("l4.owner");

export abstract class StreamPort implements PortRuntime {
  abstract readonly protocol: BoundPort["protocol"];
  protected table: L4Table;
  protected settings: ProxySettings;
  protected readonly ejections = new Ejections();
  protected readonly conns = new Set<StreamConn>();
  private readonly server: Server;
  private draining: Promise<void> | undefined;
  private listening = false;
  private readonly sweep = new IdleSweep((now) => this.sweepIdle(now));
  protected tel: PortTelemetry;
  private connSeries: number;
  /** Before a metrics snapshot: open sessions report the bytes moved so far. */
  private readonly flushBytes = (): void => {
    for (const c of this.conns) if (c.series >= 0 && c.upstream !== undefined) this.countBytes(c);
  };

  protected readonly env: RuntimeEnv;

  constructor(
    protected port: BoundPort,
    settings: ProxySettings,
    env: RuntimeEnv,
    private readonly kind: "tls" | "tcp",
    private readonly certs?: SecureContextCache,
  ) {
    this.env = { ...env, log: safeLog(env.log) };
    this.settings = settings;
    this.table = buildTable(port, kind, certs);
    this.tel = new PortTelemetry(port.gateway, port.telemetry);
    this.connSeries = connSeries(port.gateway, port.listeners, kind);
    stats.flushers.add(this.flushBytes);
    // TCP waits for its upstream before reading; TLS reads the ClientHello first.
    this.server = createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: kind === "tcp" }, (s) => this.accept(s));
    this.server.on("error", (err) => this.env.log("error", "l4: server error", { port: this.port.id, error: err.message }));
  }

  /** Handles a new client socket (its table and settings are the current ones). */
  protected abstract onConnection(conn: StreamConn, table: L4Table, settings: ProxySettings): void;

  listen(): Promise<void> {
    const { host, port } = this.port;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        reject(new Error(`listen ${host}:${port}/tcp (${this.kind}): ${err.message}`));
      };
      this.server.once("error", onError);
      this.server.listen({ host, port, reusePort: true }, () => {
        this.server.removeListener("error", onError);
        this.listening = true;
        this.sweep.start(this.settings.streamIdleTimeoutMs);
        resolve();
      });
    });
  }

  update(port: BoundPort, settings: ProxySettings): void {
    try {
      const table = buildTable(port, this.kind, this.certs);
      this.port = port;
      this.settings = settings;
      this.table = table;
      this.tel = new PortTelemetry(port.gateway, port.telemetry);
      this.connSeries = connSeries(port.gateway, port.listeners, this.kind);
      if (this.listening) this.sweep.start(settings.streamIdleTimeoutMs);
    } catch (e) {
      this.env.log("error", "l4: config update failed; the previous one stays", { port: port.id, error: (e as Error).message });
    }
  }

  drain(graceMs: number): Promise<void> {
    this.draining ??= new Promise<void>((resolve) => {
      if (this.listening) this.server.close();
      const finish = (): void => {
        clearInterval(poll);
        clearTimeout(deadline);
        this.sweep.stop();
        for (const c of this.conns) destroyConn(c);
        this.conns.clear();
        stats.flushers.delete(this.flushBytes);
        resolve();
      };
      // Connections remove themselves on close; poll rather than hook every close.
      const poll = setInterval(() => { if (this.conns.size === 0) finish(); }, 25);
      const deadline = setTimeout(finish, Math.max(0, graceMs));
      if (this.conns.size === 0) finish();
    });
    return this.draining;
  }

  private accept(s: Socket): void {
    try {
      const conn: StreamConn = {
        client: s, attempt: undefined, upstream: undefined, idleMs: 0, lastBytes: 0, lastActive: 0,
        t0: performance.now(), route: null, backend: null, endpoint: "", series: -1, countedIn: 0, countedOut: 0, connId: -1,
        client0: this.tel.log !== null ? clientIp(s.remoteAddress) : "", raw: s,
      };
      if (stats.enabled) {
        conn.connId = this.connSeries;
        connOpened(conn.connId);
      }
      (s as WithConn)[CONN] = conn;
      (s as WithConn)[OWNER] = this;
      this.conns.add(conn);
      s.on("error", onClientError);
      s.on("close", onClientClose);
      if (this.draining) {
        s.destroy();
        return;
      }
      this.onConnection(conn, this.table, this.settings);
    } catch (e) {
      this.env.log("error", "l4: connection handler failed", { port: this.port.id, error: (e as Error).message });
      s.destroy();
    }
  }

  /** Picks the backend of `route` and connects; `ready` gets the upstream, or the client is closed. */
  protected connectBackend(conn: StreamConn, route: L4Route | undefined, settings: ProxySettings, ready: (upstream: Socket) => void): void {
    const backend: L4Backend | undefined = route?.backends.pick();
    if (!route || !backend) {
      this.refuse(conn, route ? "route has no backend with a positive weight" : "no route", route?.source);
      return;
    }
    conn.route = route;
    conn.backend = backend;
    if (backend.invalid !== undefined) {
      this.refuse(conn, `backend ${backend.id} is invalid (${backend.invalid})`, backend.source);
      return;
    }
    if (stats.enabled) conn.series = this.tel.l4Series(route, backend, this.kind);
    conn.attempt = new UpstreamConnect(backend, this.ejections, settings.upstreamConnectTimeoutMs, settings.ejectionMs, (err, upstream, endpoint) => {
      conn.attempt = undefined;
      if (endpoint !== undefined) conn.endpoint = endpoint.key;
      if (err || !upstream) {
        this.refuse(conn, `backend ${backend.id}: ${err?.message ?? "no upstream"}`, backend.source);
        return;
      }
      if (conn.client.destroyed) {
        upstream.destroy();
        return;
      }
      conn.upstream = upstream;
      try {
        ready(upstream);
      } catch (e) {
        this.env.log("error", "l4: splice failed", { port: this.port.id, error: (e as Error).message });
        destroyConn(conn);
      }
    }, this.onEndpointFailed);
  }

  private readonly onEndpointFailed = (ep: L4Endpoint, err: Error): void => {
    if (stats.enabled && ep.owner !== undefined) countSeries(ep.owner.series, U_CONNECT_ERRORS);
    this.env.log("debug", "l4: endpoint connect failed; ejected", { port: this.port.id, endpoint: ep.key, error: err.message });
  };

  /** Joins client and upstream with the settings the connection started with. */
  protected join(conn: StreamConn, upstream: Socket, settings: ProxySettings): void {
    conn.idleMs = settings.streamIdleTimeoutMs > 0 ? settings.streamIdleTimeoutMs : 0;
    conn.lastActive = Date.now();
    conn.lastBytes = -1;
    if (conn.series >= 0) this.tel.l4Started(conn.series);
    splice(conn.client, upstream);
  }

  /** Adds the bytes the session's client socket moved since the last count. */
  private countBytes(c: StreamConn): void {
    const s = c.raw;
    const bytesIn = s.bytesRead, bytesOut = s.bytesWritten;
    this.tel.l4Bytes(c.series, bytesIn - c.countedIn, bytesOut - c.countedOut);
    c.countedIn = bytesIn;
    c.countedOut = bytesOut;
  }

  /**
   * Closes spliced sessions with no bytes read on either side for their idle timeout (bytes
   * written to one side were read from the other, so reads cover both directions).
   */
  private sweepIdle(now: number): void {
    for (const c of this.conns) {
      if (c.idleMs === 0 || !c.upstream) continue;
      const bytes = c.client.bytesRead + c.upstream.bytesRead;
      if (bytes !== c.lastBytes) {
        c.lastBytes = bytes;
        c.lastActive = now;
      } else if (now - c.lastActive >= c.idleMs) {
        this.env.log("debug", "l4: idle session closed", { port: this.port.id, idleMs: c.idleMs });
        destroyConn(c);
      }
    }
  }

  protected refuse(conn: StreamConn, why: string, source?: string): void {
    this.env.log("debug", "l4: connection refused", { port: this.port.id, reason: why, source });
    conn.client.destroy();
  }

  /** @internal */
  closed(conn: StreamConn): void {
    const raw = conn.raw;
    this.conns.delete(conn);
    conn.attempt?.abort();
    conn.attempt = undefined;
    if (conn.connId >= 0) connClosed(conn.connId);
    if (conn.series >= 0 && conn.upstream !== undefined) this.countBytes(conn);
    const tel = this.tel;
    if (tel.log !== null && tel.sampleLog()) {
      tel.l4Log(conn.route, conn.backend !== null ? conn.backend.id : "", conn.endpoint, this.kind === "tls" ? "TLS" : "TCP",
        conn.t0, performance.now(), raw.bytesRead, raw.bytesWritten, conn.client0);
    }
  }

  /** @internal */
  clientError(err: Error): void {
    this.env.log("debug", "l4: client socket error", { port: this.port.id, error: err.message });
  }
}

function destroyConn(c: StreamConn): void {
  c.attempt?.abort();
  c.client.destroy();
  c.upstream?.destroy();
  const p = peerOf(c.client);
  if (p && p !== c.upstream) p.destroy();
}

function onClientError(this: WithConn, err: Error): void {
  this[OWNER]?.clientError(err);
  this.destroy();
}

function onClientClose(this: WithConn): void {
  const c = this[CONN];
  if (c) this[OWNER]?.closed(c);
}
