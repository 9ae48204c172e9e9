// Access log lines, written without blocking the request path: each thread appends finished
// lines to an in-memory batch per destination and writes the batch asynchronously (fs.write
// on the file descriptor, a few writes in flight). A full batch (MAX_BUFFERED bytes waiting)
// drops new lines and counts them. Lines to stdout/stderr are written in pieces of at most
// PIPE_BUF bytes ending at a line end, so they never interleave with other writers' lines.
import { close, open, write } from "node:fs";
import { stats } from "./stats.js";

/** Bytes of lines waiting to be written, per destination and thread, before new lines are dropped. */
export const MAX_BUFFERED = 4 * 1024 * 1024;
/** Atomic write size of a pipe (Linux PIPE_BUF). */
const PIPE_BUF = 4096;
const RETRY_MS = 10;
/** Writes of one sink in the thread pool at once. */
const MAX_IN_FLIGHT = 4;

/** Lines are written straight into chunks of this size (no join, one copy). */
const CHUNK = 64 * 1024;

export class LogSink {
  /** Full chunks waiting to be written. */
  private full: Buffer[] = [];
  private cur: Buffer | null = null;
  private pos = 0;
  /** Lines in `full` and `cur`. */
  private lines = 0;
  private size = 0;
  private scheduled = false;
  private writing = false;
  private fd: number | null;
  private opening = false;
  private failed = false;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly path: string) {
    this.fd = path === "stdout" ? 1 : path === "stderr" ? 2 : null;
  }

  /** One line (ending in a newline). Never throws, never waits. */
  append(line: string): void {
    // At most 3 bytes per UTF-16 unit.
    const most = line.length * 3;
    if (this.size + most > MAX_BUFFERED || this.failed) {
      stats.accessLogDropped++;
      return;
    }
    let cur = this.cur;
    if (cur === null || this.pos + most > cur.length) {
      if (cur !== null && this.pos > 0) this.full.push(cur.subarray(0, this.pos));
      cur = this.cur = Buffer.allocUnsafe(Math.max(CHUNK, most));
      this.pos = 0;
    }
    const n = cur.write(line, this.pos, "utf8");
    this.pos += n;
    this.size += n;
    this.lines++;
    if (!this.scheduled && !this.writing) {
      this.scheduled = true;
      setImmediate(flushSink, this);
    }
  }

  /** Resolves once everything appended so far is written (or dropped). */
  idle(): Promise<void> {
    if (this.lines === 0 && !this.writing && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** @internal */
  flush(): void {
    this.scheduled = false;
    if (this.writing || this.lines === 0) return this.settle();
    if (this.fd === null) return this.openFile();
    const bufs = this.full;
    if (this.cur !== null && this.pos > 0) {
      bufs.push(this.cur.subarray(0, this.pos));
      // The rest of the chunk takes the next lines.
      this.cur = this.cur.length - this.pos >= 4096 ? this.cur.subarray(this.pos) : null;
      this.pos = 0;
    }
    const lines = this.lines;
    this.full = [];
    this.lines = 0;
    this.size = 0;
    this.writing = true;
    this.writeFrom(bufs, lines);
  }

  private openFile(): void {
    if (this.opening) return;
    this.opening = true;
    open(this.path, "a", 0o644, (err, fd) => {
      this.opening = false;
      if (err) {
        // Lines are dropped (and counted) from now on; the error is reported once.
        this.failed = true;
        stats.accessLogDropped += this.lines;
        this.full = [];
        this.cur = null;
        this.pos = 0;
        this.lines = 0;
        this.size = 0;
        process.emitWarning(`gatehouse access log ${this.path}: ${err.message}`);
        return this.settle();
      }
      this.fd = fd;
      this.flush();
    });
  }

  /**
   * Writes the batch as pieces (to a pipe: ≤ PIPE_BUF bytes ending at a line end, so each is
   * atomic), up to MAX_IN_FLIGHT at once: fs.write goes through the thread pool, and one write
   * at a time caps a busy worker's log at a few MB/s. Pieces may land out of order; lines stay whole.
   */
  private writeFrom(bufs: Buffer[], lines: number): void {
    const pieces: Buffer[] = [];
    for (const buf of bufs) {
      let pos = 0;
      while (pos < buf.length) {
        let end = buf.length;
        if (this.fd! <= 2 && end - pos > PIPE_BUF) {
          const nl = buf.lastIndexOf(10, pos + PIPE_BUF - 1);
          end = nl >= pos ? nl + 1 : buf.indexOf(10, pos) + 1 || buf.length;
        }
        pieces.push(buf.subarray(pos, end));
        pos = end;
      }
    }
    let active = 0;
    let failed = false;
    const done = () => {
      if (active > 0 || pieces.length > 0) return;
      if (failed) stats.accessLogDropped += lines; else stats.accessLogWritten += lines;
      this.writing = false;
      this.flush();
    };
    const next = (): void => {
      while (active < MAX_IN_FLIGHT && pieces.length > 0) {
        const piece = pieces.shift()!;
        active++;
        write(this.fd!, piece, 0, piece.length, null, (err, n) => {
          active--;
          if (err) {
            // A non-blocking pipe that is full: try again shortly, keeping the lines.
            if ((err as NodeJS.ErrnoException).code === "EAGAIN") {
              pieces.unshift(piece);
              return void setTimeout(next, RETRY_MS);
            }
            failed = true;
            pieces.length = 0;
          } else if (n < piece.length) {
            pieces.unshift(piece.subarray(n));
          }
          next();
          done();
        });
      }
    };
    next();
  }

  private settle(): void {
    if (this.writing || this.scheduled || this.lines > 0) return;
    const w = this.waiters.splice(0);
    for (const f of w) f();
  }

  /** Closes a file destination once written (stdout/stderr stay open). */
  async close(): Promise<void> {
    await this.idle();
    if (this.fd !== null && this.fd > 2) {
      const fd = this.fd;
      this.fd = null;
      await new Promise<void>((resolve) => close(fd, () => resolve()));
    }
  }
}

function flushSink(s: LogSink): void {
  s.flush();
}

const sinks = new Map<string, LogSink>();

/** This thread's sink for a destination (one per path, shared by every port). */
export function logSink(path: string): LogSink {
  let s = sinks.get(path);
  if (s === undefined) {
    s = new LogSink(path);
    sinks.set(path, s);
  }
  return s;
}

/** Waits (at most `ms`) for every sink of this thread to write what it holds. */
export async function flushAccessLogs(ms = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all([...sinks.values()].map((s) => s.idle())),
    new Promise<void>((resolve) => { timer = setTimeout(resolve, ms); }),
  ]);
  clearTimeout(timer);
}

// --- line building (no JSON.stringify on the request path) ---

let tsMs = -1;
let tsText = "";

/** ISO 8601 UTC time of an epoch millisecond, cached for the same millisecond. */
export function isoTime(ms: number): string {
  const whole = Math.floor(ms);
  if (whole !== tsMs) {
    tsMs = whole;
    tsText = new Date(whole).toISOString();
  }
  return tsText;
}

/** A JSON string literal of `s`, escaping only when it must (client-supplied text). */
export function jsonString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x7f) return JSON.stringify(s);
  }
  return `"${s}"`;
}

/** Milliseconds with microsecond precision. */
export function ms3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
