// The client's copy of an upstream response head, as bytes: the status line, the upstream's
// field lines copied as they are (runs of lines, hop-by-hop ones skipped), the proxy's own
// framing and connection fields, CRLF. No strings for the usual head.
import { copyBytes } from "./bytes.js";
import { statusLine } from "./heads.js";
import type { ResponseHead } from "./response-head.js";

const statusBuffers: Buffer[] = [];

function statusBytes(status: number): Buffer {
  let b = statusBuffers[status];
  if (b === undefined) {
    b = Buffer.from(statusLine(status), "latin1");
    statusBuffers[status] = b;
  }
  return b;
}

export const NO_EXTRA = Buffer.alloc(0);
export const EXTRA_CHUNKED = Buffer.from("transfer-encoding: chunked\r\n", "latin1");
export const EXTRA_CLOSE = Buffer.from("connection: close\r\n", "latin1");
export const EXTRA_CHUNKED_CLOSE = Buffer.from("transfer-encoding: chunked\r\nconnection: close\r\n", "latin1");

/**
 * The head for the client. `end`: just past the upstream head's CRLF CRLF in `buf` (its field
 * lines are `buf[fields[0] .. end - 2)`). `reserve`: room left after the head (for body bytes).
 */
export function responseHeadBytes(status: number, buf: Buffer, end: number, h: ResponseHead, extra: Buffer, reserve: number): Buffer {
  const sl = statusBytes(status);
  const f = h.fields;
  const n = h.count;
  const last = end - 2;
  let size = sl.length + extra.length + 2;
  for (let k = 0; k < n; k++) {
    if (h.drop[k] === 1) continue;
    size += (k + 1 < n ? f[4 * (k + 1)]! : last) - f[4 * k]!;
  }
  const out = Buffer.allocUnsafe(size + reserve);
  copyBytes(sl, 0, sl.length, out, 0);
  let pos = sl.length;
  // Consecutive kept lines are one run of bytes.
  let k = 0;
  while (k < n) {
    if (h.drop[k] === 1) { k++; continue; }
    const s = f[4 * k]!;
    while (k < n && h.drop[k] !== 1) k++;
    const e = k < n ? f[4 * k]! : last;
    copyBytes(buf, s, e, out, pos);
    pos += e - s;
  }
  copyBytes(extra, 0, extra.length, out, pos);
  pos += extra.length;
  out[pos] = 13;
  out[pos + 1] = 10;
  return out;
}
