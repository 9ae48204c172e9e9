// W3C Trace Context (traceparent) for the HTTP paths: the incoming header is parsed, the
// proxy's own span gets a new span id, and the upstream request carries
// `00-<trace id>-<proxy span id>-<flags>`; tracestate passes through untouched. Without a
// valid traceparent a new trace starts, sampled with the configured ratio.
import { randomFillSync } from "node:crypto";
import type { HeaderMap } from "../http/router/index.js";

export interface TraceContext {
  traceId: string;
  /** The proxy's span (the upstream's parent). */
  spanId: string;
  /** The client's span, when a traceparent came in. */
  parentId: string | null;
  sampled: boolean;
  /** Sent upstream. */
  traceparent: string;
}

const pool = Buffer.allocUnsafe(4096);
let poolAt = pool.length;

function randomHex(bytes: number): string {
  for (;;) {
    if (poolAt + bytes > pool.length) {
      randomFillSync(pool);
      poolAt = 0;
    }
    const at = poolAt;
    poolAt += bytes;
    // All zero is an invalid id (vanishingly rare): draw again.
    for (let i = at; i < at + bytes; i++) if (pool[i] !== 0) return pool.toString("hex", at, at + bytes);
  }
}

export function newTraceId(): string { return randomHex(16); }
export function newSpanId(): string { return randomHex(8); }

function isHex(s: string, from: number, to: number): boolean {
  let nonZero = false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
    if (c !== 48) nonZero = true;
  }
  return nonZero;
}

function isHexByte(s: string, at: number): boolean {
  const a = s.charCodeAt(at), b = s.charCodeAt(at + 1);
  return ((a >= 48 && a <= 57) || (a >= 97 && a <= 102)) && ((b >= 48 && b <= 57) || (b >= 97 && b <= 102));
}

/** [trace id, parent id, flags] of a traceparent value, or null when it is not valid (W3C Trace Context §3.2). */
export function parseTraceparent(v: string): [string, string, number] | null {
  if (v.length < 55 || v.charCodeAt(2) !== 45 || v.charCodeAt(35) !== 45 || v.charCodeAt(52) !== 45) return null;
  if (!isHexByte(v, 0) || v.startsWith("ff")) return null;
  const version00 = v.charCodeAt(0) === 48 && v.charCodeAt(1) === 48;
  // Version 00 is exactly 55 characters; a later version may append fields after a dash.
  if (version00 ? v.length !== 55 : v.length > 55 && v.charCodeAt(55) !== 45) return null;
  if (!isHex(v, 3, 35) || !isHex(v, 36, 52) || !isHexByte(v, 53)) return null;
  return [v.slice(3, 35), v.slice(36, 52), parseInt(v.slice(53, 55), 16)];
}

/** The request's trace: continued from its traceparent, or new (sampled with `ratio`). */
export function startTrace(headers: HeaderMap, ratio: number): TraceContext {
  const values = headers.traceparent;
  // Several traceparent headers are invalid: start over, as the spec asks.
  const parsed = values !== undefined && values.length === 1 ? parseTraceparent(values[0]!) : null;
  const spanId = newSpanId();
  let traceId: string, parentId: string | null, sampled: boolean;
  if (parsed !== null) {
    traceId = parsed[0];
    parentId = parsed[1];
    sampled = (parsed[2] & 1) === 1;
  } else {
    traceId = newTraceId();
    parentId = null;
    sampled = ratio >= 1 || (ratio > 0 && Math.random() < ratio);
  }
  return { traceId, spanId, parentId, sampled, traceparent: `00-${traceId}-${spanId}-${sampled ? "01" : "00"}` };
}
