// Message heads the fast path writes: status lines, the proxy's own answers (router decisions,
// short errors, as ../respond.ts writes them through Node), upstream request heads, and
// response heads rebuilt from a header object (when ResponseHeaderModifier edits apply).
import { STATUS_CODES } from "node:http";
import type { Decision } from "../router/index.js";
import type { ResponseHeaders } from "../upstream/types.js";

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

/** The upstream request head from a flat `[name, value, ...]` list (../forward-headers.ts upstreamHeaders). */
export function requestHead(method: string, path: string, pairs: readonly string[]): string {
  let s = `${method} ${path} HTTP/1.1\r\n`;
  for (let i = 0; i < pairs.length; i += 2) s += `${pairs[i]}: ${pairs[i + 1]}\r\n`;
  return `${s}\r\n`;
}

/** Every name and value of a flat list is writable. */
export function safePairs(pairs: readonly string[]): boolean {
  for (let i = 0; i < pairs.length; i += 2) {
    if (!safeName(pairs[i]!) || !safeValue(pairs[i + 1]!)) return false;
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
