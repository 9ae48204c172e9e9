// One request the fast path forwards: endpoint choice with passive ejection and failover,
// retries on the route's codes (bodiless requests only), request and per-try timeouts, the
// request head and Content-Length body written to a raw pooled connection, the response
// head rewritten (hop-by-hop fields out, edits applied) and its body passed on as it comes,
// with backpressure both ways. Same behaviour as ../exchange.ts; callbacks are methods.
import type { Decision } from "../router/index.js";
import { applyResponseEdits } from "../router/index.js";
import { forwardableResponseHeaders } from "../forward-headers.js";
import type { PortState } from "../port-state.js";
import type { BackendState } from "../upstream/backend-set.js";
import { nextEndpoint, resetCursor, type Cursor } from "../upstream/cursor.js";
import type { Endpoint } from "../upstream/endpoints.js";
import { isConnectFailure, type ResponseHeaders } from "../upstream/types.js";
import { copyBytes, latin1 } from "./bytes.js";
import type { FastConn } from "./connection.js";
import { responseFields, statusLine, textResponse } from "./heads.js";
import { EXTRA_CHUNKED, EXTRA_CHUNKED_CLOSE, EXTRA_CLOSE, NO_EXTRA, responseHeadBytes } from "./response-out.js";
import type { ResponseHead } from "./response-head.js";
import type { ResponseSink } from "./response-reader.js";
import { rawPool, type RawPool, type UpConn, type UpstreamUser } from "./upstream-pool.js";
import { writeLater } from "./write-batch.js";
import { CLIENT_CLOSED } from "../../telemetry/labels.js";
import { U_CONNECT_ERRORS, U_RETRIES, U_TIMEOUTS } from "../../telemetry/stats.js";
import type { TraceContext } from "../../telemetry/trace.js";

export type ForwardDecision = Extract<Decision, { type: "forward" }>;

const DEFAULT_BACKOFF_MS = 25;

function onRequestTimer(ex: FastExchange): void { ex.timedOut(true); }
function onTryTimer(ex: FastExchange): void { ex.timedOut(false); }
function onRetryTimer(ex: FastExchange): void { ex.retryNow(); }

/** Methods a request may be resent for when a reused connection turned out closed (RFC 9110 §9.2.2). */
function idempotent(method: string): boolean {
  return method === "GET" || method === "HEAD" || method === "OPTIONS" || method === "PUT" || method === "DELETE" || method === "TRACE";
}

export class FastExchange implements Cursor, UpstreamUser, ResponseSink {
  ringStart = 0;
  ringPos = 0;
  panic = false;
  tried = 0;

  private readonly backend: BackendState;
  private up: UpConn | null = null;
  private pool: RawPool | null = null;
  private endpoint: Endpoint | null = null;
  private waitingPool = false;
  private reused = false;
  private freshRetry = false;
  /** Body bytes that arrived before a connection. */
  private held: Buffer[] | null = null;
  /** Body bytes written upstream (in this attempt). */
  private sent = 0;
  private retriesLeft: number;
  private discarding = false;
  /** The final response head (then room for the body bytes that came with it), waiting to go out with them. */
  private headOut: Buffer | null = null;
  /** Bytes of headOut used so far. */
  private headUsed = 0;
  /** The final head went to the client: a failure now resets the connection instead of answering. */
  private written = false;
  private closeAfter = false;
  private upPaused = false;
  private finished = false;
  private requestTimer: NodeJS.Timeout | null = null;
  private tryTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  // Telemetry (observe()): when the request began, what went out, where, how long upstream.
  private observed = false;
  private logged = false;
  private t0 = 0;
  private upAt = 0;
  private upMs = -1;
  /** performance.now() at the response's end (0: not yet), the request's end time when it finishes right there. */
  private endAt = 0;
  private status = 0;
  private bytesOut = 0;
  private path = "";
  private trace: TraceContext | null = null;

  constructor(
    private readonly conn: FastConn,
    private readonly state: PortState,
    private readonly d: ForwardDecision,
    private readonly method: string,
    /** Request body length (Content-Length; 0: none). */
    private readonly bodyLength: number,
    /** The upstream request head. */
    private readonly head: Buffer,
  ) {
    this.backend = state.backends.get(d.target.backend, d.route.kind === "GRPCRoute");
    const retry = d.retry;
    this.retriesLeft = bodyLength === 0 && retry && typeof retry.attempts === "number" && retry.attempts > 0 ? retry.attempts : 0;
  }

