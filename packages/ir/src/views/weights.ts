// Gateway API weights (0..1,000,000) scaled into a provider's range, keeping proportions and
// never turning a non-zero weight into 0 (that would silently drop a backend).

export function scaleWeights(weights: readonly number[], max: number): number[] {
  const top = Math.max(0, ...weights);
  if (top <= max) return weights.map((w) => Math.max(0, Math.round(w)));
  return weights.map((w) => (w <= 0 ? 0 : Math.max(1, Math.round((w * max) / top))));
}
