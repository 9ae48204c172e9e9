// The two protocol servers behind a port's listening socket. Neither listens itself: the
// front (cleartext sniffer or TLS) hands each accepted connection to one of them.
import { createServer as createHttp1Server, type IncomingMessage, type Server as Http1Server } from "node:http";
import { createServer as createHttp2Server, type Http2Server } from "node:http2";
import type { ProxySettings } from "../runtime/types.js";

/** Only WebSocket handshakes become upgrades; other Upgrade offers (h2c) are plain requests. */
export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  const u = req.headers.upgrade;
  return typeof u === "string" && u.toLowerCase() === "websocket" && req.method === "GET";
}

const STREAM_IDLE_MS = 300_000;

/** How often Node checks header timeouts: often enough for small test timeouts, cheap otherwise. */
function checkingInterval(s: ProxySettings): number {
  return Math.max(50, Math.min(1000, Math.floor(s.requestHeadersTimeoutMs / 4)));
}

export function createHttp1(s: ProxySettings): Http1Server {
  const server = createHttp1Server({
    maxHeaderSize: s.maxRequestHeaderBytes,
    headersTimeout: s.requestHeadersTimeoutMs,
    // Bodies may take long (uploads); the client's silence is bounded by the idle timeout below.
    requestTimeout: 0,
    keepAliveTimeout: s.idleTimeoutMs,
    connectionsCheckingInterval: checkingInterval(s),
    // Requests without Content-Length/Transfer-Encoding skip the body stream machinery.
    optimizeEmptyRequests: true,
    shouldUpgradeCallback: isWebSocketUpgrade,
    noDelay: true,
    // Strict parsing (the default): CL+TE and conflicting Content-Length are errors (400, closed).
    insecureHTTPParser: false,
  });
  applyHttp1Settings(server, s);
  // Node starts its connection tracking (header/request timeouts, closeIdleConnections) on
  // 'listening'; this server never listens itself (the front hands it connections).
  server.emit("listening");
  return server;
}

export function applyHttp1Settings(server: Http1Server, s: ProxySettings): void {
  // Read for each new connection (not in the typings).
  (server as Http1Server & { maxHeaderSize: number }).maxHeaderSize = s.maxRequestHeaderBytes;
  server.headersTimeout = s.requestHeadersTimeoutMs;
  server.keepAliveTimeout = s.idleTimeoutMs;
  // A connection silent this long mid-exchange (stalled upload or download) is closed, as
  // Envoy's 5 minute stream idle timeout does.
  server.timeout = Math.max(s.idleTimeoutMs, STREAM_IDLE_MS);
}

function http2Settings(s: ProxySettings): { enablePush: boolean; maxConcurrentStreams: number; maxHeaderListSize: number } {
  // HPACK counts 32 bytes per field on top of name and value.
  return { enablePush: false, maxConcurrentStreams: 250, maxHeaderListSize: s.maxRequestHeaderBytes + 64 * 32 };
}

export function createHttp2(s: ProxySettings): Http2Server {
  return createHttp2Server({ settings: http2Settings(s), maxHeaderListPairs: 256 });
}

/** New sessions advertise the new limits (open sessions keep theirs). */
export function applyHttp2Settings(server: Http2Server, s: ProxySettings): void {
  server.updateSettings(http2Settings(s));
}
