// An HTTP or HTTPS port inside one worker: the listening socket (reusePort, shared by the
// workers), the HTTP/1.1 and HTTP/2 servers behind it, the current PortState, drain.
import type { IncomingMessage, Server as Http1Server } from "node:http";
import type { Http2Server, Http2ServerRequest, ServerHttp2Session } from "node:http2";
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from "node:tls";
import type { Duplex } from "node:stream";
import type { BoundPort, LogFn, PortRuntime, ProxySettings, RuntimeEnv } from "../runtime/types.js";
import { CertificateStore } from "./certificates.js";
import { FastFront } from "./fast/front.js";
import { takeDecided } from "./fast/handover.js";
import { Exchange, type AnyRequest } from "./exchange.js";
import { PortState, type PortContext } from "./port-state.js";
import { headersOfHttp2, viewOfHttp1, viewOfHttp2 } from "./request-view.js";
import { sendDecision, sendText, type AnyResponse } from "./respond.js";
import { framingProblem } from "./request-checks.js";
import type { RouteSite, Router } from "./router/index.js";
import { clientIp } from "./forward-headers.js";
import { applyHttp1Settings, applyHttp2Settings, createHttp1, createHttp2 } from "./servers.js";
import { sniff } from "./sniff.js";
import { BackendSet } from "./upstream/backend-set.js";
import { proxyUpgrade } from "./websocket.js";
import { PortTelemetry, connClosed, connOpened, connSeries } from "../telemetry/port-telemetry.js";
import { stats } from "../telemetry/stats.js";

export type RouterFactory = (port: BoundPort, previous?: Router) => Router;

const kRuntime = Symbol("runtime");
const kConnSeries = Symbol("connSeries");
type Tracked = Socket & { [kRuntime]?: HttpPortRuntime; [kConnSeries]?: number };

function onTrackedClose(this: Tracked): void {
  const id = this[kConnSeries];
  if (id !== undefined) connClosed(id);
  this[kRuntime]?.untrack(this);
}
function onSessionIdle(this: ServerHttp2Session): void { this.close(); }
function noop(): void {}

/** GATEHOUSE_HTTP1_FAST=0 sends every cleartext HTTP/1.1 connection to Node's server (comparisons). */
const FAST_PATH = process.env.GATEHOUSE_HTTP1_FAST !== "0";

export class HttpPortRuntime implements PortRuntime, PortContext {
  readonly protocol: BoundPort["protocol"];
  readonly scheme: "http" | "https";
  readonly log: LogFn;
  draining = false;
  state: PortState;
  private settings: ProxySettings;
  private readonly front: NetServer | TlsServer;
  private readonly h1: Http1Server;
  private readonly h2: Http2Server;
  private certs: CertificateStore | undefined;
  /** The raw-socket HTTP/1.1 path of a cleartext port (./fast); it hands Node what it does not take. */
  private readonly fast: FastFront | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly sessions = new Set<ServerHttp2Session>();
  /** Active connection gauge of this port (its listeners' names). */
  private connSeries: number;
  private drained: Promise<void> | undefined;
  private allClosed: (() => void) | undefined;
  private readonly handOff = (socket: Socket, h2: boolean): void => {
    (h2 ? this.h2 : this.h1).emit("connection", socket);
  };

