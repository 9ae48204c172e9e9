// One forwarded request: endpoint choice with passive ejection and failover, retries on
// the route's status codes, request and per-try timeouts, and the upstream response
// streamed back with backpressure. Every callback is a method (the exchange is the
// upstream sink); listeners on the response are shared functions, not closures.
import type { IncomingMessage } from "node:http";
import type { Http2ServerRequest } from "node:http2";
import { applyResponseEdits, type Decision } from "./router/index.js";
import { clientIp, forwardableResponseHeaders, upstreamHeaders, type ForwardedInfo } from "./forward-headers.js";
import { startMirrors } from "./mirror.js";
import type { PortContext, PortState } from "./port-state.js";
import { RequestBody, type BodyOwner, type MirrorBody } from "./request-body.js";
import { isHttp2, sendText, type AnyResponse } from "./respond.js";
import type { BackendState } from "./upstream/backend-set.js";
import { nextEndpoint, resetCursor, type Cursor } from "./upstream/cursor.js";
import type { Endpoint } from "./upstream/endpoints.js";
import type { ResponseHeaders, UpstreamCall, UpstreamRequest, UpstreamSink } from "./upstream/types.js";
import { CLIENT_CLOSED } from "../telemetry/labels.js";
import { stats, U_CONNECT_ERRORS, U_RETRIES, U_TIMEOUTS } from "../telemetry/stats.js";
import { startTrace, type TraceContext } from "../telemetry/trace.js";

export type AnyRequest = IncomingMessage | Http2ServerRequest;
export type ForwardDecision = Extract<Decision, { type: "forward" }>;

/** Bodies up to this size are held so a retry can resend them. */
export const RETRY_BUFFER_BYTES = 64 * 1024;
/** Gateway API leaves the default backoff to the implementation; Envoy's base interval. */
const DEFAULT_BACKOFF_MS = 25;

const kExchange = Symbol("exchange");
type Res = AnyResponse & { [kExchange]?: Exchange };

function onResClose(this: Res): void { this[kExchange]?.clientClosed(); }
function onResDrain(this: Res): void { this[kExchange]?.call?.resume(); }
function onRequestTimer(ex: Exchange): void { ex.timedOut(true); }
function onTryTimer(ex: Exchange): void { ex.timedOut(false); }
function onRetryTimer(ex: Exchange): void { ex.retryNow(); }

/** Does the request carry a body? (HTTP/1: a length or chunked framing; HTTP/2: no END_STREAM on HEADERS.) */
function hasBody(req: AnyRequest, h2: boolean): boolean {
  if (h2) return !(req as Http2ServerRequest).stream.endAfterHeaders;
  const h = (req as IncomingMessage).headers;
  const cl = h["content-length"];
  return h["transfer-encoding"] !== undefined || (cl !== undefined && cl !== "0");
}

export function forwardedInfo(ctx: PortContext, state: PortState, req: AnyRequest, h2: boolean): ForwardedInfo {
  const host = h2 ? ((req as Http2ServerRequest).authority || req.headers.host || "") : (req.headers.host ?? "");
  return { clientIp: clientIp(req.socket?.remoteAddress), scheme: ctx.scheme, host, listenerPort: state.listenerPort };
}

export class Exchange implements UpstreamSink, BodyOwner, Cursor {
  ringStart = 0;
  ringPos = 0;
  panic = false;
  tried = 0;

  call: UpstreamCall | null = null;
  private readonly backend: BackendState;
  private upReq: UpstreamRequest | null = null;
  private body: RequestBody | null = null;
  private endpoint: Endpoint | null = null;
  private seq = 0;
  private retriesLeft: number;
  private responseStarted = false;
  private finished = false;
  private discarding = false;
  private drainHooked = false;
  private pendingStatus = 0;
  private pendingHeaders: ResponseHeaders | null = null;
  private requestTimer: NodeJS.Timeout | null = null;
  private tryTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  // Telemetry: set in start() when anything observes requests.
  private observed = false;
  private logged = false;
  private t0 = 0;
  private upAt = 0;
  private upMs = -1;
  private bytesIn = 0;
  private bytesOut = 0;
  private trace: TraceContext | null = null;

  constructor(
    private readonly ctx: PortContext,
    private readonly state: PortState,
    private readonly req: AnyRequest,
    private readonly res: AnyResponse,
    private readonly h2: boolean,
    private readonly d: ForwardDecision,
  ) {
    this.backend = state.backends.get(d.target.backend, d.route.kind === "GRPCRoute");
    const retry = d.retry;
    this.retriesLeft = retry && typeof retry.attempts === "number" && retry.attempts > 0 ? retry.attempts : 0;
  }

