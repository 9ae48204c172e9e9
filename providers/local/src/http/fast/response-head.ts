// Strict parser of an upstream response head (RFC 9112 §4, §6): status, framing (chunked,
// Content-Length or close-delimited), persistence, and which fields are hop-by-hop (those
// lines are left out when the head is copied to the client). Field offsets are kept, not
// strings: the usual head is copied to the client as bytes.
import { COLON, CR, HTAB, LF, SP, TCHAR, VCHAR, bytesOf, equalsLower, latin1 } from "./bytes.js";

const NAME_CONNECTION = bytesOf("connection");
const NAME_KEEP_ALIVE = bytesOf("keep-alive");
const NAME_PROXY_CONNECTION = bytesOf("proxy-connection");
const NAME_TRANSFER_ENCODING = bytesOf("transfer-encoding");
const NAME_UPGRADE = bytesOf("upgrade");
const NAME_HTTP2_SETTINGS = bytesOf("http2-settings");
const NAME_CONTENT_LENGTH = bytesOf("content-length");
const VALUE_KEEP_ALIVE = NAME_KEEP_ALIVE;
const VALUE_CLOSE = bytesOf("close");

const HTTP1 = Buffer.from("HTTP/1.", "latin1");

/** Field offsets: 4 numbers per field (name start/end, value start/end). */
export class ResponseHead {
  status = 0;
  /** Not reusable after this response (Connection: close, HTTP/1.0 without keep-alive). */
  close = false;
  chunked = false;
  /** -1: none. */
  contentLength = -1;
  readonly fields: number[] = [];
  count = 0;
  /** Per field: 1 when it must not reach the client (hop-by-hop). */
  readonly drop: number[] = [];
  /** Some field is dropped. */
  hop = false;

  reset(): void {
    this.status = 0;
    this.close = false;
    this.chunked = false;
    this.contentLength = -1;
    this.count = 0;
    this.hop = false;
  }
}

/** Connection tokens other than close/keep-alive/upgrade (fields to drop), lowercased. */
function nominatedNames(value: string, into: string[]): void {
  for (const t of value.split(",")) {
    const n = t.trim().toLowerCase();
    if (n !== "" && n !== "close" && n !== "keep-alive" && n !== "upgrade") into.push(n);
  }
}

/**
 * Parses buf[start..end) (`end` just past CRLF CRLF) into `h`. Returns an error text for a
 * response the proxy must not pass on (the caller answers 502), else null.
 */
export function parseResponseHead(buf: Buffer, start: number, end: number, h: ResponseHead): string | null {
  h.reset();
  let i = start;
  if (end - start < 14) return "not an HTTP/1.x status line";
  for (let k = 0; k < 7; k++) if (buf[i + k] !== HTTP1[k]) return "not an HTTP/1.x status line";
  const minor = buf[i + 7];
  if ((minor !== 0x31 && minor !== 0x30) || buf[i + 8] !== SP) return "unsupported HTTP version";
  const http10 = minor === 0x30;
  const d0 = buf[i + 9]! - 48, d1 = buf[i + 10]! - 48, d2 = buf[i + 11]! - 48;
  if (d0 < 1 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return "invalid status code";
  h.status = d0 * 100 + d1 * 10 + d2;
  i += 12;
  let b = buf[i]!;
  if (b === SP) {
    for (b = buf[++i]!; b !== CR; b = buf[++i]!) if (VCHAR[b] !== 1) return "invalid reason phrase";
  }
  if (b !== CR || buf[i + 1] !== LF) return "invalid status line";
  i += 2;

  const f = h.fields;
  const drop = h.drop;
  let keepAlive = false;
  let lengths = 0;
  let codings = 0;
  let nominated: string[] | null = null;
  for (;;) {
    b = buf[i]!;
    if (b === CR) {
      if (buf[i + 1] === LF && i + 2 === end) break;
      return "bare CR in the head";
    }
    const ns = i;
    while (b !== COLON) {
      if (TCHAR[b] !== 1) return "invalid field name";
      b = buf[++i]!;
    }
    if (i === ns) return "empty field name";
    const ne = i++;
    b = buf[i]!;
    while (b === SP || b === HTAB) b = buf[++i]!;
    const vs = i;
    while (b !== CR) {
      if (VCHAR[b] !== 1) return "invalid field value";
      b = buf[++i]!;
    }
    if (buf[i + 1] !== LF) return "bare CR in the head";
    let ve = i;
    i += 2;
    while (ve > vs && (buf[ve - 1] === SP || buf[ve - 1] === HTAB)) ve--;
    const k = h.count++;
    f[4 * k] = ns;
    f[4 * k + 1] = ne;
    f[4 * k + 2] = vs;
    f[4 * k + 3] = ve;
    let hop = 1;
    const len = ne - ns;
    if (len === 10 && equalsLower(buf, ns, ne, NAME_CONNECTION)) {
      if (equalsLower(buf, vs, ve, VALUE_KEEP_ALIVE)) keepAlive = true;
      else if (equalsLower(buf, vs, ve, VALUE_CLOSE)) h.close = true;
      else {
        const v = latin1(buf, vs, ve).toLowerCase();
        for (const t of v.split(",")) {
          const n = t.trim();
          if (n === "close") h.close = true;
          else if (n === "keep-alive") keepAlive = true;
        }
        nominatedNames(v, nominated ??= []);
      }
    } else if (len === 14 && equalsLower(buf, ns, ne, NAME_CONTENT_LENGTH)) {
      hop = 0;
      if (++lengths > 1) return "several Content-Length";
      const n = ve - vs;
      if (n === 0 || n > 15) return "invalid Content-Length";
      let v = 0;
      for (let q = vs; q < ve; q++) {
        const d = buf[q]! - 48;
        if (d < 0 || d > 9) return "invalid Content-Length";
        v = v * 10 + d;
      }
      h.contentLength = v;
    } else if (len === 17 && equalsLower(buf, ns, ne, NAME_TRANSFER_ENCODING)) {
      if (++codings > 1) return "several Transfer-Encoding";
      if (latin1(buf, vs, ve).toLowerCase() !== "chunked") return "unsupported transfer coding";
      h.chunked = true;
    } else if (
      !(len === 10 && equalsLower(buf, ns, ne, NAME_KEEP_ALIVE)) &&
      !(len === 16 && equalsLower(buf, ns, ne, NAME_PROXY_CONNECTION)) &&
      !(len === 7 && equalsLower(buf, ns, ne, NAME_UPGRADE)) &&
      !(len === 14 && equalsLower(buf, ns, ne, NAME_HTTP2_SETTINGS))
    ) {
      hop = 0;
    }
    drop[k] = hop;
    if (hop === 1) h.hop = true;
  }
  if (h.chunked && h.contentLength >= 0) return "both Content-Length and Transfer-Encoding";
  if (nominated !== null) {
    for (let k = 0; k < h.count; k++) {
      if (drop[k] === 1) continue;
      const name = latin1(buf, f[4 * k]!, f[4 * k + 1]!).toLowerCase();
      if (nominated.includes(name)) {
        drop[k] = 1;
        h.hop = true;
      }
    }
  }
  if (http10 && !keepAlive) h.close = true;
  return null;
}