  /** Count, log (`logged`) and trace this request when it ends. */
  observe(path: string, trace: TraceContext | null, logged: boolean): void {
    this.observed = true;
    this.t0 = performance.now();
    this.path = path;
    this.trace = trace;
    this.logged = logged;
  }

  start(): void {
    const { state, d } = this;
    state.backends.enter();
    const max = state.settings.maxRequestBodyBytes;
    if (max > 0 && this.bodyLength > max) {
      this.fail(413, "request body too large\n", true);
      return;
    }
    if (this.backend.endpoints.length === 0) {
      this.fail(503, "no healthy upstream\n", false);
      return;
    }
    const requestMs = d.timeouts?.requestMs;
    if (typeof requestMs === "number" && requestMs > 0) this.requestTimer = setTimeout(onRequestTimer, requestMs, this);
    this.attempt();
  }

  // --- attempts ---

  private attempt(): void {
    if (this.finished) return;
    const ep = nextEndpoint(this.backend, this, Date.now());
    if (ep === null) {
      this.fail(503, this.tried > 0 ? "upstream connect error\n" : "no healthy upstream\n", false);
      return;
    }
    this.endpoint = ep;
    const tryMs = this.d.timeouts?.backendRequestMs;
    if (typeof tryMs === "number" && tryMs > 0) {
      if (this.tryTimer !== null) clearTimeout(this.tryTimer);
      this.tryTimer = setTimeout(onTryTimer, tryMs, this);
    }
    this.freshRetry = false;
    this.endAt = 0;
    // The first attempt starts with the request (one clock read less per request).
    if (this.logged) this.upAt = this.upAt === 0 ? this.t0 : performance.now();
    this.connect(false);
  }

  private connect(fresh: boolean): void {
    const pool = rawPool(this.endpoint!, this.state.settings);
    this.pool = pool;
    this.waitingPool = true;
    pool.acquire(this, fresh);
  }

  retryNow(): void {
    this.retryTimer = null;
    this.attempt();
  }

  private scheduleRetry(): void {
    if (this.observed) this.state.tel.upstream(this.d.site, this.d.pick ?? 0, this.d.target.backend, U_RETRIES);
    this.retriesLeft--;
    resetCursor(this);
    const backoff = this.d.retry?.backoffMs;
    this.retryTimer = setTimeout(onRetryTimer, typeof backoff === "number" && backoff >= 0 ? backoff : DEFAULT_BACKOFF_MS, this);
  }

  private clearTry(): void {
    if (this.tryTimer !== null) { clearTimeout(this.tryTimer); this.tryTimer = null; }
  }

  // --- the connection (UpstreamUser) ---

  gotConnection(up: UpConn, reused: boolean): void {
    this.waitingPool = false;
    if (this.finished) {
      this.pool!.release(up, Date.now());
      return;
    }
    this.up = up;
    this.reused = reused;
    this.sent = 0;
    up.reader.expect(this, this.method === "HEAD");
    const s = up.socket;
    const held = this.held;
    if (held === null) {
      // A bodiless request goes out with the others of this round; a body follows its head at once.
      if (this.bodyLength === 0) writeLater(s, this.head, null);
      else s.write(this.head);
    } else {
      this.held = null;
      s.cork();
      s.write(this.head);
      for (let i = 0; i < held.length; i++) {
        this.sent += held[i]!.length;
        s.write(held[i]!);
      }
      s.uncork();
    }
    if (this.bodyLength > this.sent) this.conn.resumeReading();
  }

  connectFailed(err: Error): void {
    this.waitingPool = false;
    this.up = null;
    if (this.finished) return;
    const ep = this.endpoint;
    if (ep !== null && isConnectFailure(err)) {
      if (this.observed) this.state.tel.upstream(this.d.site, this.d.pick ?? 0, this.d.target.backend, U_CONNECT_ERRORS);
      const now = Date.now();
      if (ep.ejectedUntil <= now) {
        this.conn.log("warn", "upstream endpoint ejected", { endpoint: ep.label, error: err.message, forMs: this.state.settings.ejectionMs });
      }
      ep.ejectedUntil = now + this.state.settings.ejectionMs;
    }
    this.clearTry();
    // Nothing was sent: the request (and any body held back) can go to the next endpoint.
    this.attempt();
  }

