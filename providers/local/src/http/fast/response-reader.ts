// Incremental reader of the responses on one upstream connection: finds each head, then the
// body's end by its framing. Chunked bodies are passed on with their framing as is; the
// reader only tracks where the chunks, the last chunk and the trailers end.
import { CR, LF } from "./bytes.js";
import { headEnd } from "./head-end.js";
import { ResponseHead, parseResponseHead } from "./response-head.js";

/** Response heads larger than this are refused (502). */
export const MAX_RESPONSE_HEAD = 64 * 1024;
const MAX_CHUNK_LINE = 4096;
const MAX_TRAILERS = 64 * 1024;

export interface ResponseSink {
  /**
   * A complete head, interim (1xx) or final; buf[start..end) are its bytes, and at most
   * `following` bytes after them in this buffer are its body. `buf` is only valid during the call.
   */
  onResponseHead(buf: Buffer, start: number, end: number, head: ResponseHead, following: number): void;
  /** Body bytes, as they are (chunked framing included); valid only during the call. */
  onResponseBody(buf: Buffer, start: number, end: number): void;
  /** The response is complete. `extra`: bytes followed it (the connection is not reusable). */
  onResponseEnd(extra: boolean): void;
  onResponseError(reason: string): void;
}

const S_NONE = 0, S_HEAD = 1, S_LENGTH = 2, S_CHUNKED = 3, S_UNTIL_CLOSE = 4, S_DONE = 5;
// chunked sub-states
const C_SIZE = 0, C_EXT = 1, C_SIZE_LF = 2, C_DATA = 3, C_DATA_CR = 4, C_DATA_LF = 5,
  C_TRAILER_START = 6, C_TRAILER_LINE = 7, C_TRAILER_LF = 8, C_FINAL_LF = 9;

export class ResponseReader {
  readonly head = new ResponseHead();
  sink: ResponseSink | null = null;
  private state = S_NONE;
  private noBody = false;
  private partial: Buffer | null = null;
  private remaining = 0;
  private cstate = C_SIZE;
  private digits = 0;
  private lineBytes = 0;

  /** The next response answers a request; `headRequest`: it has no body whatever it says. */
  expect(sink: ResponseSink, headRequest: boolean): void {
    this.sink = sink;
    this.noBody = headRequest;
    this.state = S_HEAD;
    this.partial = null;
  }

  /** Stops delivering (the exchange is gone; the connection is closed). */
  detach(): void {
    this.sink = null;
    this.state = S_NONE;
    this.partial = null;
  }

  /** Waiting for or reading a response. */
  get busy(): boolean { return this.state !== S_NONE && this.state !== S_DONE; }
  /** Reading a body that ends when the connection closes. */
  get untilClose(): boolean { return this.state === S_UNTIL_CLOSE; }
  /** Nothing of the current response has arrived yet. */
  get nothingYet(): boolean { return this.state === S_HEAD && this.partial === null; }

  /** chunk[0..length) arrived (the buffer may be reused after this returns: what is kept is copied). */
  feed(chunk: Buffer, length: number): void {
    const sink = this.sink;
    if (sink === null || this.state === S_NONE || this.state === S_DONE) {
      // Bytes nobody asked for: the connection is out of step.
      if (sink !== null) sink.onResponseError("unexpected bytes from upstream");
      return;
    }
    let buf = chunk;
    let len = length;
    let off = 0;
    while (off < len) {
      switch (this.state) {
        case S_HEAD: {
          let from = off;
          if (this.partial !== null) {
            const prev = this.partial;
            this.partial = null;
            from = Math.max(0, prev.length - 3);
            buf = Buffer.concat([prev, buf.subarray(off, len)]);
            len = buf.length;
            off = 0;
          }
          const end = headEnd(buf, from, len);
          if (end < 0) {
            if (len - off > MAX_RESPONSE_HEAD) { sink.onResponseError("response head too large"); return; }
            this.partial = Buffer.from(buf.subarray(off, len));
            return;
          }
          if (end - off > MAX_RESPONSE_HEAD) { sink.onResponseError("response head too large"); return; }
          const h = this.head;
          const err = parseResponseHead(buf, off, end, h);
          if (err !== null) { sink.onResponseError(err); return; }
          const status = h.status;
          if (status < 200) {
            if (status === 101) { sink.onResponseError("unrequested protocol switch"); return; }
            sink.onResponseHead(buf, off, end, h, 0);
            if (this.sink !== sink) return;
            off = end;
            continue;
          }
          if (this.noBody || status === 204 || status === 304) this.state = S_DONE;
          else if (h.chunked) { this.state = S_CHUNKED; this.cstate = C_SIZE; this.digits = 0; this.remaining = 0; this.lineBytes = 0; }
          else if (h.contentLength >= 0) { this.state = h.contentLength === 0 ? S_DONE : S_LENGTH; this.remaining = h.contentLength; }
          else this.state = S_UNTIL_CLOSE;
          const following = this.state === S_DONE ? 0 : this.state === S_LENGTH ? Math.min(this.remaining, len - end) : len - end;
          sink.onResponseHead(buf, off, end, h, following);
          if (this.sink !== sink) return;
          off = end;
          break;
        }
        case S_LENGTH: {
          const n = Math.min(this.remaining, len - off);
          this.remaining -= n;
          if (this.remaining === 0) this.state = S_DONE;
          sink.onResponseBody(buf, off, off + n);
          if (this.sink !== sink) return;
          off += n;
          break;
        }
        case S_CHUNKED: {
          const e = this.scanChunked(buf, off, len);
          if (e === -2) { sink.onResponseError("invalid chunked framing"); return; }
          const stop = e < 0 ? len : e;
          if (e >= 0) this.state = S_DONE;
          sink.onResponseBody(buf, off, stop);
          if (this.sink !== sink) return;
          off = stop;
          break;
        }
        default:
          // S_UNTIL_CLOSE
          sink.onResponseBody(buf, off, len);
          return;
      }
      if (this.state === S_DONE) {
        this.state = S_NONE;
        this.sink = null;
        sink.onResponseEnd(off < len);
        return;
      }
    }
  }

