// Byte sizes: an integer, or a Kubernetes quantity string ("16Ki", "1Mi", "512k").

const QUANTITY = /^([0-9]+)(Ki|Mi|Gi|k|M|G)?$/;
const FACTOR: Record<string, number> = { "": 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1e3, M: 1e6, G: 1e9 };

/** Bytes, or undefined when `v` is neither a non-negative integer nor a quantity string. */
export function parseBytes(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  if (typeof v !== "string") return undefined;
  const m = QUANTITY.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]) * FACTOR[m[2] ?? ""]!;
  return Number.isSafeInteger(n) ? n : undefined;
}
