// What the exchange (../exchange.ts) asks of an upstream transport, whatever the protocol
// (HTTP/1.1 through undici, HTTP/2 through node:http2).
import type { Readable } from "node:stream";

/** Response headers or trailers: lowercased name → value (several values as an array). */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

export interface UpstreamRequest {
  method: string;
  /** Origin-form path plus query. */
  path: string;
  /** Host header / :authority. */
  authority: string;
  /**
   * Flat `[name, value, ...]` list, lowercased names, hop-by-hop headers removed; its last
   * pair is `host`, authority (HTTP/2 transports turn it into :authority).
   */
  headers: string[];
  body: Buffer | Readable | null;
}

/**
 * Receives one upstream exchange. Exactly one terminal callback is made (onUnsent, onEnd or
 * onFailed), none after the call was aborted.
 */
export interface UpstreamSink {
  /**
   * Nothing reached the endpoint (connect/TLS failure, refused stream, closed pool): the
   * request may go to another endpoint. `connectFailure`: the endpoint itself failed (eject it).
   */
  onUnsent(err: Error, connectFailure: boolean): void;
  /** `endStream`: no body follows (an HTTP/2 HEADERS frame with END_STREAM). */
  onResponse(status: number, headers: ResponseHeaders, endStream: boolean): void;
  /** Returns false to pause the upstream until UpstreamCall.resume(). */
  onData(chunk: Buffer): boolean;
  onEnd(trailers: ResponseHeaders | null): void;
  /** Failed after the request (maybe) reached the endpoint: reset, bad response. */
  onFailed(err: Error): void;
}

export interface UpstreamCall {
  resume(): void;
  abort(): void;
}

export interface Transport {
  request(req: UpstreamRequest, sink: UpstreamSink): UpstreamCall;
  /** Lets in-flight requests finish, then closes every connection. */
  close(): void;
}

/** Codes of errors that mean the endpoint could not be reached at all. */
const CONNECT_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL", "ENOTFOUND", "EAI_AGAIN",
  "ETIMEDOUT", "EPIPE", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_SOCKET", "ERR_SOCKET_CONNECTION_TIMEOUT",
  "ERR_HTTP2_ERROR", "ERR_HTTP2_SESSION_ERROR", "ERR_HTTP2_GOAWAY_SESSION",
]);

/** An error raised before anything was sent: was it the endpoint (eject) or something else (a closed pool, a bad argument)? */
export function isConnectFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return false;
  // Certificate verification and handshake failures: the endpoint is unusable for this backend.
  return CONNECT_CODES.has(code) || code.startsWith("ERR_TLS_") || code.startsWith("ERR_SSL_") || code.includes("CERT");
}
