// Stable short hashes for resource names (no crypto module: the core stays free of Node APIs).

/** 32-bit FNV-1a of a string's UTF-16 code units, with a seed for a second independent value. */
function fnv1a(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** `length` lowercase base-36 characters (≤ 12), the same for the same input forever. */
export function shortHash(s: string, length = 8): string {
  const a = fnv1a(s, 0).toString(36).padStart(7, "0");
  const b = fnv1a(s, 0x9e3779b9).toString(36).padStart(7, "0");
  return (a + b).slice(0, Math.min(length, 12));
}
