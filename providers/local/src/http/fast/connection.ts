// One cleartext HTTP/1.1 client connection on the fast path: request heads parsed from the
// raw socket, routed, answered or forwarded one at a time (pipelined requests wait their
// turn, in order), Content-Length bodies streamed to the exchange. Anything the fast path
// does not take (see request-head.ts and handle()) hands the connection, with every byte not
// yet consumed, to Node's HTTP/1.1 server for the rest of its life.
import type { Socket } from "node:net";
import type { LogFn } from "../../runtime/types.js";
import { clientIp, upstreamHeaders, type ForwardedInfo } from "../forward-headers.js";
import { wireProtocol } from "../upstream/endpoints.js";
import { CR, LF } from "./bytes.js";
import { headEnd } from "./head-end.js";
import { FastExchange } from "./exchange.js";
import type { FastFront } from "./front.js";
import { markDecided, type Decided } from "./handover.js";
import { RequestTail, decisionResponse, safeFields, safePath, safeValue, textResponse } from "./heads.js";
import { HEAD_BAD, HEAD_DELEGATE, RequestHead, hasBareLF, parseRequestHead } from "./request-head.js";
import { countDelegation, fastStats } from "./stats.js";
import { viewOf } from "./view.js";
import { stats } from "../../telemetry/stats.js";
import { startTrace, type TraceContext } from "../../telemetry/trace.js";
import { flushWrites, writeLater, type WriteOwner } from "./write-batch.js";

/** Waiting for a request (nothing of it yet). */
export const P_IDLE = 0;
/** Part of a request head arrived. */
export const P_HEAD = 1;
/** Forwarding: the request body is still arriving. */
export const P_BODY = 2;
/** Forwarding: the request is complete, its response is not. */
export const P_WAIT = 3;
export const P_CLOSED = 4;

/** Bytes of later (pipelined) requests held while one is answered; reading pauses beyond. */
const PIPELINE_BYTES = 64 * 1024;

const kConn = Symbol("fastConn");
type ConnSocket = Socket & { [kConn]?: FastConn };

function onConnData(this: ConnSocket, chunk: Buffer): void { this[kConn]?.data(chunk); }
function onConnEnd(this: ConnSocket): void { this[kConn]?.ended(); }
function onConnError(this: ConnSocket): void { this.destroy(); }
function onConnClose(this: ConnSocket): void { this[kConn]?.closed(); }
function onConnDrain(this: ConnSocket): void { this[kConn]?.drained(); }

export class FastConn implements WriteOwner {
  phase = P_HEAD;
  /** When the current idle or head phase began (ms). */
  since: number;
  /** Bytes moved since the last sweep (busy phases). */
  active = false;
  ex: FastExchange | null = null;
  /** Unconsumed bytes from the client. */
  private pending: Buffer | null = null;
  /** Where the search for the head's end resumes in `pending`. */
  private scanFrom = 0;
  /** Request body bytes still to come. */
  private bodyLeft = 0;
  private readonly head = new RequestHead();
  /** The X-Forwarded-* and Host lines of the last upstream request (usually the same for the next). */
  private readonly tails = new RequestTail();
  /** The current request asked for Connection: close. */
  private closeRequested = false;
  private paused = false;
  /** The proxy's own answers filled the socket: parsing waits for 'drain'. */
  private answersBlocked = false;
  private clientEnded = false;
  private looping = false;
  private ip: string | null = null;

  constructor(readonly front: FastFront, readonly socket: Socket, now: number) {
    this.since = now;
  }

  start(): void {
    const s = this.socket as ConnSocket;
    s[kConn] = this;
    // A client's FIN after its request still gets the answer (then the connection ends).
    s.allowHalfOpen = true;
    s.on("data", onConnData);
    s.on("end", onConnEnd);
    s.on("error", onConnError);
    s.on("close", onConnClose);
    s.on("drain", onConnDrain);
  }

