// Access log lines, written without blocking the request path: each thread writes finished
// lines into an in-memory batch per destination (line-encoder.ts writes straight into it) and
// writes the batch every FLUSH_MS or FLUSH_BYTES, whichever comes first. A full batch (MAX_BUFFERED bytes waiting) drops
// new lines and counts them. Lines to stdout/stderr are written in pieces of at most PIPE_BUF
// bytes ending at a line end, so they never interleave with other writers' lines.
//
// When stdout/stderr is a pipe (a container runtime's log FIFO), the sink opens its own
// non-blocking descriptor of that pipe and writes from this thread: one system call per piece,
// never a wait (a full pipe: try again shortly). Otherwise (a file, a terminal) writes go through
// fs.write on the thread pool, a few in flight.
import { close, closeSync, constants, fstatSync, open, openSync, write, writeSync } from "node:fs";
import { stats } from "./stats.js";

/** Bytes of lines waiting to be written, per destination and thread, before new lines are dropped. */
export const MAX_BUFFERED = 4 * 1024 * 1024;
/** Atomic write size of a pipe (Linux PIPE_BUF). */
const PIPE_BUF = 4096;
const RETRY_MS = 10;
/** Thread-pool writes of one sink at once. */
const MAX_IN_FLIGHT = 4;

/** Lines are written straight into chunks of this size (no join, one copy). */
const CHUNK = 64 * 1024;
/**
 * Lines wait at most this long, or until FLUSH_BYTES are waiting, before a write: fewer, fuller
 * writes for this thread and fewer wake-ups for whoever reads the log.
 */
const FLUSH_MS = 10;
const FLUSH_BYTES = 32 * 1024;

