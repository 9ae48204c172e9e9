// Common header names as shared lowercase strings: a request's usual headers are named
// without allocating (the bytes are compared in place, case-insensitively).
import { equalsLower, latin1 } from "./bytes.js";

const COMMON = [
  "host", "user-agent", "accept", "accept-encoding", "accept-language", "connection", "content-length",
  "content-type", "cookie", "cache-control", "referer", "origin", "authorization", "upgrade", "expect",
  "transfer-encoding", "te", "keep-alive", "proxy-connection", "x-forwarded-for", "x-forwarded-proto",
  "x-forwarded-host", "x-forwarded-port", "x-request-id", "x-real-ip", "if-none-match", "if-modified-since",
  "pragma", "range", "priority", "sec-fetch-mode", "sec-fetch-site", "sec-fetch-dest", "upgrade-insecure-requests",
  "http2-settings", "traceparent", "tracestate",
  // response side
  "server", "date", "set-cookie", "etag", "last-modified", "location", "vary", "content-encoding", "expires",
  "access-control-allow-origin", "trailer", "x-content-type-options",
];

interface Known { bytes: Uint8Array; name: string }

const byLength: (Known[] | undefined)[] = [];
for (const name of COMMON) {
  const list = byLength[name.length] ??= [];
  list.push({ bytes: Uint8Array.from(name, (c) => c.charCodeAt(0)), name });
}

/**
 * The lowercase name of the (validated token) bytes buf[start..end). `upper`: the bytes hold
 * an uppercase letter (the caller's scan noticed).
 */
export function headerName(buf: Buffer, start: number, end: number, upper: boolean): string {
  const list = byLength[end - start];
  if (list !== undefined) {
    const first = buf[start]! | 0x20;
    for (let i = 0; i < list.length; i++) {
      const k = list[i]!;
      if (k.bytes[0] === first && equalsLower(buf, start, end, k.bytes)) return k.name;
    }
  }
  const s = latin1(buf, start, end);
  return upper ? s.toLowerCase() : s;
}
