// Smooth weighted round robin (the nginx algorithm): over any window of sum(weights) picks,
// each item is chosen exactly `weight` times, interleaved rather than in runs. Weight 0 never.

export class WeightedPicker<T> {
  private readonly items: T[] = [];
  private readonly weights: number[] = [];
  private readonly current: number[] = [];
  private total = 0;

  constructor(entries: readonly { item: T; weight: number }[]) {
    for (const e of entries) {
      const w = Number.isFinite(e.weight) && e.weight > 0 ? Math.floor(e.weight) : 0;
      if (w === 0) continue;
      this.items.push(e.item);
      this.weights.push(w);
      this.current.push(0);
      this.total += w;
    }
  }

  get size(): number {
    return this.items.length;
  }

  /** undefined when no item has a positive weight. */
  pick(): T | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    if (n === 1) return this.items[0];
    let best = 0;
    for (let i = 0; i < n; i++) {
      const c = this.current[i]! + this.weights[i]!;
      this.current[i] = c;
      if (c > this.current[best]!) best = i;
    }
    this.current[best] = this.current[best]! - this.total;
    return this.items[best];
  }
}