  connectionLost(err: Error | null, untouched: boolean): void {
    this.up = null;
    if (this.finished) return;
    // A kept-alive connection the upstream closed as the request went out: once more on a new one.
    if (untouched && this.reused && !this.freshRetry && this.sent === 0 && this.bodyLength === 0 && !this.discarding && idempotent(this.method)) {
      this.freshRetry = true;
      this.connect(true);
      return;
    }
    this.upstreamFailed(err?.message ?? "upstream closed the connection");
  }

  upstreamDrained(): void {
    if (!this.finished && this.bodyLength > this.sent) this.conn.resumeReading();
  }

  /** Body bytes from the client (the connection counts them against Content-Length). */
  body(chunk: Buffer): void {
    if (this.finished) return;
    const up = this.up;
    if (up === null) {
      (this.held ??= []).push(chunk);
      this.conn.pauseReading();
      return;
    }
    this.sent += chunk.length;
    if (!up.socket.write(chunk)) this.conn.pauseReading();
  }

  /** The client's socket is full: stop reading the upstream until it drains. */
  clientBlocked(): void {
    const up = this.up;
    if (up !== null && !this.upPaused) {
      this.upPaused = true;
      up.socket.pause();
    }
  }

  /** The client can take more (after a write returned false). */
  clientDrained(): void {
    if (this.upPaused) {
      this.upPaused = false;
      this.up?.socket.resume();
    }
  }

  // --- the response (ResponseSink) ---

  onResponseHead(buf: Buffer, _start: number, end: number, h: ResponseHead, following: number): void {
    if (this.finished) return;
    const status = h.status;
    if (status < 200) {
      // Interim answers (103 Early Hints, ...) go on as they are, minus hop-by-hop fields.
      if (!this.discarding) this.conn.writeOwned(responseHeadBytes(status, buf, end, h, NO_EXTRA, 0));
      return;
    }
    const retry = this.d.retry;
    if (this.retriesLeft > 0 && retry !== undefined && Array.isArray(retry.codes) && retry.codes.includes(status) && this.sent === 0) {
      this.discarding = true;
      return;
    }
    this.status = status;
    const close = this.conn.closeWanted() || this.up!.reader.untilClose;
    const chunked = h.chunked && this.method !== "HEAD" && status !== 204 && status !== 304;
    const edits = this.d.response;
    let out: Buffer;
    if (edits.set.length > 0 || edits.add.length > 0 || edits.remove.length > 0) {
      const fields = this.editedFields(buf, h);
      if (fields === null) {
        this.upstreamFailed("invalid upstream response");
        return;
      }
      out = Buffer.from(`${statusLine(status)}${fields}${chunked ? "transfer-encoding: chunked\r\n" : ""}${close ? "connection: close\r\n" : ""}\r\n`, "latin1");
      this.headUsed = out.length;
    } else {
      const extra = chunked ? (close ? EXTRA_CHUNKED_CLOSE : EXTRA_CHUNKED) : close ? EXTRA_CLOSE : NO_EXTRA;
      // Room for the body bytes that came with the head: one write for both.
      const reserve = following <= 16 * 1024 ? following : 0;
      out = responseHeadBytes(status, buf, end, h, extra, reserve);
      this.headUsed = out.length - reserve;
    }
    this.headOut = out;
    this.closeAfter = close;
  }

  onResponseBody(buf: Buffer, start: number, end: number): void {
    if (this.discarding || this.finished || start === end) return;
    this.bytesOut += end - start;
    const head = this.headOut;
    if (head === null) {
      const out = Buffer.allocUnsafe(end - start);
      copyBytes(buf, start, end, out, 0);
      this.conn.writeOwned(out);
      return;
    }
    this.headOut = null;
    this.written = true;
    const used = this.headUsed;
    const n = end - start;
    if (used + n <= head.length) {
      copyBytes(buf, start, end, head, used);
      this.conn.writeOwned(used + n === head.length ? head : head.subarray(0, used + n));
      return;
    }
    const out = Buffer.allocUnsafe(used + n);
    copyBytes(head, 0, used, out, 0);
    copyBytes(buf, start, end, out, used);
    this.conn.writeOwned(out);
  }