  constructor(private port: BoundPort, settings: ProxySettings, env: RuntimeEnv, private readonly routerFactory: RouterFactory) {
    this.protocol = port.protocol;
    this.scheme = port.protocol === "HTTPS" ? "https" : "http";
    this.log = env.log;
    this.settings = settings;
    this.state = new PortState(routerFactory(port), settings, new BackendSet(port.listeners, settings), String(port.listenerPort ?? port.port), new PortTelemetry(port.gateway, port.telemetry));
    this.connSeries = connSeries(port.gateway, port.listeners, port.protocol);

    const onRequest = (req: AnyRequest, res: AnyResponse): void => this.onRequest(req, res);
    this.h1 = createHttp1(settings);
    this.h1.on("request", onRequest);
    this.h1.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      proxyUpgrade(this, this.state, req, socket, head);
    });
    this.h2 = createHttp2(settings);
    this.h2.on("request", onRequest);
    this.h2.on("session", (s: ServerHttp2Session) => this.onSession(s));
    this.h2.on("sessionError", noop);

    if (this.scheme === "https") {
      this.certs = new CertificateStore(port.listeners, this.log);
      const tls = createTlsServer({
        ALPNProtocols: ["h2", "http/1.1"],
        handshakeTimeout: settings.requestHeadersTimeoutMs,
        SNICallback: (name, cb) => {
          try { cb(null, this.certs?.select(name)); } catch (e) { cb(e as Error, undefined); }
        },
      });
      this.setDefaultCertificate(tls);
      tls.on("connection", (socket: Socket) => this.track(socket));
      tls.on("secureConnection", (socket: TLSSocket) => this.handOff(socket, socket.alpnProtocol === "h2"));
      tls.on("tlsClientError", noop);
      this.front = tls;
    } else {
      const fast = FAST_PATH ? new FastFront(this, this.h1) : null;
      this.fast = fast;
      const handOff = fast === null ? this.handOff : (socket: Socket, h2: boolean): void => {
        if (h2) this.h2.emit("connection", socket);
        else fast.accept(socket);
      };
      this.front = createNetServer({ noDelay: true }, (socket: Socket) => {
        this.track(socket);
        sniff(socket, this.settings.requestHeadersTimeoutMs, handOff);
      });
    }
    this.front.on("error", (e: Error) => this.log("error", "listener error", { port: this.port.id, error: e.message }));
  }

  private setDefaultCertificate(tls: TlsServer): void {
    const pem = this.certs?.fallbackPem;
    if (pem === undefined) return;
    try {
      tls.setSecureContext({ key: pem.key, cert: pem.cert });
    } catch (e) {
      this.log("warn", "default certificate not loaded", { port: this.port.id, error: (e as Error).message });
    }
  }

  // --- connections ---

  private track(socket: Socket): void {
    (socket as Tracked)[kRuntime] = this;
    if (stats.enabled) {
      (socket as Tracked)[kConnSeries] = this.connSeries;
      connOpened(this.connSeries);
    }
    this.sockets.add(socket);
    socket.once("close", onTrackedClose);
  }

  untrack(socket: Socket): void {
    this.sockets.delete(socket);
    if (this.sockets.size === 0) this.allClosed?.();
  }

  private onSession(s: ServerHttp2Session): void {
    this.sessions.add(s);
    s.once("close", () => this.sessions.delete(s));
    s.on("error", noop);
    s.setTimeout(this.settings.idleTimeoutMs, onSessionIdle);
    if (this.draining) s.close();
  }

  // --- requests ---

  /** A request the proxy answered itself (no upstream), for metrics and the access log. */
  private answered(state: PortState, req: AnyRequest, site: RouteSite | undefined, status: number, bytesOut: number): void {
    const tel = state.tel;
    if (!stats.enabled && !tel.active) return;
    const now = performance.now();
    tel.httpDone(site, -1, null, req.method ?? "", req.url ?? "", status, now, now, -1, 0, bytesOut, clientIp(req.socket?.remoteAddress), "",
      req.httpVersionMajor === 2 ? "HTTP/2" : req.httpVersionMinor === 0 ? "HTTP/1.0" : "HTTP/1.1", null, tel.sampleLog());
  }

  private onRequest(req: AnyRequest, res: AnyResponse): void {
    let state = this.state;
    const h2 = req.httpVersionMajor === 2;
    try {
      let view;
      if (h2) {
        const { headers, bytes } = headersOfHttp2(req as Http2ServerRequest);
        if (bytes > state.settings.maxRequestHeaderBytes) {
          sendText(res, 431, "request header fields too large\n", false);
          this.answered(state, req, undefined, 431, 0);
          return;
        }
        view = viewOfHttp2(req as Http2ServerRequest, headers, this.scheme);
      } else {
        view = viewOfHttp1(req as IncomingMessage, this.scheme);
        const bad = framingProblem(req as IncomingMessage, view);
        if (bad !== undefined) {
          sendText(res, bad.status, bad.text, true);
          this.answered(state, req, undefined, bad.status, bad.text.length);
          return;
        }
      }
      // A request the fast path routed before handing its connection over keeps that decision.
      const pre = h2 ? undefined : takeDecided(req.socket as Socket);
      if (pre !== undefined) state = pre.state;
      const d = pre !== undefined ? pre.decision : state.router.decide(view);
      if (d.type === "respond") {
        sendDecision(res, d, this.draining);
        this.answered(state, req, d.site, d.status, d.body.length);
        return;
      }
      new Exchange(this, state, req, res, h2, d).start();
    } catch (e) {
      this.log("error", "request handling failed", { port: this.port.id, error: (e as Error).message });
      sendText(res, 500, "internal error\n", true);
    }
  }

  // --- PortRuntime ---

  listen(): Promise<void> {
    const { host, port } = this.port;
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(new Error(`listen ${host}:${port}: ${e.message}`));
      this.front.once("error", onError);
      this.front.listen({ host, port, reusePort: true }, () => {
        this.front.off("error", onError);
        resolve();
      });
    });
  }

  /** The bound address (tests bind port 0). */
  address(): AddressInfo | null {
    const a = this.front.address();
    return a !== null && typeof a === "object" ? a : null;
  }

  update(port: BoundPort, settings: ProxySettings): void {
    const old = this.state;
    const router = this.routerFactory(port, old.router);
    const backends = new BackendSet(port.listeners, settings, old.backends);
    const certs = this.scheme === "https" ? new CertificateStore(port.listeners, this.log, this.certs) : undefined;
    this.port = port;
    this.settings = settings;
    this.state = new PortState(router, settings, backends, String(port.listenerPort ?? port.port), new PortTelemetry(port.gateway, port.telemetry));
    this.connSeries = connSeries(port.gateway, port.listeners, port.protocol);
    old.backends.retire();
    applyHttp1Settings(this.h1, settings);
    applyHttp2Settings(this.h2, settings);
    if (certs !== undefined) {
      this.certs = certs;
      this.setDefaultCertificate(this.front as TlsServer);
    }
  }

  drain(graceMs: number): Promise<void> {
    if (this.drained) return this.drained;
    this.draining = true;
    if (this.front.listening) this.front.close();
    this.h1.closeIdleConnections();
    this.fast?.closeIdle();
    for (const s of this.sessions) s.close();
    this.drained = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        for (const s of this.sockets) s.destroy();
      }, Math.max(0, graceMs));
      const finish = (): void => {
        clearTimeout(timer);
        this.allClosed = undefined;
        // The HTTP/1 server never listened; close() only stops its header-timeout checks.
        this.h1.close(noop);
        this.fast?.stop();
        this.state.backends.retire();
        resolve();
      };
      if (this.sockets.size === 0) finish();
      else this.allClosed = finish;
    });
    return this.drained;
  }
}

export function createHttpPortRuntime(port: BoundPort, settings: ProxySettings, env: RuntimeEnv, routerFactory: RouterFactory): HttpPortRuntime {
  return new HttpPortRuntime(port, settings, env, routerFactory);
}
