// Byte classes and small Buffer helpers shared by the raw HTTP/1.1 parsers (RFC 9110 §5.6.2
// tokens, §5.5 field values).

/** tchar: 1; anything else 0. */
export const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

/** Field-value bytes: HTAB, SP, VCHAR, obs-text: 1; CTLs and DEL: 0. */
export const VCHAR = new Uint8Array(256);
VCHAR[0x09] = 1;
for (let c = 0x20; c <= 0xff; c++) if (c !== 0x7f) VCHAR[c] = 1;

export const CR = 13;
export const LF = 10;
export const SP = 32;
export const HTAB = 9;
export const COLON = 58;

type Latin1 = Buffer & { latin1Slice(start: number, end: number): string };

/** The bytes as a one-byte string (no validation; callers checked them). */
export function latin1(buf: Buffer, start: number, end: number): string {
  return (buf as Latin1).latin1Slice(start, end);
}

/** Are buf[start..start+lower.length) the bytes of `lower` (ASCII letters in any case)? `lower` is [a-z0-9-]. */
export function equalsLower(buf: Buffer, start: number, end: number, lower: Uint8Array): boolean {
  const n = lower.length;
  if (end - start !== n) return false;
  for (let i = 0; i < n; i++) {
    // Letters only differ by 0x20; the other bytes of `lower` never collide with a valid tchar.
    if ((buf[start + i]! | 0x20) !== lower[i]) return false;
  }
  return true;
}

export function bytesOf(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** Is `s` a list of comma-separated tokens one of which is `token` (lowercase)? */
export function hasListToken(s: string, token: string): boolean {
  const l = s.length === token.length ? s.toLowerCase() : "";
  if (l === token) return true;
  if (s.indexOf(",") < 0) return s.trim().toLowerCase() === token;
  for (const t of s.split(",")) if (t.trim().toLowerCase() === token) return true;
  return false;
}

/** Copies src[s..e) to dst at pos (a JS loop for short runs: cheaper than a native call). */
export function copyBytes(src: Uint8Array, s: number, e: number, dst: Uint8Array, pos: number): void {
  if (e - s > 256) {
    dst.set(src.subarray(s, e), pos);
    return;
  }
  for (let i = s; i < e; i++) dst[pos++] = src[i]!;
}