  onResponseEnd(extra: boolean): void {
    this.clearTry();
    const up = this.up!;
    this.up = null;
    const now = Date.now();
    if (this.observed) {
      this.endAt = performance.now();
      if (this.logged) this.upMs = this.endAt - this.upAt;
    }
    const reusable = !extra && !up.reader.head.close && this.sent === this.bodyLength;
    if (this.upPaused) { this.upPaused = false; up.socket.resume(); }
    if (reusable) this.pool!.release(up, now);
    else up.destroy();
    if (this.finished) return;
    if (this.discarding) {
      this.discarding = false;
      this.scheduleRetry();
      return;
    }
    const head = this.headOut;
    if (head !== null) {
      this.headOut = null;
      this.written = true;
      this.conn.writeOwned(this.headUsed === head.length ? head : head.subarray(0, this.headUsed));
    }
    this.done();
    this.conn.requestDone(this.closeAfter, now);
  }

  onResponseError(reason: string): void {
    const up = this.up;
    this.up = null;
    up?.destroy();
    if (this.finished) return;
    this.upstreamFailed(reason);
  }

  private upstreamFailed(reason: string): void {
    this.clearTry();
    const up = this.up;
    this.up = null;
    up?.destroy();
    if (this.discarding) {
      this.discarding = false;
      this.scheduleRetry();
      return;
    }
    this.conn.log("debug", "upstream request failed", { endpoint: this.endpoint?.label, error: reason });
    if (!this.written) this.fail(502, "upstream connection reset or bad response\n", false);
    else this.abortClient();
  }

  /** The fields as a header object, ResponseHeaderModifier edits applied (as ../exchange.ts does). */
  private editedFields(buf: Buffer, h: ResponseHead): string | null {
    const f = h.fields;
    const all: ResponseHeaders = {};
    for (let k = 0; k < h.count; k++) {
      const name = latin1(buf, f[4 * k]!, f[4 * k + 1]!).toLowerCase();
      if (name === "__proto__") continue;
      const value = latin1(buf, f[4 * k + 2]!, f[4 * k + 3]!);
      const prev = all[name];
      all[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
    const headers = forwardableResponseHeaders(all);
    applyResponseEdits(headers, this.d.response);
    let s = responseFields(headers);
    if (s !== null && h.contentLength >= 0) s += `content-length: ${h.contentLength}\r\n`;
    return s;
  }

  // --- ends ---

  timedOut(whole: boolean): void {
    if (whole) this.requestTimer = null;
    else this.tryTimer = null;
    if (this.finished) return;
    if (this.observed) this.state.tel.upstream(this.d.site, this.d.pick ?? 0, this.d.target.backend, U_TIMEOUTS);
    this.dropUpstream();
    if (this.written) this.abortClient();
    else this.fail(504, "upstream request timeout\n", false);
  }

  /** The client went away. */
  clientClosed(): void {
    if (this.finished) return;
    this.dropUpstream();
    this.done();
  }

  private dropUpstream(): void {
    if (this.waitingPool) {
      this.waitingPool = false;
      this.pool?.cancel(this);
    }
    const up = this.up;
    this.up = null;
    up?.destroy();
  }

  /** Ends the exchange with the proxy's own answer (or a reset once the response is out). */
  fail(status: number, text: string, close: boolean): void {
    if (this.finished) return;
    this.dropUpstream();
    if (this.written) {
      this.abortClient();
      return;
    }
    this.headOut = null;
    this.status = status;
    this.bytesOut = text.length;
    const c = close || this.conn.closeWanted();
    this.conn.write(textResponse(status, text, c));
    this.done();
    this.conn.requestDone(c, Date.now());
  }

  private abortClient(): void {
    this.done();
    this.conn.destroy();
  }

  private done(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.requestTimer !== null) { clearTimeout(this.requestTimer); this.requestTimer = null; }
    if (this.tryTimer !== null) { clearTimeout(this.tryTimer); this.tryTimer = null; }
    if (this.retryTimer !== null) { clearTimeout(this.retryTimer); this.retryTimer = null; }
    this.held = null;
    this.state.backends.leave();
    if (this.observed) {
      const d = this.d;
      this.state.tel.httpDone(d.site, d.pick ?? 0, d.target.backend, this.method, this.path, this.status !== 0 ? this.status : CLIENT_CLOSED,
        this.t0, this.endAt !== 0 ? this.endAt : performance.now(), this.upMs, this.bodyLength, this.bytesOut, this.conn.clientIp(), this.endpoint !== null ? this.endpoint.label : "",
        "HTTP/1.1", this.trace, this.logged);
    }
  }
}
