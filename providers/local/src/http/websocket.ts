// WebSocket upgrades on HTTP/1.1: routed like any request, the handshake is forwarded to an
// endpoint (plain, or TLS for https backends) and on 101 the two sockets are spliced both
// ways. A non-101 answer is passed back and the connection closed. Each upgrade is one
// request for telemetry (PortTelemetry.httpDone, once): a 101 when its spliced session
// closes, any other answer with the status sent.
import { request as httpRequest, type ClientRequest, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { request as httpsRequest } from "node:https";
import { clientIp, forwardableResponseHeaders, upstreamHeaders } from "./forward-headers.js";
import { forwardedInfo, type ForwardDecision } from "./exchange.js";
import type { PortContext, PortState } from "./port-state.js";
import { viewOfHttp1 } from "./request-view.js";
import type { Decision } from "./router/index.js";
import { backendTlsOptions } from "./upstream/backend-tls.js";
import type { BackendState } from "./upstream/backend-set.js";
import { nextEndpoint, type Cursor } from "./upstream/cursor.js";
import type { Endpoint } from "./upstream/endpoints.js";
import { CLIENT_CLOSED } from "../telemetry/labels.js";
import { U_CONNECT_ERRORS, stats } from "../telemetry/stats.js";

const REASONS: Record<number, string> = { 400: "Bad Request", 404: "Not Found", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable" };

function rawResponse(status: number, reason: string, headers: [string, string][], body: string): string {
  let s = `HTTP/1.1 ${status} ${reason}\r\n`;
  for (const [k, v] of headers) s += `${k}: ${v}\r\n`;
  return `${s}content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

/** Sends a plain-text answer; returns the body bytes written (0 when the client is gone). */
function sendRaw(socket: Duplex, status: number, body: string): number {
  if (socket.destroyed) return 0;
  socket.end(rawResponse(status, REASONS[status] ?? "Error", [["content-type", "text/plain; charset=utf-8"]], body));
  return Buffer.byteLength(body);
}

/** Sends a router's answer; returns the body bytes written (0 when the client is gone). */
function sendDecision(socket: Duplex, d: Extract<Decision, { type: "respond" }>): number {
  const headers: [string, string][] = [];
  for (const k in d.headers) for (const v of d.headers[k] ?? []) headers.push([k, v]);
  if (socket.destroyed) return 0;
  socket.end(rawResponse(d.status, REASONS[d.status] ?? "Response", headers, d.body));
  return Buffer.byteLength(d.body);
}

/**
 * Telemetry of one upgrade request: whether it is observed (metrics on, or logging/tracing),
 * its start and its access log sampling, all decided when the handshake arrives.
 */
interface Observation {
  observed: boolean;
  logged: boolean;
  t0: number;
  /** Reported already (an upgrade is counted once, whichever path ends it). */
  reported: boolean;
}

/** An upgrade the proxy answered itself, before any upstream (router answers, wrong backend protocol, internal error). */
function reportAnswered(state: PortState, req: IncomingMessage, o: Observation, d: Decision | undefined, status: number, bytesOut: number): void {
  if (!o.observed || o.reported) return;
  o.reported = true;
  const fwd = d !== undefined && d.type === "forward" ? d : undefined;
  state.tel.httpDone(d?.site, fwd !== undefined ? fwd.pick ?? 0 : -1, fwd !== undefined ? fwd.target.backend : null, req.method ?? "", req.url ?? "",
    status, o.t0, performance.now(), -1, 0, bytesOut, clientIp(req.socket?.remoteAddress), "", "HTTP/1.1", null, o.logged);
}

function noop(): void {}

/** Splices two sockets; either side closing, failing or idling too long ends both. */
function splice(a: Duplex, b: Duplex, idleMs: number): void {
  const end = (): void => { a.destroy(); b.destroy(); };
  for (const s of [a, b]) {
    s.on("error", end);
    s.on("close", end);
    if (idleMs > 0 && typeof (s as Socket).setTimeout === "function") {
      (s as Socket).setTimeout(idleMs);
      s.on("timeout", end);
    }
  }
  a.pipe(b);
  b.pipe(a);
}

class UpgradeProxy implements Cursor {
  ringStart = 0;
  ringPos = 0;
  panic = false;
  tried = 0;
  private finished = false;
  private readonly backend: BackendState;
  // Telemetry (reported in finish()): the status sent (0: none yet, the client went away first),
  // the endpoint last tried, upstream time to its answer's head (-1: no answer; measured when logged).
  private status = 0;
  private endpoint: Endpoint | null = null;
  private upAt = 0;
  private upMs = -1;
  /** The client socket's byte counters when the handshake arrived; the bytes of the upstream answer's head written to it (-1: none). */
  private readonly read0: number;
  private readonly written0: number;
  private headOut = -1;
  /** Body bytes of a proxy-written answer. */
  private answerBytes = 0;

  constructor(
    private readonly ctx: PortContext,
    private readonly state: PortState,
    private readonly req: IncomingMessage,
    private readonly socket: Duplex,
    private readonly head: Buffer,
    private readonly d: ForwardDecision,
    private readonly o: Observation,
  ) {
    this.backend = state.backends.get(d.target.backend, false);
    const s = socket as Partial<Socket>;
    this.read0 = o.observed ? s.bytesRead ?? 0 : 0;
    this.written0 = o.observed ? s.bytesWritten ?? 0 : 0;
  }

  start(): void {
    this.state.backends.enter();
    this.socket.once("close", () => this.finish());
    this.attempt();
  }

  /** The upgrade is over: answered by the proxy, or its client connection closed (the spliced session too). */
  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.state.backends.leave();
    if (this.o.observed) this.report();
  }

  fail(status: number, text: string): void {
    if (this.finished) return;
    if (!this.socket.destroyed && this.status === 0) {
      this.status = status;
      this.answerBytes = sendRaw(this.socket, status, text);
    } else this.socket.destroy();
    this.finish();
  }

  private report(): void {
    const o = this.o;
    if (o.reported) return;
    o.reported = true;
    const { req, d } = this;
    let bytesIn = 0;
    let bytesOut = this.answerBytes;
    if (this.headOut >= 0) {
      // Bytes from the client socket's own counters (no per-chunk accounting; cleartext on TLS
      // too), taken since the handshake arrived. Out: what was written after the upstream's
      // answer head (a 101 session's bytes to the client, or a non-101 answer's body). In: a 101
      // session's bytes from the client (those that came with the handshake, `head`, included);
      // 0 for a non-101 answer (nothing of the client's is forwarded after the handshake).
      const s = this.socket as Partial<Socket>;
      bytesOut = Math.max(0, (s.bytesWritten ?? this.written0) - this.written0 - this.headOut);
      if (this.status === 101) bytesIn = Math.max(0, (s.bytesRead ?? this.read0) - this.read0 + this.head.length);
    }
    this.state.tel.httpDone(d.site, d.pick ?? 0, d.target.backend, req.method ?? "", req.url ?? "", this.status !== 0 ? this.status : CLIENT_CLOSED,
      o.t0, performance.now(), this.upMs, bytesIn, bytesOut, clientIp(req.socket?.remoteAddress), this.endpoint !== null ? this.endpoint.label : "",
      "HTTP/1.1", null, o.logged);
  }

  private attempt(): void {
    if (this.socket.destroyed) { this.finish(); return; }
    const ep = nextEndpoint(this.backend, this, Date.now());
    if (ep === null) {
      this.fail(503, this.tried > 0 ? "upstream connect error\n" : "no healthy upstream\n");
      return;
    }
    this.endpoint = ep;
    const { d, req } = this;
    const settings = this.state.settings;
    const fwd = forwardedInfo(this.ctx, this.state, req, false);
    const headers = upstreamHeaders(d.target.headers, fwd, d.target.authority, "websocket");
    const tls = d.target.backend.protocol === "https";
    let connected = false;
    const options = {
      host: ep.address,
      port: ep.port,
      method: req.method ?? "GET",
      path: d.target.path,
      headers: headers as unknown as Record<string, string>,
      agent: false as const,
    };
    if (this.o.logged) this.upAt = performance.now();
    const up: ClientRequest = tls ? httpsRequest({ ...options, ...backendTlsOptions(d.target.backend) }) : httpRequest(options);
    const timer = setTimeout(() => {
      const err = new Error("connect timeout") as Error & { code: string };
      err.code = "UND_ERR_CONNECT_TIMEOUT";
      up.destroy(err);
    }, settings.upstreamConnectTimeoutMs);
    up.on("socket", (s: Socket) => {
      s.once(tls ? "secureConnect" : "connect", () => { connected = true; clearTimeout(timer); });
    });
    up.on("error", (err: Error) => {
      clearTimeout(timer);
      if (this.finished) return;
      if (!connected) {
        // As for any request: a failed connect (refused, timed out, TLS) counts on the route's series.
        if (this.o.observed) this.state.tel.upstream(d.site, d.pick ?? 0, d.target.backend, U_CONNECT_ERRORS);
        this.eject(ep, err);
        this.attempt();
        return;
      }
      this.ctx.log("debug", "websocket upstream failed", { endpoint: ep.label, error: err.message });
      this.fail(502, "upstream connection reset or bad response\n");
    });
    up.on("upgrade", (res: IncomingMessage, upSocket: Socket, upHead: Buffer) => {
      clearTimeout(timer);
      if (this.finished || this.socket.destroyed) { upSocket.destroy(); this.finish(); return; }
      if (this.o.logged) this.upMs = performance.now() - this.upAt;
      let head = `HTTP/1.1 101 ${res.statusMessage || "Switching Protocols"}\r\n`;
      const raw = res.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) head += `${raw[i]}: ${raw[i + 1]}\r\n`;
      head += "\r\n";
      this.status = 101;
      this.headOut = Buffer.byteLength(head);
      this.socket.write(head);
      if (upHead.length > 0) this.socket.write(upHead);
      if (this.head.length > 0) upSocket.write(this.head);
      splice(this.socket, upSocket, settings.streamIdleTimeoutMs);
    });
    up.on("response", (res: IncomingMessage) => {
      clearTimeout(timer);
      if (this.finished || this.socket.destroyed) { res.on("error", noop); res.destroy(); up.destroy(); this.finish(); return; }
      if (this.o.logged) this.upMs = performance.now() - this.upAt;
      // Not upgraded: pass the answer on, then close (the client expected a switch).
      const h = forwardableResponseHeaders(res.headers);
      let head = `HTTP/1.1 ${res.statusCode ?? 502} ${res.statusMessage || "Response"}\r\n`;
      for (const k in h) {
        const v = h[k];
        if (k === "content-length" || v === undefined) continue;
        for (const one of Array.isArray(v) ? v : [v]) head += `${k}: ${one}\r\n`;
      }
      head += "connection: close\r\n\r\n";
      this.status = res.statusCode ?? 502;
      this.headOut = Buffer.byteLength(head);
      this.socket.write(head);
      res.pipe(this.socket);
      res.on("error", () => this.socket.destroy());
      // Its whole body handed to the client socket: the request is over (or at the client's close, if first).
      res.once("end", () => this.finish());
    });
    up.end();
  }

  private eject(ep: Endpoint, err: Error): void {
    const now = Date.now();
    if (ep.ejectedUntil <= now) this.ctx.log("warn", "upstream endpoint ejected", { endpoint: ep.label, error: err.message, forMs: this.state.settings.ejectionMs });
    ep.ejectedUntil = now + this.state.settings.ejectionMs;
  }
}

/** The server's `upgrade` listener body (WebSocket handshakes only reach it). Never throws. */
export function proxyUpgrade(ctx: PortContext, state: PortState, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on("error", noop);
  const tel = state.tel;
  const observed = stats.enabled || tel.active;
  const o: Observation = { observed, logged: observed && tel.sampleLog(), t0: observed ? performance.now() : 0, reported: false };
  let d: Decision | undefined;
  let proxy: UpgradeProxy | undefined;
  try {
    d = state.router.decide(viewOfHttp1(req, ctx.scheme));
    if (d.type === "respond") {
      const n = sendDecision(socket, d);
      reportAnswered(state, req, o, d, d.status, n);
      return;
    }
    const p = d.target.backend.protocol;
    if (p !== "http" && p !== "ws" && p !== "https") {
      const n = sendRaw(socket, 502, "backend does not accept WebSocket\n");
      reportAnswered(state, req, o, d, 502, n);
      return;
    }
    proxy = new UpgradeProxy(ctx, state, req, socket, head, d, o);
    proxy.start();
  } catch (e) {
    ctx.log("error", "websocket upgrade failed", { error: (e as Error).message });
    if (proxy !== undefined) proxy.fail(500, "internal error\n");
    else reportAnswered(state, req, o, d, 500, sendRaw(socket, 500, "internal error\n"));
  }
}
