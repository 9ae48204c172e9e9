// Idle timeouts without per-chunk work: one interval per port checks its sessions for
// progress (byte counters, activity flags) instead of refreshing a timer on every read/write.

/** A quarter of the timeout, between 25 ms and 1 s: a session idles at most ~1.25× the timeout. */
export function sweepPeriod(idleMs: number): number {
  return idleMs > 0 ? Math.max(25, Math.min(1000, Math.floor(idleMs / 4))) : 1000;
}

export class IdleSweep {
  private timer: NodeJS.Timeout | undefined;
  private period = 0;

  constructor(private readonly tick: (now: number) => void) {}

  /** Runs (or keeps running) with the period for this timeout. */
  start(idleMs: number): void {
    const p = sweepPeriod(idleMs);
    if (this.timer && p === this.period) return;
    this.stop();
    this.period = p;
    this.timer = setInterval(runTick, p, this);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** @internal */
  run(): void {
    this.tick(Date.now());
  }
}

function runTick(s: IdleSweep): void {
  try {
    s.run();
  } catch {
    // a sweep must never take the process down; the next one retries
  }
}