  start(): void {
    const { state, d, req, res } = this;
    if (stats.enabled || state.tel.active) {
      this.observed = true;
      this.t0 = performance.now();
      this.logged = state.tel.sampleLog();
    }
    state.backends.enter();
    (res as Res)[kExchange] = this;
    res.on("close", onResClose);
    const settings = state.settings;
    const withBody = hasBody(req, this.h2);
    let contentLength = -1;
    if (withBody && !this.h2) {
      const cl = (req as IncomingMessage).headers["content-length"];
      if (cl !== undefined) contentLength = Number(cl);
    }
    if (withBody && settings.maxRequestBodyBytes > 0 && contentLength > settings.maxRequestBodyBytes) {
      this.fail(413, "request body too large\n", true);
      return;
    }
    if (this.backend.endpoints.length === 0) {
      this.fail(503, "no healthy upstream\n", false);
      return;
    }
    const target = d.target;
    const fwd = forwardedInfo(this.ctx, state, req, this.h2);
    const tel = state.tel;
    if (tel.tracing) this.trace = startTrace(target.headers, tel.traceRatio);
    const headers = this.trace === null ? upstreamHeaders(target.headers, fwd, target.authority) : upstreamHeaders(target.headers, fwd, target.authority, undefined, this.trace.traceparent);
    this.upReq = { method: req.method ?? "GET", path: target.path, authority: target.authority, headers, body: null };
    const requestMs = d.timeouts?.requestMs;
    if (typeof requestMs === "number" && requestMs > 0) this.requestTimer = setTimeout(onRequestTimer, requestMs, this);

    let taps: MirrorBody[] | null = null;
    if (d.mirrors.length > 0) {
      taps = startMirrors(this.ctx, state, d, this.upReq.method, fwd, headers, withBody);
    }
    if (!withBody) {
      this.attempt();
      return;
    }
    const bufferCap = this.retriesLeft > 0 && contentLength <= RETRY_BUFFER_BYTES ? RETRY_BUFFER_BYTES : 0;
    const body = new RequestBody(req, settings.maxRequestBodyBytes, this, bufferCap);
    if (taps !== null && taps.length > 0) body.taps = taps;
    this.body = body;
    if (bufferCap === 0) {
      this.upReq.body = body;
      this.attempt();
    }
  }

  // --- body (BodyOwner) ---

  bodyBuffered(buf: Buffer): void {
    this.bytesIn = buf.length;
    if (this.finished || this.upReq === null) return;
    this.body = null;
    this.upReq.body = buf.length > 0 ? buf : null;
    this.attempt();
  }

  bodyStreaming(): void {
    if (this.finished || this.upReq === null) return;
    this.retriesLeft = 0;
    this.upReq.body = this.body;
    this.attempt();
  }

  bodyTooLarge(): void {
    this.fail(413, "request body too large\n", true);
  }

  // --- attempts ---

  private replayable(): boolean {
    const b = this.upReq?.body ?? null;
    return b === null || Buffer.isBuffer(b);
  }

  private attempt(): void {
    if (this.finished || this.upReq === null) return;
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
    if (this.logged) this.upAt = performance.now();
    const seq = ++this.seq;
    const call = ep.transport.request(this.upReq, this);
    // A synchronous failure may already have started the next attempt.
    if (seq === this.seq) this.call = call;
  }

  retryNow(): void {
    this.retryTimer = null;
    this.attempt();
  }

  private scheduleRetry(): void {
    if (this.observed) this.state.tel.upstream(this.d.site, this.d.pick ?? 0, this.d.target.backend, U_RETRIES);
    this.retriesLeft--;
    this.call = null;
    resetCursor(this);
    const backoff = this.d.retry?.backoffMs;
    this.retryTimer = setTimeout(onRetryTimer, typeof backoff === "number" && backoff >= 0 ? backoff : DEFAULT_BACKOFF_MS, this);
  }

  private clearTry(): void {
    if (this.tryTimer !== null) { clearTimeout(this.tryTimer); this.tryTimer = null; }
    this.call = null;
  }

  // --- upstream (UpstreamSink) ---

  onUnsent(err: Error, connectFailure: boolean): void {
    this.clearTry();
    const ep = this.endpoint;
    if (connectFailure && ep !== null) {
      if (this.observed) this.state.tel.upstream(this.d.site, this.d.pick ?? 0, this.d.target.backend, U_CONNECT_ERRORS);
      const now = Date.now();
      if (ep.ejectedUntil <= now) {
        this.ctx.log("warn", "upstream endpoint ejected", { endpoint: ep.label, error: err.message, forMs: this.state.settings.ejectionMs });
      }
      ep.ejectedUntil = now + this.state.settings.ejectionMs;
    }
    if (this.finished) return;
    // Nothing was sent: the same body (untouched stream or buffer) can go to the next endpoint.
    this.attempt();
  }

