// Access log fields written straight into a sink's chunk (access-log.ts reserve/commit), byte by
// byte: no per-request strings, no Buffer.write per line. Each function takes the chunk and a
// position and returns the position after what it wrote; the caller reserved room for the worst
// case (lineBound). Plain ASCII is the fast path; anything else goes through JSON.stringify.

const QUOTE = 0x22;

/** Bytes a JSON string literal of `s` can take at most (\u escapes: 6 bytes per UTF-16 unit). */
export function jsonBound(s: string): number {
  return s.length * 6 + 2;
}

/** Constant ASCII text (field names, punctuation) as bytes, encoded once. */
export function ascii(s: string): Uint8Array {
  return Buffer.from(s, "latin1");
}

export function putBytes(buf: Buffer, pos: number, bytes: Uint8Array): number {
  const n = bytes.length;
  // A loop beats TypedArray#set (a builtin call) for the short constant pieces.
  if (n > 32) buf.set(bytes, pos);
  else for (let i = 0; i < n; i++) buf[pos + i] = bytes[i]!;
  return pos + n;
}

/** Text known to be safe JSON string content (addresses, hex ids, protocol names). */
export function putAscii(buf: Buffer, pos: number, s: string): number {
  for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i);
  return pos;
}

/** `s` as a JSON string literal; client-supplied text with quotes, controls or non-ASCII is escaped. */
export function putJsonString(buf: Buffer, pos: number, s: string): number {
  const start = pos;
  buf[pos++] = QUOTE;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === QUOTE || c === 0x5c || c >= 0x7f) return start + buf.write(JSON.stringify(s), start, "utf8");
    buf[pos++] = c;
  }
  buf[pos++] = QUOTE;
  return pos;
}

/** A non-negative integer in decimal. */
export function putUint(buf: Buffer, pos: number, n: number): number {
  if (!(n >= 0 && n <= Number.MAX_SAFE_INTEGER) || n !== Math.floor(n)) return pos + buf.write(String(n), pos, "latin1");
  if (n < 10) {
    buf[pos] = 0x30 + n;
    return pos + 1;
  }
  if (n < 1000 && n >= 100) {
    // Status codes.
    buf[pos] = 0x30 + ((n / 100) | 0);
    buf[pos + 1] = 0x30 + (((n / 10) | 0) % 10);
    buf[pos + 2] = 0x30 + (n % 10);
    return pos + 3;
  }
  let digits = 1;
  for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
  let at = pos + digits;
  for (let m = n; at > pos; m = Math.floor(m / 10)) buf[--at] = 0x30 + (m % 10);
  return pos + digits;
}

/** Milliseconds rounded to the microsecond, as a JSON number without trailing zeros (1.25, 0.004, 3). */
export function putMs3(buf: Buffer, pos: number, ms: number): number {
  const us = Math.round(ms * 1000);
  if (!(us >= 0 && us < 0x7fffffff)) return pos + buf.write(String(Math.round(ms * 1000) / 1000), pos, "latin1");
  const whole = (us / 1000) | 0;
  pos = putUint(buf, pos, whole);
  const frac = us - whole * 1000;
  if (frac === 0) return pos;
  buf[pos++] = 0x2e;
  const d1 = (frac / 100) | 0;
  const d2 = ((frac / 10) | 0) % 10;
  const d3 = frac % 10;
  buf[pos++] = 0x30 + d1;
  if (d2 === 0 && d3 === 0) return pos;
  buf[pos++] = 0x30 + d2;
  if (d3 !== 0) buf[pos++] = 0x30 + d3;
  return pos;
}

let isoSecond = -1;
const isoBytes = Buffer.alloc(24);

/** ISO 8601 UTC time of an epoch millisecond (2026-01-02T03:04:05.678Z); the second is formatted once. */
export function putIsoTime(buf: Buffer, pos: number, epochMs: number): number {
  const whole = Math.floor(epochMs);
  const second = Math.floor(whole / 1000);
  if (second !== isoSecond) {
    isoSecond = second;
    isoBytes.write(new Date(second * 1000).toISOString(), 0, "latin1");
  }
  const ms = whole - second * 1000;
  isoBytes[20] = 0x30 + Math.floor(ms / 100);
  isoBytes[21] = 0x30 + (Math.floor(ms / 10) % 10);
  isoBytes[22] = 0x30 + (ms % 10);
  buf.set(isoBytes, pos);
  return pos + 24;
}
