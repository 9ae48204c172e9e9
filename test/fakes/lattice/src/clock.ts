// The fake's notion of time: async states (CREATE_IN_PROGRESS, DRAINING, …) end when this
// clock passes their deadline, so tests can step through them with advance().

export class Clock {
  private offset = 0;

  constructor(
    readonly mode: "real" | "manual",
    private readonly start: number,
    private readonly autoAdvanceMs: number,
  ) {}

  now(): number {
    return (this.mode === "real" ? Date.now() : this.start) + this.offset;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance(${ms}): need a finite ms ≥ 0`);
    this.offset += ms;
  }

  /** Called once per request. */
  tick(): void {
    if (this.mode === "manual" && this.autoAdvanceMs > 0) this.offset += this.autoAdvanceMs;
  }

  reset(): void {
    this.offset = 0;
  }
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
