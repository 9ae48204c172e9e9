// Many watch events, one rebuild: fire `debounceMs` after the last event of a burst, but
// never later than `maxWaitMs` after its first, so a steady stream still fires regularly.
// Time comes from an injected Scheduler so the unit test runs on a virtual clock.

export interface Scheduler {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realScheduler: Scheduler = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface CoalescerOptions {
  debounceMs?: number;
  maxWaitMs?: number;
  scheduler?: Scheduler;
}

export class Coalescer {
  private readonly debounceMs: number;
  private readonly maxWaitMs: number;
  private readonly scheduler: Scheduler;
  private burstStart: number | undefined;
  private timer: unknown;
  private closed = false;

  constructor(private readonly fire: () => void, opts: CoalescerOptions = {}) {
    this.debounceMs = opts.debounceMs ?? 100;
    this.maxWaitMs = opts.maxWaitMs ?? 500;
    this.scheduler = opts.scheduler ?? realScheduler;
  }

  /** Records one relevant event. */
  poke(): void {
    if (this.closed) return;
    const now = this.scheduler.now();
    this.burstStart ??= now;
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    const delay = Math.max(0, Math.min(this.debounceMs, this.burstStart + this.maxWaitMs - now));
    this.timer = this.scheduler.setTimeout(() => this.flush(), delay);
  }

  /** An event is waiting to be delivered. */
  get pending(): boolean {
    return this.timer !== undefined;
  }

  /** Drops any pending call; later pokes are ignored. */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    this.burstStart = undefined;
  }

  private flush(): void {
    this.timer = undefined;
    this.burstStart = undefined;
    this.fire();
  }
}
