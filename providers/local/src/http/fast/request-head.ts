// Strict parser of one HTTP/1.1 request head (RFC 9112 §3, §5) already known to end with
// CRLF CRLF. Three answers: the fast path can take it; Node's server should (unusual but
// maybe valid: other versions, transfer codings, upgrades, Expect, a missing Host); or it is
// malformed or smuggling-like and gets 400 (bare CR/LF, obs-fold, bad token or value bytes,
// whitespace before the colon, several or invalid Content-Length, several Host).
import type { HeaderMap } from "../router/index.js";
import { COLON, CR, HTAB, LF, SP, TCHAR, VCHAR, hasListToken, latin1 } from "./bytes.js";
import { headerName } from "./header-names.js";

export const HEAD_FAST = 0;
export const HEAD_DELEGATE = 1;
export const HEAD_BAD = 2;

const HTTP11 = Buffer.from("HTTP/1.1\r\n", "latin1");

/** buf[i..i+10) is `HTTP/1.1` CRLF (compared in JS: cheaper than a native call for 10 bytes). */
function isHttp11(buf: Buffer, i: number): boolean {
  for (let k = 0; k < 10; k++) if (buf[i + k] !== HTTP11[k]) return false;
  return true;
}

/** The methods Node's parser knows that the fast path forwards (others go to Node, which may refuse them). */
const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT"].map((m) => ({ m, b: Buffer.from(m, "latin1") }));

function methodOf(buf: Buffer, start: number, end: number): string | null {
  const n = end - start;
  for (let k = 0; k < METHODS.length; k++) {
    const x = METHODS[k]!;
    if (x.b.length !== n) continue;
    let i = 0;
    while (i < n && buf[start + i] === x.b[i]) i++;
    if (i === n) return x.m;
  }
  return null;
}

/** Is there a line feed without its carriage return in buf[start..end)? */
export function hasBareLF(buf: Buffer, start: number, end: number): boolean {
  for (let i = buf.indexOf(LF, start); i >= 0 && i < end; i = buf.indexOf(LF, i + 1)) {
    if (i === 0 || buf[i - 1] !== CR) return true;
  }
  return false;
}

/** Content-Length values beyond this many digits are refused (2^53 has 16). */
const MAX_LENGTH_DIGITS = 15;

/** The parsed head; one per connection, overwritten by each request. */
export class RequestHead {
  method = "";
  /** Request-target as sent. */
  target = "";
  headers: HeaderMap = {};
  /** The Host header ("" when absent). */
  host = "";
  /** -1: no Content-Length. */
  contentLength = -1;
  /** Connection: close. */
  close = false;
  /** Why not the fast path (HEAD_DELEGATE / HEAD_BAD), for logs and tests. */
  reason = "";
  /** The previous request's Host value and target on this connection (often the same: no new strings). */
  private lastHost = "";
  private lastTarget = "";
  /** viewOf()'s split of the last Host value it saw (per connection). */
  splitFrom = "";
  splitHost = "";
  splitPort = 0;

  hostValue(buf: Buffer, start: number, end: number): string {
    return same(this.lastHost, buf, start, end) ? this.lastHost : this.lastHost = latin1(buf, start, end);
  }

  targetValue(buf: Buffer, start: number, end: number): string {
    return same(this.lastTarget, buf, start, end) ? this.lastTarget : this.lastTarget = latin1(buf, start, end);
  }

  reset(): void {
    this.method = "";
    this.target = "";
    this.headers = {};
    this.host = "";
    this.contentLength = -1;
    this.close = false;
    this.reason = "";
  }
}

/** Does `s` hold exactly the bytes buf[start..end)? */
function same(s: string, buf: Buffer, start: number, end: number): boolean {
  const n = end - start;
  if (s.length !== n) return false;
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) !== buf[start + i]) return false;
  return true;
}

function bad(h: RequestHead, reason: string): number {
  h.reason = reason;
  return HEAD_BAD;
}

