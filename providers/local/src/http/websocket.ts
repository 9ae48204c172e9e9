// WebSocket upgrades on HTTP/1.1: routed like any request, the handshake is forwarded to an
// endpoint (plain, or TLS for https backends) and on 101 the two sockets are spliced both
// ways. A non-101 answer is passed back and the connection closed.
import { request as httpRequest, type ClientRequest, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { request as httpsRequest } from "node:https";
import { forwardableResponseHeaders, upstreamHeaders } from "./forward-headers.js";
import { forwardedInfo, type ForwardDecision } from "./exchange.js";
import type { PortContext, PortState } from "./port-state.js";
import { viewOfHttp1 } from "./request-view.js";
import type { Decision } from "./router/index.js";
import { backendTlsOptions } from "./upstream/backend-tls.js";
import type { BackendState } from "./upstream/backend-set.js";
import { nextEndpoint, type Cursor } from "./upstream/cursor.js";
import type { Endpoint } from "./upstream/endpoints.js";

const REASONS: Record<number, string> = { 400: "Bad Request", 404: "Not Found", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable" };

function rawResponse(status: number, reason: string, headers: [string, string][], body: string): string {
  let s = `HTTP/1.1 ${status} ${reason}\r\n`;
  for (const [k, v] of headers) s += `${k}: ${v}\r\n`;
  return `${s}content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

function sendRaw(socket: Duplex, status: number, body: string): void {
  if (socket.destroyed) return;
  socket.end(rawResponse(status, REASONS[status] ?? "Error", [["content-type", "text/plain; charset=utf-8"]], body));
}

function sendDecision(socket: Duplex, d: Extract<Decision, { type: "respond" }>): void {
  const headers: [string, string][] = [];
  for (const k in d.headers) for (const v of d.headers[k] ?? []) headers.push([k, v]);
  if (!socket.destroyed) socket.end(rawResponse(d.status, REASONS[d.status] ?? "Response", headers, d.body));
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

  constructor(
    private readonly ctx: PortContext,
    private readonly state: PortState,
    private readonly req: IncomingMessage,
    private readonly socket: Duplex,
    private readonly head: Buffer,
    private readonly d: ForwardDecision,
  ) {
    this.backend = state.backends.get(d.target.backend, false);
  }

  start(): void {
    this.state.backends.enter();
    this.socket.once("close", () => this.finish());
    this.attempt();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.state.backends.leave();
  }

  private fail(status: number, text: string): void {
    sendRaw(this.socket, status, text);
    this.finish();
  }

  private attempt(): void {
    if (this.socket.destroyed) { this.finish(); return; }
    const ep = nextEndpoint(this.backend, this, Date.now());
    if (ep === null) {
      this.fail(503, this.tried > 0 ? "upstream connect error\n" : "no healthy upstream\n");
      return;
    }
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
        this.eject(ep, err);
        this.attempt();
        return;
      }
      this.ctx.log("debug", "websocket upstream failed", { endpoint: ep.label, error: err.message });
      this.fail(502, "upstream connection reset or bad response\n");
    });
    up.on("upgrade", (res: IncomingMessage, upSocket: Socket, upHead: Buffer) => {
      clearTimeout(timer);
      if (this.socket.destroyed) { upSocket.destroy(); this.finish(); return; }
      let head = `HTTP/1.1 101 ${res.statusMessage || "Switching Protocols"}\r\n`;
      const raw = res.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) head += `${raw[i]}: ${raw[i + 1]}\r\n`;
      this.socket.write(`${head}\r\n`);
      if (upHead.length > 0) this.socket.write(upHead);
      if (this.head.length > 0) upSocket.write(this.head);
      splice(this.socket, upSocket, settings.streamIdleTimeoutMs);
    });
    up.on("response", (res: IncomingMessage) => {
      clearTimeout(timer);
      // Not upgraded: pass the answer on, then close (the client expected a switch).
      const h = forwardableResponseHeaders(res.headers);
      let head = `HTTP/1.1 ${res.statusCode ?? 502} ${res.statusMessage || "Response"}\r\n`;
      for (const k in h) {
        const v = h[k];
        if (k === "content-length" || v === undefined) continue;
        for (const one of Array.isArray(v) ? v : [v]) head += `${k}: ${one}\r\n`;
      }
      this.socket.write(`${head}connection: close\r\n\r\n`);
      res.pipe(this.socket);
      res.on("error", () => this.socket.destroy());
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
  try {
    const d = state.router.decide(viewOfHttp1(req, ctx.scheme));
    if (d.type === "respond") { sendDecision(socket, d); return; }
    const p = d.target.backend.protocol;
    if (p !== "http" && p !== "ws" && p !== "https") { sendRaw(socket, 502, "backend does not accept WebSocket\n"); return; }
    new UpgradeProxy(ctx, state, req, socket, head, d).start();
  } catch (e) {
    ctx.log("error", "websocket upgrade failed", { error: (e as Error).message });
    sendRaw(socket, 500, "internal error\n");
  }
}
