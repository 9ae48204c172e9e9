// Where a message head ends (just past CRLF CRLF), searched in JS: cheaper than a native
// indexOf call for the short heads of the usual request and response. Every 4-byte window
// holds a byte of the terminator, so only every 4th byte is looked at until a CR or LF
// (a terminator always covers one of those positions).
import { CR, LF } from "./bytes.js";

/** The index just past the first CRLF CRLF in buf[from..end), or -1. */
export function headEnd(buf: Buffer, from: number, end: number): number {
  for (let i = from + 3; i < end; i += 4) {
    const b = buf[i]!;
    if (b !== LF && b !== CR) continue;
    // The terminator covers position i: it starts at i-3 .. i.
    for (let s = i - 3; s <= i; s++) {
      if (s >= from && s + 3 < end && buf[s] === CR && buf[s + 1] === LF && buf[s + 2] === CR && buf[s + 3] === LF) return s + 4;
    }
  }
  return -1;
}