  onResponse(status: number, upstream: ResponseHeaders, endStream: boolean): void {
    if (this.finished) return;
    const retry = this.d.retry;
    if (this.retriesLeft > 0 && retry !== undefined && Array.isArray(retry.codes) && retry.codes.includes(status) && this.replayable()) {
      this.discarding = true;
      return;
    }
    this.responseStarted = true;
    const headers = forwardableResponseHeaders(upstream);
    const edits = this.d.response;
    if (edits.set.length > 0 || edits.add.length > 0 || edits.remove.length > 0) applyResponseEdits(headers, edits);
    if (this.ctx.draining && !this.h2) headers.connection = "close";
    if (endStream) {
      this.pendingStatus = status;
      this.pendingHeaders = headers;
      return;
    }
    try {
      (this.res as import("node:http").ServerResponse).writeHead(status, headers as import("node:http").OutgoingHttpHeaders);
    } catch (e) {
      this.ctx.log("debug", "invalid upstream response head", { error: (e as Error).message });
      this.call?.abort();
      this.responseStarted = false;
      this.fail(502, "invalid upstream response\n", false);
    }
  }

  onData(chunk: Buffer): boolean {
    if (this.discarding || this.finished) return true;
    this.bytesOut += chunk.length;
    const ok = (this.res as import("node:http").ServerResponse).write(chunk);
    if (!ok && !this.drainHooked) {
      this.drainHooked = true;
      this.res.on("drain", onResDrain);
    }
    return ok;
  }

  onEnd(trailers: ResponseHeaders | null): void {
    this.clearTry();
    if (this.finished) return;
    if (this.logged && !this.discarding) this.upMs = performance.now() - this.upAt;
    if (this.discarding) {
      this.discarding = false;
      this.scheduleRetry();
      return;
    }
    const res = this.res;
    try {
      const pending = this.pendingHeaders;
      if (pending !== null) {
        // No body: one HEADERS frame with END_STREAM (a gRPC trailers-only answer stays one).
        res.statusCode = this.pendingStatus;
        for (const k in pending) {
          const v = pending[k];
          if (v !== undefined) res.setHeader(k, v);
        }
      } else if (trailers !== null) {
        res.addTrailers(forwardableResponseHeaders(trailers) as Record<string, string>);
      }
      res.end();
    } catch (e) {
      this.ctx.log("debug", "could not finish the response", { error: (e as Error).message });
      res.destroy();
    }
    this.done();
  }

  onFailed(err: Error): void {
    this.clearTry();
    if (this.finished) return;
    if (this.discarding) {
      this.discarding = false;
      this.scheduleRetry();
      return;
    }
    this.ctx.log("debug", "upstream request failed", { endpoint: this.endpoint?.label, error: err.message });
    if (!this.responseStarted) this.fail(502, "upstream connection reset or bad response\n", false);
    else this.abortClient();
  }

  // --- ends ---

  timedOut(whole: boolean): void {
    if (whole) this.requestTimer = null;
    else this.tryTimer = null;
    if (this.finished) return;
    if (this.observed) this.state.tel.upstream(this.d.site, this.d.pick ?? 0, this.d.target.backend, U_TIMEOUTS);
    const call = this.call;
    this.call = null;
    call?.abort();
    if (this.responseStarted) this.abortClient();
    else this.fail(504, "upstream request timeout\n", false);
  }

  clientClosed(): void {
    if (this.finished) return;
    const call = this.call;
    this.call = null;
    call?.abort();
    this.done();
  }

  /** Ends the exchange with a proxy-written answer (or a reset when the response already started). */
  private fail(status: number, text: string, closeConnection: boolean): void {
    if (this.finished) return;
    const call = this.call;
    this.call = null;
    call?.abort();
    if (!this.res.headersSent) this.bytesOut = text.length;
    sendText(this.res, status, text, closeConnection || this.ctx.draining);
    this.done();
  }

  private abortClient(): void {
    const res = this.res;
    if (isHttp2(res)) res.stream.close(0x2 /* INTERNAL_ERROR */);
    else res.destroy();
    this.done();
  }

  private done(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.requestTimer !== null) { clearTimeout(this.requestTimer); this.requestTimer = null; }
    if (this.tryTimer !== null) { clearTimeout(this.tryTimer); this.tryTimer = null; }
    if (this.retryTimer !== null) { clearTimeout(this.retryTimer); this.retryTimer = null; }
    const body = this.body;
    if (body !== null) this.bytesIn = body.received;
    if (body !== null && !body.readableEnded) body.destroy();
    this.body = null;
    (this.res as Res)[kExchange] = undefined;
    this.state.backends.leave();
    if (this.observed) this.report();
  }

  private report(): void {
    const { d, req, res } = this;
    const status = res.headersSent ? res.statusCode : CLIENT_CLOSED;
    const up = this.upReq?.body;
    if (this.bytesIn === 0 && up instanceof RequestBody) this.bytesIn = up.received;
    this.state.tel.httpDone(d.site, d.pick ?? 0, d.target.backend, req.method ?? "", req.url ?? "", status, this.t0, performance.now(), this.upMs,
      this.bytesIn, this.bytesOut, clientIp(req.socket?.remoteAddress), this.endpoint !== null ? this.endpoint.label : "",
      this.h2 ? "HTTP/2" : req.httpVersionMinor === 0 ? "HTTP/1.0" : "HTTP/1.1", this.trace, this.logged);
  }
}
