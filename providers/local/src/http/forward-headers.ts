// Request headers sent upstream and response headers sent back: hop-by-hop headers removed
// (RFC 9110 §7.6.1, as Envoy does), X-Forwarded-* added as an edge proxy does.
import type { HeaderMap } from "./router/index.js";
import type { ResponseHeaders } from "./upstream/types.js";

/** Never forwarded in either direction (or replaced by the proxy). */
const REQUEST_DROP = new Set([
  "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "http2-settings", "host",
  // Node already answered `100-continue`; the upstream gets the body straight away.
  "expect",
  // Set by the proxy (an edge proxy does not trust the client's).
  "x-forwarded-proto", "x-forwarded-port",
]);

const NONE: string[] = [];

/** Names listed in Connection (other than the standard tokens), lowercased. */
function nominated(values: readonly string[] | string): string[] {
  if (typeof values === "string") {
    // The usual values, without splitting.
    const l = values.length === 10 || values.length === 5 ? values.toLowerCase() : "";
    if (l === "keep-alive" || l === "close") return NONE;
    values = [values];
  }
  const out: string[] = [];
  for (const v of values) {
    for (const t of v.split(",")) {
      const n = t.trim().toLowerCase();
      if (n !== "" && n !== "close" && n !== "keep-alive" && n !== "upgrade") out.push(n);
    }
  }
  return out;
}

function hasToken(values: readonly string[], token: string): boolean {
  for (const v of values) {
    for (const t of v.split(",")) if (t.trim().toLowerCase() === token) return true;
  }
  return false;
}

export interface ForwardedInfo {
  clientIp: string;
  scheme: "http" | "https";
  /** Host as the client sent it (port included). */
  host: string;
  /** The Gateway listener port. */
  listenerPort: string;
}

/**
 * The header list for the upstream request: `[name, value, ...]`, ending with `host`,
 * authority. `upgrade` keeps Connection/Upgrade (a WebSocket handshake). `traceparent`
 * (tracing on) replaces the client's.
 */
export function upstreamHeaders(src: HeaderMap, fwd: ForwardedInfo, authority: string, upgrade?: string, traceparent?: string): string[] {
  const out: string[] = [];
  let drop: string[] | undefined;
  const conn = src.connection;
  if (conn !== undefined) drop = nominated(conn);
  let xff: string | undefined;
  let xfh: string | undefined;
  for (const name in src) {
    const values = src[name];
    if (values === undefined || REQUEST_DROP.has(name) || name.charCodeAt(0) === 58 /* : */) continue;
    if (drop !== undefined && drop.length > 0 && drop.includes(name)) continue;
    switch (name) {
      case "te":
        // Only `trailers` may cross (gRPC needs it).
        if (hasToken(values, "trailers")) out.push("te", "trailers");
        continue;
      case "x-forwarded-for":
        xff = values.join(", ");
        continue;
      case "x-forwarded-host":
        xfh = values.join(", ");
        continue;
      case "cookie":
        // HTTP/2 clients split cookies into crumbs; HTTP/1.1 needs them on one line (RFC 9113 §8.2.3).
        out.push("cookie", values.length === 1 ? values[0]! : values.join("; "));
        continue;
      case "traceparent":
        if (traceparent !== undefined) continue;
        break;
    }
    for (let i = 0; i < values.length; i++) out.push(name, values[i]!);
  }
  if (traceparent !== undefined) out.push("traceparent", traceparent);
  out.push(
    "x-forwarded-for", xff === undefined ? fwd.clientIp : `${xff}, ${fwd.clientIp}`,
    "x-forwarded-proto", fwd.scheme,
    "x-forwarded-host", xfh === undefined ? fwd.host : `${xfh}, ${fwd.host}`,
    "x-forwarded-port", fwd.listenerPort,
  );
  if (upgrade !== undefined) out.push("connection", "upgrade", "upgrade", upgrade);
  out.push("host", authority);
  return out;
}

const RESPONSE_DROP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "http2-settings"]);

/**
 * An upstream response's headers without the hop-by-hop ones: a copy (deleting from the
 * parsed object would turn it into a slow dictionary just before it is serialized).
 */
export function forwardableResponseHeaders(h: ResponseHeaders): ResponseHeaders {
  const conn = h.connection;
  const drop = conn === undefined ? NONE : nominated(conn);
  const out: ResponseHeaders = {};
  for (const k in h) {
    if (RESPONSE_DROP.has(k) || (drop.length > 0 && drop.includes(k))) continue;
    out[k] = h[k];
  }
  return out;
}

/** The client address for X-Forwarded-For (IPv4-mapped IPv6 shown as IPv4). */
export function clientIp(remote: string | undefined): string {
  if (remote === undefined) return "unknown";
  return remote.startsWith("::ffff:") && remote.includes(".") ? remote.slice(7) : remote;
}
