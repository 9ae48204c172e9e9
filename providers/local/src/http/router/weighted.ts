// Smooth weighted round robin (nginx's algorithm): each pick adds every weight to its
// running score, takes the highest score and subtracts the total from it. Over every cycle
// of `total` picks each backend is chosen exactly `weight` times, interleaved evenly.
import type { IRBackend } from "@gatehouse/ir";

export class SmoothPicker {
  /** Backend list + weights this state belongs to; a reload keeps the state only when equal. */
  readonly signature: string;
  /** Indexes into the rule's backends of those with weight > 0 (weight 0 is never picked). */
  private readonly index: Int32Array;
  private readonly weight: Float64Array;
  private readonly current: Float64Array;
  private readonly total: number;

  constructor(backends: readonly IRBackend[], signature: string) {
    this.signature = signature;
    const idx: number[] = [];
    for (let i = 0; i < backends.length; i++) {
      const w = backends[i]!.weight;
      if (typeof w === "number" && Number.isFinite(w) && w > 0) idx.push(i);
    }
    this.index = Int32Array.from(idx);
    this.weight = Float64Array.from(idx.map((i) => backends[i]!.weight));
    this.current = new Float64Array(idx.length);
    let total = 0;
    for (const w of this.weight) total += w;
    this.total = total;
  }

  /** Index into the backend list, or -1 when no backend has weight. */
  pick(): number {
    const n = this.index.length;
    if (n === 0) return -1;
    if (n === 1) return this.index[0]!;
    const cur = this.current, w = this.weight;
    let best = 0, bestScore = -Infinity;
    for (let i = 0; i < n; i++) {
      const s = (cur[i] = cur[i]! + w[i]!);
      if (s > bestScore) { bestScore = s; best = i; }
    }
    cur[best] = cur[best]! - this.total;
    return this.index[best]!;
  }
}

/** `id=weight` of every backend in order: what must stay equal for a picker to be reused. */
export function pickerSignature(backends: readonly IRBackend[]): string {
  let s = "";
  for (const b of backends) s += `${b.source}|${b.id}=${b.weight}${b.invalid ? "!" : ""};`;
  return s;
}