  get log(): LogFn { return this.front.host.log; }

  // --- reading ---

  data(chunk: Buffer): void {
    this.active = true;
    switch (this.phase) {
      case P_BODY:
        this.bodyData(chunk);
        return;
      case P_WAIT:
        this.hold(chunk);
        if (this.pending!.length > PIPELINE_BYTES) this.pauseReading();
        return;
      case P_CLOSED:
        return;
      default:
        this.hold(chunk);
        this.advance();
    }
  }

  private hold(chunk: Buffer): void {
    const p = this.pending;
    this.pending = p === null ? chunk : Buffer.concat([p, chunk]);
  }

  private bodyData(chunk: Buffer): void {
    const ex = this.ex!;
    const left = this.bodyLeft;
    if (chunk.length <= left) {
      this.bodyLeft = left - chunk.length;
      if (this.bodyLeft === 0) this.phase = P_WAIT;
      ex.body(chunk);
      return;
    }
    this.bodyLeft = 0;
    this.phase = P_WAIT;
    this.hold(chunk.subarray(left));
    ex.body(chunk.subarray(0, left));
  }

  /** Parses and handles requests while the connection is free and bytes wait. */
  private advance(): void {
    if (this.looping) return;
    this.looping = true;
    while ((this.phase === P_IDLE || this.phase === P_HEAD) && this.pending !== null && !this.answersBlocked) {
      if (!this.nextRequest()) break;
    }
    this.looping = false;
    if (this.clientEnded && (this.phase === P_IDLE || this.phase === P_HEAD)) this.shutdown();
  }

  /** One request from `pending`; true when the next one may be parsed right away. */
  private nextRequest(): boolean {
    let buf = this.pending!;
    if (this.phase === P_IDLE) {
      // Empty lines before a request are ignored (RFC 9112 §2.2).
      let i = 0;
      while (i + 1 < buf.length && buf[i] === CR && buf[i + 1] === LF) i += 2;
      if (i > 0) {
        buf = buf.subarray(i);
        this.pending = buf.length > 0 ? buf : null;
        if (buf.length === 0) return false;
      }
    }
    const settings = this.front.host.state.settings;
    const max = settings.maxRequestHeaderBytes;
    const end = headEnd(buf, this.scanFrom, buf.length);
    if (end < 0) {
      if (buf.length > max) {
        this.reject(431, "request header fields too large\n");
        return false;
      }
      // A head with bare LF line ends would never complete here: refuse it now.
      if (hasBareLF(buf, this.scanFrom, buf.length)) {
        this.reject(400, "bad request\n");
        return false;
      }
      this.scanFrom = Math.max(0, buf.length - 3);
      if (this.phase === P_IDLE) {
        this.phase = P_HEAD;
        this.since = Date.now();
      }
      return false;
    }
    this.scanFrom = 0;
    if (end > max) {
      this.reject(431, "request header fields too large\n");
      return false;
    }
    const h = this.head;
    const code = parseRequestHead(buf, 0, end, h);
    if (code === HEAD_BAD) {
      this.reject(400, h.reason === "more than one Host header" ? "more than one Host header\n" : "bad request\n");
      return false;
    }
    if (code === HEAD_DELEGATE) {
      this.delegate(buf, null, h.reason);
      return false;
    }
    this.pending = end === buf.length ? null : buf.subarray(end);
    return this.handle(buf);
  }