/** Parses buf[start..end), where `end` is just past the head's final CRLF CRLF. */
export function parseRequestHead(buf: Buffer, start: number, end: number, h: RequestHead): number {
  h.reset();
  let delegate = "";
  let i = start;
  // method
  while (TCHAR[buf[i]!] === 1) i++;
  if (i === start || buf[i] !== SP) return bad(h, "invalid method");
  const method = methodOf(buf, start, i);
  if (method === null) {
    h.method = latin1(buf, start, i);
    delegate = "unknown method";
  } else {
    h.method = method;
  }
  // request-target
  const ts = ++i;
  for (let b = buf[i]!; b !== SP; b = buf[++i]!) {
    if (b <= 0x20 || b === 0x7f) return bad(h, "invalid request target");
    if (b >= 0x80) delegate = "non-ASCII request target";
  }
  if (i === ts) return bad(h, "empty request target");
  h.target = h.targetValue(buf, ts, i);
  i++;
  // version
  if (i + 10 <= end && isHttp11(buf, i)) {
    i += 10;
  } else {
    // HTTP/1.0 and anything else: Node's parser answers as it always did.
    for (let b = buf[i]!; b !== CR; b = buf[++i]!) if (b <= 0x20 || b >= 0x7f) return bad(h, "invalid version");
    if (buf[i + 1] !== LF) return bad(h, "bare CR");
    i += 2;
    delegate ||= "not HTTP/1.1";
  }
  const tc = h.target.charCodeAt(0);
  if (tc !== 47 /* / */ && !delegate) {
    // absolute-form (routed by its authority) and `*` are fine; other forms are rare: Node's.
    if (h.target !== "*" && h.target.indexOf("://") <= 0) delegate = "unusual request target";
  }
  if (h.method === "CONNECT") delegate ||= "CONNECT";

  const headers = h.headers;
  let hosts = 0;
  let lengths = 0;
  for (;;) {
    let b = buf[i]!;
    if (b === CR) {
      if (buf[i + 1] === LF && i + 2 === end) break;
      return bad(h, "bare CR");
    }
    if (b === SP || b === HTAB) return bad(h, "obs-fold or whitespace before a field name");
    const ns = i;
    let upper = false;
    while (b !== COLON) {
      if (TCHAR[b] !== 1) return bad(h, "invalid field name");
      if (b <= 0x5a && b >= 0x41) upper = true;
      b = buf[++i]!;
    }
    if (i === ns) return bad(h, "empty field name");
    const ne = i++;
    b = buf[i]!;
    while (b === SP || b === HTAB) b = buf[++i]!;
    const vs = i;
    while (b !== CR) {
      if (VCHAR[b] !== 1) return bad(h, "invalid field value");
      b = buf[++i]!;
    }
    if (buf[i + 1] !== LF) return bad(h, "bare CR");
    let ve = i;
    i += 2;
    while (ve > vs && (buf[ve - 1] === SP || buf[ve - 1] === HTAB)) ve--;
    const name = headerName(buf, ns, ne, upper);
    const value = name === "host" ? h.hostValue(buf, vs, ve) : latin1(buf, vs, ve);
    switch (name) {
      case "host":
        hosts++;
        h.host = value;
        break;
      case "content-length": {
        if (++lengths > 1) return bad(h, "several Content-Length");
        const n = ve - vs;
        if (n === 0 || n > MAX_LENGTH_DIGITS) return bad(h, "invalid Content-Length");
        let v = 0;
        for (let k = vs; k < ve; k++) {
          const d = buf[k]! - 48;
          if (d < 0 || d > 9) return bad(h, "invalid Content-Length");
          v = v * 10 + d;
        }
        h.contentLength = v;
        break;
      }
      case "connection":
        if (hasListToken(value, "close")) h.close = true;
        break;
      case "transfer-encoding":
        delegate ||= "Transfer-Encoding";
        break;
      case "upgrade":
        delegate ||= "Upgrade";
        break;
      case "expect":
        delegate ||= "Expect";
        break;
      case "__proto__":
        delegate ||= "field name __proto__";
        continue;
    }
    const prev = headers[name];
    if (prev === undefined) headers[name] = [value];
    else prev.push(value);
  }
  if (hosts > 1) return bad(h, "more than one Host header");
  if (hosts === 0) delegate ||= "no Host";
  if (delegate) {
    h.reason = delegate;
    return HEAD_DELEGATE;
  }
  return HEAD_FAST;
}