  /** The upstream closed its side: the end of a close-delimited body, else an error. */
  eof(): void {
    const sink = this.sink;
    if (sink === null) return;
    if (this.state === S_UNTIL_CLOSE) {
      this.state = S_NONE;
      this.sink = null;
      sink.onResponseEnd(false);
      return;
    }
    sink.onResponseError(this.state === S_HEAD && this.partial === null ? "upstream closed the connection" : "upstream closed mid-response");
  }

  /** Where the chunked body ends in buf (index past it), -1: not in this buffer, -2: invalid. */
  private scanChunked(buf: Buffer, i: number, n: number): number {
    let cs = this.cstate;
    while (i < n) {
      const b = buf[i]!;
      switch (cs) {
        case C_SIZE: {
          let d: number;
          if (b >= 48 && b <= 57) d = b - 48;
          else if (b >= 97 && b <= 102) d = b - 87;
          else if (b >= 65 && b <= 70) d = b - 55;
          else if (this.digits > 0 && (b === 59 /* ; */ || b === 32 || b === 9)) { cs = C_EXT; i++; continue; }
          else if (this.digits > 0 && b === CR) { cs = C_SIZE_LF; i++; continue; }
          else return -2;
          if (++this.digits > 12) return -2;
          this.remaining = this.remaining * 16 + d;
          i++;
          continue;
        }
        case C_EXT:
          if (b === CR) cs = C_SIZE_LF;
          else if (b === LF || (b < 32 && b !== 9) || b === 127) return -2;
          else if (++this.lineBytes > MAX_CHUNK_LINE) return -2;
          i++;
          continue;
        case C_SIZE_LF:
          if (b !== LF) return -2;
          i++;
          this.digits = 0;
          this.lineBytes = 0;
          cs = this.remaining === 0 ? C_TRAILER_START : C_DATA;
          continue;
        case C_DATA: {
          void b;
          const take = Math.min(this.remaining, n - i);
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) cs = C_DATA_CR;
          continue;
        }
        case C_DATA_CR:
          if (b !== CR) return -2;
          cs = C_DATA_LF;
          i++;
          continue;
        case C_DATA_LF:
          if (b !== LF) return -2;
          cs = C_SIZE;
          i++;
          continue;
        case C_TRAILER_START:
          cs = b === CR ? C_FINAL_LF : C_TRAILER_LINE;
          if (b === LF) return -2;
          i++;
          continue;
        case C_TRAILER_LINE:
          if (b === CR) cs = C_TRAILER_LF;
          else if (b === LF || (b < 32 && b !== 9) || b === 127) return -2;
          if (++this.lineBytes > MAX_TRAILERS) return -2;
          i++;
          continue;
        case C_TRAILER_LF:
          if (b !== LF) return -2;
          cs = C_TRAILER_START;
          i++;
          continue;
        case C_FINAL_LF:
          if (b !== LF) return -2;
          this.cstate = C_SIZE;
          return i + 1;
      }
    }
    this.cstate = cs;
    return -1;
  }
}