/** A non-blocking descriptor of our own for a standard stream that is a pipe, else null. */
function ownPipeDescriptor(fd: number): number | null {
  try {
    if (!fstatSync(fd).isFIFO()) return null;
    // A new open file description: O_NONBLOCK here leaves fd 1/2 (and whoever shares it) as they are.
    return openSync(`/proc/self/fd/${fd}`, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
}

export class LogSink {
  /** Full chunks waiting to be written. */
  private full: Buffer[] = [];
  private cur: Buffer | null = null;
  /** The first byte of `cur` not yet handed to a write. */
  private start = 0;
  /** Where the next line goes in `cur` (reserve/commit). */
  at = 0;
  /** Lines in `full` and `cur`. */
  private lines = 0;
  private size = 0;
  /** A flush is due: `timer` (FLUSH_MS) or an immediate (FLUSH_BYTES reached). */
  private scheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private writing = false;
  private fd: number | null;
  /** Written in pieces of at most PIPE_BUF bytes (a shared stream). */
  private readonly pieces: boolean;
  /** `fd` is our non-blocking pipe descriptor: written synchronously. */
  private readonly nonBlocking: boolean;
  private opening = false;
  private failed = false;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly path: string) {
    const std = path === "stdout" ? 1 : path === "stderr" ? 2 : null;
    const own = std !== null ? ownPipeDescriptor(std) : null;
    this.fd = own ?? std;
    this.pieces = std !== null;
    this.nonBlocking = own !== null;
  }

  /**
   * Room for one line of at most `most` bytes: the chunk to write it into from `at`, then
   * commit(end). Null when the line is dropped (counted). Never throws, never waits.
   */
  reserve(most: number): Buffer | null {
    if (this.size + most > MAX_BUFFERED || this.failed) {
      stats.accessLogDropped++;
      return null;
    }
    const cur = this.cur;
    if (cur !== null && this.at + most <= cur.length) return cur;
    if (cur !== null && this.at > this.start) this.full.push(cur.subarray(this.start, this.at));
    this.start = this.at = 0;
    return (this.cur = Buffer.allocUnsafe(Math.max(CHUNK, most)));
  }

  /** The reserved line ends at `end` (just past its newline). */
  commit(end: number): void {
    this.size += end - this.at;
    this.at = end;
    this.lines++;
    // While a write is under way, flush() runs again when it ends.
    if (this.writing) return;
    if (this.size >= FLUSH_BYTES) {
      if (this.timer !== null) {
        clearTimeout(this.timer);
        this.timer = null;
        this.scheduled = false;
      }
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(flushSink, this);
      }
    } else if (!this.scheduled) {
      this.scheduled = true;
      this.timer = setTimeout(flushSink, FLUSH_MS, this);
    }
  }

  /** One line (ending in a newline). Never throws, never waits. */
  append(line: string): void {
    // At most 3 bytes per UTF-16 unit.
    const buf = this.reserve(line.length * 3);
    if (buf !== null) this.commit(this.at + buf.write(line, this.at, "utf8"));
  }

  /** How lines leave: from this thread on its own non-blocking pipe descriptor, or through the thread pool. */
  get mode(): "pipe" | "pool" {
    return this.nonBlocking ? "pipe" : "pool";
  }

  /** Resolves once everything appended so far is written (or dropped). */
  idle(): Promise<void> {
    if (this.lines === 0 && !this.writing && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** @internal */
  flush(): void {
    this.scheduled = false;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.writing || this.lines === 0) return this.settle();
    if (this.fd === null) return this.openFile();
    const bufs = this.full;
    if (this.cur !== null && this.at > this.start) {
      // The rest of the chunk takes the next lines.
      bufs.push(this.cur.subarray(this.start, this.at));
      this.start = this.at;
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
        this.start = this.at = 0;
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
   * Writes the batch as pieces (to a shared stream: ≤ PIPE_BUF bytes ending at a line end, so
   * each is atomic). On our non-blocking pipe: from this thread, now. Otherwise up to
   * MAX_IN_FLIGHT fs.writes at once on the thread pool (one at a time caps a busy worker's log
   * at a few MB/s); those pieces may land out of order, lines stay whole.
   */
  private writeFrom(bufs: Buffer[], lines: number): void {
    const pieces: Buffer[] = [];
    for (const buf of bufs) {
      let pos = 0;
      while (pos < buf.length) {
        let end = buf.length;
        if (this.pieces && end - pos > PIPE_BUF) {
          const nl = buf.lastIndexOf(10, pos + PIPE_BUF - 1);
          end = nl >= pos ? nl + 1 : buf.indexOf(10, pos) + 1 || buf.length;
        }
        pieces.push(buf.subarray(pos, end));
        pos = end;
      }
    }
    let next = 0;
    let active = 0;
    let failed = false;
    const done = () => {
      if (active > 0 || next < pieces.length) return;
      if (failed) stats.accessLogDropped += lines; else stats.accessLogWritten += lines;
      this.writing = false;
      // Nothing came in meanwhile: the chunk is written out and takes the next lines from its
      // start (memory that stays in cache, no new chunk).
      if (this.start === this.at) this.start = this.at = 0;
      this.flush();
    };
    // A write that failed: EAGAIN (a full non-blocking pipe) keeps the lines and tries again shortly.
    const failedWith = (err: unknown): boolean => {
      if ((err as NodeJS.ErrnoException).code === "EAGAIN") return true;
      failed = true;
      next = pieces.length;
      return false;
    };
    const writeNow = (): void => {
      while (next < pieces.length) {
        const piece = pieces[next]!;
        let n: number;
        try {
          n = writeSync(this.fd!, piece, 0, piece.length);
        } catch (err) {
          if (failedWith(err)) return void setTimeout(writeNow, RETRY_MS);
          break;
        }
        if (n < piece.length) pieces[next] = piece.subarray(n);
        else next++;
      }
      done();
    };
    const writeInPool = (): void => {
      while (active < MAX_IN_FLIGHT && next < pieces.length) {
        const at = next++;
        const piece = pieces[at]!;
        active++;
        write(this.fd!, piece, 0, piece.length, null, (err, n) => {
          active--;
          if (err) {
            if (failedWith(err)) {
              // Written again in order after what is in flight.
              pieces.push(piece);
              return void setTimeout(writeInPool, RETRY_MS);
            }
          } else if (n < piece.length) {
            pieces.push(piece.subarray(n));
          }
          writeInPool();
          done();
        });
      }
    };
    if (this.nonBlocking) writeNow(); else writeInPool();
  }

  private settle(): void {
    if (this.writing || this.scheduled || this.lines > 0) return;
    const w = this.waiters.splice(0);
    for (const f of w) f();
  }

  /** Closes a file destination once written (stdout/stderr stay open). */
  /** Closes the descriptor this sink opened (a file, its own pipe descriptor), now; lines not yet written are lost. */
  closeNow(): void {
    if (this.fd !== null && this.fd > 2) {
      try { closeSync(this.fd); } catch { /* already gone */ }
    }
    this.fd = null;
    this.failed = true;
  }

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

/**
 * Closes every sink of this thread (after flushAccessLogs, when the thread ends): descriptors
 * are the process's, a worker thread that exits does not close the ones it opened.
 */
export function closeAccessLogs(): void {
  for (const s of sinks.values()) s.closeNow();
  sinks.clear();
}
