// Message heads the fast path writes: status lines, the proxy's own answers (router decisions,
// short errors, as ../respond.ts writes them through Node), upstream request heads, and
// response heads rebuilt from a header object (when ResponseHeaderModifier edits apply).
import { STATUS_CODES } from "node:http";
import type { Decision, HeaderMap } from "../router/index.js";
import type { ResponseHeaders } from "../upstream/types.js";
import { copyBytes } from "./bytes.js";

const statusLines: string[] = [];

export function statusLine(status: number): string {
  let s = statusLines[status];
  if (s === undefined) {
    s = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "unknown"}\r\n`;
    if (status >= 100 && status < 1000) statusLines[status] = s;
  }
  return s;
}

let dateText = "";
let dateUntil = 0;

/** `date: ...` as Node's server adds it, recomputed at most once a second. */
export function dateLine(): string {
  const now = Date.now();
  if (now >= dateUntil) {
    dateText = `date: ${new Date(now).toUTCString()}\r\n`;
    dateUntil = now - (now % 1000) + 1000;
  }
  return dateText;
}

const TEXT = "text/plain; charset=utf-8";

/** A short plain-text answer; `close`: the connection ends after it. */
export function textResponse(status: number, body: string, close: boolean): string {
  return `${statusLine(status)}content-type: ${TEXT}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${dateLine()}${close ? "connection: close\r\n" : ""}\r\n${body}`;
}

/** Answers without a body whatever they carry (RFC 9110 §6.4.1). */
export function bodiless(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}

/** What Node's writeHead accepts in a field value (no CTLs: a value must not split the head). */
const UNSAFE_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const PATH = /^[\x21-\x7e]+$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function safeValue(v: string): boolean {
  return !UNSAFE_VALUE.test(v);
}

/** A request-target that can be written as is (rewritten paths). */
export function safePath(p: string): boolean {
  return PATH.test(p);
}

export function safeName(n: string): boolean {
  return TOKEN.test(n);
}

/**
 * A router `respond` decision as bytes (what ../respond.ts sendDecision makes Node write):
 * null when its headers cannot be written (the caller answers 500).
 */
export function decisionResponse(d: Extract<Decision, { type: "respond" }>, close: boolean, headRequest: boolean): string | null {
  let s = statusLine(d.status);
  const h = d.headers;
  for (const name in h) {
    const v = h[name];
    if (v === undefined) continue;
    if (!safeName(name)) return null;
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      if (!safeValue(x)) return null;
      s += `${name}: ${x}\r\n`;
    }
  }
  const body = bodiless(d.status) ? "" : d.body;
  if (!bodiless(d.status)) s += `content-length: ${Buffer.byteLength(body)}\r\n`;
  s += dateLine();
  if (close) s += "connection: close\r\n";
  s += "\r\n";
  return headRequest ? s : s + body;
}

/** Writes the one-byte string s at out[pos..] (a JS loop: no concatenation, no native call). */
function put(out: Buffer, pos: number, s: string): number {
  for (let i = 0; i < s.length; i++) out[pos++] = s.charCodeAt(i);
  return pos;
}

/** `name: value` CRLF for pairs[from..to) at out[pos..]. */
function putPairs(out: Buffer, pos: number, pairs: readonly string[], from: number, to: number): number {
  for (let i = from; i < to; i += 2) {
    pos = put(out, pos, pairs[i]!);
    out[pos++] = 58;
    out[pos++] = 32;
    pos = put(out, pos, pairs[i + 1]!);
    out[pos++] = 13;
    out[pos++] = 10;
  }
  return pos;
}

function pairsSize(pairs: readonly string[], from: number, to: number): number {
  let size = 0;
  for (let i = from; i < to; i += 2) size += pairs[i]!.length + pairs[i + 1]!.length + 4;
  return size;
}

/**
 * The upstream request head, as bytes, from a flat `[name, value, ...]` list (../forward-headers.ts
 * upstreamHeaders). Every string is one-byte (latin1) text: client bytes or checked values.
 */
export function requestHead(method: string, path: string, pairs: readonly string[]): Buffer {
  // `METHOD SP path SP HTTP/1.1 CRLF`, `name: value CRLF` each, CRLF
  const out = Buffer.allocUnsafe(method.length + path.length + 14 + pairsSize(pairs, 0, pairs.length));
  let pos = put(out, 0, method);
  out[pos++] = 32;
  pos = put(out, pos, path);
  pos = put(out, pos, " HTTP/1.1\r\n");
  pos = putPairs(out, pos, pairs, 0, pairs.length);
  out[pos++] = 13;
  out[pos] = 10;
  return out;
}

/** upstreamHeaders() ends with these pairs: X-Forwarded-For/-Proto/-Host/-Port and Host. */
const TAIL_PAIRS = 10;

/**
 * requestHead() for one connection, keeping the bytes of the last X-Forwarded-* and Host
 * lines: a client's requests usually carry the same ones, which are then copied, not rewritten.
 */
export class RequestTail {
  private bytes: Buffer | null = null;
  private forwardedFor = "";
  private forwardedHost = "";
  private port = "";
  private authority = "";

  head(method: string, path: string, pairs: readonly string[]): Buffer {
    const n = pairs.length;
    if (n < TAIL_PAIRS) return requestHead(method, path, pairs);
    const t = n - TAIL_PAIRS;
    let tail = this.bytes;
    if (tail === null || pairs[t + 1] !== this.forwardedFor || pairs[t + 5] !== this.forwardedHost || pairs[t + 7] !== this.port || pairs[t + 9] !== this.authority) {
      tail = Buffer.allocUnsafe(pairsSize(pairs, t, n) + 2);
      const end = putPairs(tail, 0, pairs, t, n);
      tail[end] = 13;
      tail[end + 1] = 10;
      this.bytes = tail;
      this.forwardedFor = pairs[t + 1]!;
      this.forwardedHost = pairs[t + 5]!;
      this.port = pairs[t + 7]!;
      this.authority = pairs[t + 9]!;
    }
    const out = Buffer.allocUnsafe(method.length + path.length + 12 + pairsSize(pairs, 0, t) + tail.length);
    let pos = put(out, 0, method);
    out[pos++] = 32;
    pos = put(out, pos, path);
    pos = put(out, pos, " HTTP/1.1\r\n");
    pos = putPairs(out, pos, pairs, 0, t);
    copyBytes(tail, 0, tail.length, out, pos);
    return out;
  }
}

/** Every name and value of a header map is writable. */
export function safeFields(h: HeaderMap): boolean {
  for (const name in h) {
    if (!safeName(name)) return false;
    const v = h[name];
    if (v === undefined) continue;
    for (let i = 0; i < v.length; i++) if (!safeValue(v[i]!)) return false;
  }
  return true;
}

/**
 * Response fields from a header object (framing fields left to the caller), or null when a
 * name or value cannot be written.
 */
export function responseFields(h: ResponseHeaders): string | null {
  let s = "";
  for (const name in h) {
    const v = h[name];
    if (v === undefined || name === "content-length" || name === "transfer-encoding") continue;
    if (!safeName(name)) return null;
    if (typeof v === "string") {
      if (!safeValue(v)) return null;
      s += `${name}: ${v}\r\n`;
    } else {
      for (let i = 0; i < v.length; i++) {
        if (!safeValue(v[i]!)) return null;
        s += `${name}: ${v[i]}\r\n`;
      }
    }
  }
  return s;
}