  /** Routes the parsed request; `buf` holds its head and what followed (for a hand-over). */
  private handle(buf: Buffer): boolean {
    const host = this.front.host;
    const state = host.state;
    const h = this.head;
    const view = viewOf(h);
    const d = state.router.decide(view);
    if (d.type === "respond") {
      fastStats.requests++;
      const tel = state.tel;
      if (stats.enabled || tel.active) {
        const now = performance.now();
        tel.httpDone(d.site, -1, null, h.method, h.target, d.status, now, now, -1, 0, d.body.length, this.clientIp(), "", "HTTP/1.1", null, tel.sampleLog());
      }
      // An unread body ends the connection (the next request would start inside it).
      const close = h.close || host.draining || h.contentLength > 0;
      const out = decisionResponse(d, close, h.method === "HEAD");
      if (out === null) {
        this.write(textResponse(500, "internal error\n", true));
        this.shutdown();
        return false;
      }
      this.write(out);
      if (close) {
        this.shutdown();
        return false;
      }
      this.phase = P_IDLE;
      this.since = Date.now();
      return true;
    }
    const t = d.target;
    let reason = "";
    if (wireProtocol(t.backend, d.route.kind === "GRPCRoute") !== "http") reason = "backend protocol";
    else if (d.mirrors.length > 0) reason = "mirrors";
    else if (h.contentLength > 0 && d.retry !== undefined && typeof d.retry.attempts === "number" && d.retry.attempts > 0) reason = "body with retries";
    // What the router put in (modifier values, rewritten path or host) must be writable as is.
    if (reason === "" && ((t.headers !== h.headers && !safeFields(t.headers)) || (t.path !== view.url && !safePath(t.path)) || (t.authority !== h.host && !safeValue(t.authority)))) {
      reason = "unwritable upstream request";
    }
    if (reason !== "") {
      this.delegate(buf, { state, decision: d }, reason);
      return false;
    }
    const length = h.contentLength > 0 ? h.contentLength : 0;
    const fwd: ForwardedInfo = { clientIp: this.clientIp(), scheme: "http", host: h.host, listenerPort: state.listenerPort };
    const tel = state.tel;
    let trace: TraceContext | null = null;
    if (tel.tracing) trace = startTrace(t.headers, tel.traceRatio);
    const head = this.tails.head(h.method, t.path, trace === null ? upstreamHeaders(t.headers, fwd, t.authority) : upstreamHeaders(t.headers, fwd, t.authority, undefined, trace.traceparent));
    const ex = new FastExchange(this, state, d, h.method, length, head);
    if (stats.enabled || tel.active) ex.observe(h.target, trace, tel.sampleLog());
    this.ex = ex;
    this.bodyLeft = length;
    this.closeRequested = h.close;
    this.phase = length > 0 ? P_BODY : P_WAIT;
    this.active = true;
    fastStats.requests++;
    ex.start();
    if (this.phase === P_BODY && this.pending !== null) {
      const p = this.pending;
      this.pending = null;
      this.bodyData(p);
    }
    return this.phase === P_IDLE;
  }

  clientIp(): string {
    return this.ip ??= clientIp(this.socket.remoteAddress);
  }

  // --- answering (called by the exchange) ---

  /** Must the connection end after the current response? */
  closeWanted(): boolean {
    return this.closeRequested || this.bodyLeft > 0 || this.clientEnded || this.front.host.draining;
  }

  /** Text of the proxy's own (one-byte strings), written at the end of this round of events. */
  write(data: string): void {
    writeLater(this.socket, Buffer.from(data, "latin1"), this);
  }

  /** Bytes the connection may keep (never a view of a reused read buffer), written at the end of this round. */
  writeOwned(data: Buffer): void {
    this.active = true;
    writeLater(this.socket, data, this);
  }

  /** A held write found the socket full: stop feeding it until 'drain'. */
  writeBlocked(): void {
    fastStats.writesBlocked++;
    const ex = this.ex;
    if (ex !== null) {
      ex.clientBlocked();
      return;
    }
    // A client that pipelines without reading: no more answers until it reads.
    this.answersBlocked = true;
    this.pauseReading();
  }

  /** The exchange is over (its response written, or failed with the proxy's answer). */
  requestDone(close: boolean, now: number): void {
    this.ex = null;
    if (close || this.phase === P_BODY || this.phase === P_CLOSED) {
      this.shutdown();
      return;
    }
    this.phase = P_IDLE;
    this.since = now;
    if (!this.answersBlocked) this.resumeReading();
    if (this.pending !== null || this.clientEnded) this.advance();
  }

