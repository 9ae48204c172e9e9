// Small pure helpers shared by the IR builders and views. Inputs come from the graph, which
// already validated them, but the graph itself was built from untrusted JSON: stay defensive.

export function cmp(a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0; }

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined { return typeof v === "string" ? v : undefined; }

export function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

export function list(v: unknown): unknown[] { return Array.isArray(v) ? v : []; }

export function strings(v: unknown): string[] {
  return list(v).filter((x): x is string => typeof x === "string");
}

/** Sorted copy; never sorts in place so graph arrays stay untouched. */
export function sortedBy<T>(items: readonly T[], key: (t: T) => string): T[] {
  return [...items].sort((a, b) => cmp(key(a), key(b)));
}

/** Rule and match indices out of `<kind>/<ns>/<name>/rule/<i>/match/<j>`. */
export function sourceIndices(source: string): { rule: number; match: number } {
  const m = /\/rule\/(\d+)(?:\/match\/(\d+))?/.exec(source);
  return { rule: m ? Number(m[1]) : 0, match: m?.[2] !== undefined ? Number(m[2]) : 0 };
}
