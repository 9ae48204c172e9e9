// HTTP/2 with prior knowledge (appProtocol h2c, gRPC) to one endpoint: one multiplexed
// session, reopened when it closes or receives GOAWAY. Streams carry bodies both ways and
// trailers back (grpc-status).
import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http2";
import type { Readable } from "node:stream";
import type { ConnectionOptions } from "node:tls";
import { type ResponseHeaders, type Transport, type UpstreamCall, type UpstreamRequest, type UpstreamSink } from "./types.js";

export interface H2Options {
  /** `http://127.0.0.1:50051` (h2c) or `https://...` (TLS, ALPN h2). */
  origin: string;
  tls?: ConnectionOptions;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
}

const kCall = Symbol("h2call");
type CallStream = ClientHttp2Stream & { [kCall]: H2Call };

function stripPseudo(h: IncomingHttpHeaders): ResponseHeaders {
  const out: ResponseHeaders = {};
  for (const k in h) if (k.charCodeAt(0) !== 58 /* : */) out[k] = h[k];
  return out;
}

// Shared listeners (no closures per stream): each finds its call through the stream. A
// throwing sink must not become an uncaught exception in an event listener.
function onStreamResponse(this: CallStream, headers: IncomingHttpHeaders, flags: number): void {
  try { this[kCall].response(headers, (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0); } catch (e) { this[kCall].crashed(e); }
}
function onStreamData(this: CallStream, chunk: Buffer): void {
  try { this[kCall].data(chunk); } catch (e) { this[kCall].crashed(e); }
}
function onStreamTrailers(this: CallStream, trailers: IncomingHttpHeaders): void { this[kCall].trailers = stripPseudo(trailers); }
function onStreamEnd(this: CallStream): void {
  try { this[kCall].end(); } catch (e) { this[kCall].crashed(e); }
}
function onStreamError(this: CallStream, err: Error): void { this[kCall].error ??= err; }
function onStreamClose(this: CallStream): void { this[kCall].closed(this.rstCode); }

class H2Call implements UpstreamCall {
  stream: CallStream | null = null;
  responded = false;
  aborted = false;
  done = false;
  trailers: ResponseHeaders | null = null;
  error: Error | undefined;
  constructor(readonly transport: H2Transport, readonly req: UpstreamRequest, readonly sink: UpstreamSink) {}

  start(session: ClientHttp2Session): void {
    const r = this.req;
    const headers: OutgoingHttpHeaders = { ":method": r.method, ":path": r.path, ":scheme": this.transport.scheme, ":authority": r.authority };
    const h = r.headers;
    for (let i = 0; i < h.length; i += 2) {
      const name = h[i]!;
      if (name === "host") continue;
      const v = h[i + 1]!;
      const prev = headers[name];
      if (prev === undefined) headers[name] = v;
      else if (Array.isArray(prev)) prev.push(v);
      else headers[name] = [String(prev), v];
    }
    let stream: CallStream;
    try {
      stream = session.request(headers, { endStream: r.body === null }) as CallStream;
    } catch (err) {
      this.done = true;
      this.sink.onFailed(err as Error);
      return;
    }
    stream[kCall] = this;
    this.stream = stream;
    stream.on("response", onStreamResponse);
    stream.on("data", onStreamData);
    stream.on("trailers", onStreamTrailers);
    stream.on("end", onStreamEnd);
    stream.on("error", onStreamError);
    stream.on("close", onStreamClose);
    const body = r.body;
    if (body === null) return;
    if (Buffer.isBuffer(body)) stream.end(body);
    else (body as Readable).pipe(stream);
  }

  response(headers: IncomingHttpHeaders, endStream: boolean): void {
    if (this.aborted || this.done) return;
    this.responded = true;
    const status = Number(headers[":status"]);
    this.sink.onResponse(status, stripPseudo(headers), endStream);
  }
  data(chunk: Buffer): void {
    if (this.aborted || this.done) return;
    if (!this.sink.onData(chunk)) this.stream?.pause();
  }
  end(): void {
    if (this.aborted || this.done || !this.responded) return;
    this.done = true;
    this.sink.onEnd(this.trailers);
  }
  closed(rstCode: number | undefined): void {
    if (this.aborted || this.done) return;
    this.done = true;
    const err = this.error ?? new Error(`upstream stream closed (code ${rstCode ?? 0})`);
    // REFUSED_STREAM: the server did not process it (RFC 9113 §8.7), safe to send elsewhere.
    if (!this.responded && rstCode === constants.NGHTTP2_REFUSED_STREAM) this.sink.onUnsent(err, false);
    else this.sink.onFailed(err);
  }
  crashed(e: unknown): void {
    if (this.done) return;
    this.done = true;
    this.stream?.close(constants.NGHTTP2_CANCEL);
    this.sink.onFailed(e instanceof Error ? e : new Error(String(e)));
  }

  /** The session failed before this call got a stream. */
  unsent(err: Error, connectFailure: boolean): void {
    if (this.aborted || this.done) return;
    this.done = true;
    this.sink.onUnsent(err, connectFailure);
  }

  resume(): void { this.stream?.resume(); }
  abort(): void {
    if (this.aborted || this.done) return;
    this.aborted = true;
    if (this.stream) this.stream.close(constants.NGHTTP2_CANCEL);
    else this.transport.forget(this);
  }
}

export class H2Transport implements Transport {
  private session: ClientHttp2Session | null = null;
  private connected = false;
  private waiting: H2Call[] = [];
  private closing = false;

  readonly scheme: "http" | "https";

  constructor(readonly options: H2Options) {
    this.scheme = options.tls ? "https" : "http";
  }

  request(req: UpstreamRequest, sink: UpstreamSink): UpstreamCall {
    const call = new H2Call(this, req, sink);
    const s = this.session;
    if (s !== null && this.connected && !s.closed && !s.destroyed) {
      call.start(s);
      return call;
    }
    this.waiting.push(call);
    if (s === null || s.closed || s.destroyed) this.open();
    return call;
  }

  forget(call: H2Call): void {
    const i = this.waiting.indexOf(call);
    if (i >= 0) this.waiting.splice(i, 1);
  }

  private open(): void {
    const session = connect(this.options.origin, { settings: { enablePush: false }, ...(this.options.tls ?? {}) });
    this.session = session;
    this.connected = false;
    const timer = setTimeout(() => {
      const err = new Error(`connect to ${this.options.origin} timed out`);
      (err as Error & { code: string }).code = "UND_ERR_CONNECT_TIMEOUT";
      session.destroy(err);
    }, this.options.connectTimeoutMs);
    session.once("connect", () => {
      clearTimeout(timer);
      if (this.session !== session) return;
      this.connected = true;
      session.setTimeout(this.options.idleTimeoutMs, () => session.close());
      const calls = this.waiting;
      this.waiting = [];
      for (const c of calls) c.start(session);
    });
    session.on("error", (err: Error) => {
      if (this.session === session && !this.connected) this.failWaiting(err, true);
    });
    session.on("goaway", () => {
      if (this.session === session) { this.session = null; this.connected = false; }
    });
    session.once("close", () => {
      clearTimeout(timer);
      if (this.session !== session) return;
      const wasConnected = this.connected;
      this.session = null;
      this.connected = false;
      if (this.waiting.length > 0) {
        if (wasConnected || this.closing) this.failWaiting(new Error("upstream session closed"), false);
        else this.failWaiting(new Error(`connect to ${this.options.origin} failed`), true);
      }
    });
  }

  private failWaiting(err: Error, connectFailure: boolean): void {
    const calls = this.waiting;
    this.waiting = [];
    for (const c of calls) c.unsent(err, connectFailure);
  }

  close(): void {
    this.closing = true;
    const s = this.session;
    this.session = null;
    if (s && !s.closed) s.close();
    this.failWaiting(new Error("upstream pool closed"), false);
  }
}