  drained(): void {
    this.ex?.clientDrained();
    if (this.answersBlocked) {
      this.answersBlocked = false;
      this.resumeReading();
      this.advance();
    }
  }

  pauseReading(): void {
    if (!this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  resumeReading(): void {
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  // --- ends ---

  ended(): void {
    this.clientEnded = true;
    switch (this.phase) {
      case P_IDLE:
      case P_HEAD:
        if (!this.looping) this.shutdown();
        return;
      case P_BODY:
        // The body will never be complete.
        this.destroy();
        return;
    }
    // P_WAIT: the answer still goes out, then the connection ends.
  }

  closed(): void {
    this.phase = P_CLOSED;
    this.pending = null;
    this.front.remove(this);
    (this.socket as ConnSocket)[kConn] = undefined;
    const ex = this.ex;
    this.ex = null;
    ex?.clientClosed();
  }

  /** Ends the connection once what was written is flushed. */
  shutdown(): void {
    this.phase = P_CLOSED;
    this.pending = null;
    const s = this.socket;
    if (s.destroyed) return;
    flushWrites();
    s.destroySoon();
  }

  destroy(): void {
    this.phase = P_CLOSED;
    this.pending = null;
    this.socket.destroy();
  }

  /** Metrics and access log of an answer the proxy gave before routing (400, 408, 431). */
  private unrouted(status: number, bytesOut: number): void {
    const tel = this.front.host.state.tel;
    if (!stats.enabled && !tel.active) return;
    const now = performance.now();
    // Nothing of the head is trusted (it may be the previous request's, or malformed): no method or path.
    tel.httpDone(undefined, -1, null, "", "", status, now, now, -1, 0, bytesOut, this.clientIp(), "", "HTTP/1.1", null, tel.sampleLog());
  }

  private reject(status: number, text: string): void {
    fastStats.rejected++;
    this.unrouted(status, text.length);
    this.write(textResponse(status, text, true));
    this.shutdown();
  }

  /** Hands the connection to Node's server: `buf` (the current head and all after it) is read again there. */
  private delegate(buf: Buffer, decided: Decided | null, reason: string): void {
    countDelegation(reason);
    const s = this.socket as ConnSocket;
    this.phase = P_CLOSED;
    this.pending = null;
    this.front.remove(this);
    if (s.destroyed || s.readableEnded) {
      s.destroy();
      return;
    }
    // Answers already given go out before Node's.
    flushWrites();
    s.pause();
    s.off("data", onConnData);
    s.off("end", onConnEnd);
    s.off("error", onConnError);
    s.off("close", onConnClose);
    s.off("drain", onConnDrain);
    s[kConn] = undefined;
    s.allowHalfOpen = false;
    if (decided !== null) markDecided(s, decided);
    s.unshift(buf);
    this.front.handToNode(s);
    s.resume();
  }

  // --- timeouts (the front's sweep) ---

  sweep(now: number, headersMs: number, idleMs: number, streamIdleMs: number): void {
    switch (this.phase) {
      case P_IDLE:
        if (now - this.since > idleMs) this.destroy();
        return;
      case P_HEAD:
        if (now - this.since > headersMs) {
          this.unrouted(408, 16);
          this.write(textResponse(408, "request timeout\n", true));
          this.shutdown();
        }
        return;
      case P_BODY:
      case P_WAIT:
        if (this.active) {
          this.active = false;
          this.since = now;
        } else if (now - this.since > streamIdleMs) {
          this.destroy();
        }
        return;
    }
  }

  /** Drain: an idle connection closes now; a busy one after its response (Connection: close). */
  closeIfIdle(): void {
    if (this.phase === P_IDLE && this.pending === null) this.shutdown();
  }
}
