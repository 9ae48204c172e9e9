// Many watch events, one rebuild. After a quiet period the first event fires at once (on the
// next tick, so the rest of that watch chunk is included): a single change is not delayed.
// Events that follow within `debounceMs` of a fire form a burst that fires `debounceMs` after
// its last event, but never later than `maxWaitMs` after its first, so a steady stream still
// fires regularly. Time comes from an injected Scheduler so the unit test runs on a virtual clock.

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
  /** The pending timer is a leading-edge fire (due at once): later events ride along. */
  private leading = false;
  private lastFire: number | undefined;
  private closed = false;

  constructor(private readonly fire: () => void, opts: CoalescerOptions = {}) {
    this.debounceMs = opts.debounceMs ?? 100;
    this.maxWaitMs = opts.maxWaitMs ?? 500;
    this.scheduler = opts.scheduler ?? realScheduler;
  }

  /** Records one relevant event. */
  poke(): void {
    if (this.closed) return;
    if (this.leading) return;
    const now = this.scheduler.now();
    if (this.timer === undefined && (this.lastFire === undefined || now - this.lastFire >= this.debounceMs)) {
      this.leading = true;
      this.timer = this.scheduler.setTimeout(() => this.flush(), 0);
      return;
    }
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
    this.leading = false;
  }

  private flush(): void {
    this.timer = undefined;
    this.burstStart = undefined;
    this.leading = false;
    this.lastFire = this.scheduler.now();
    this.fire();
  }
}
