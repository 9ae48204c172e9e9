// Readers for untrusted JSON: any field may be missing or of the wrong type.

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function obj(v: unknown): Obj | undefined { return isObj(v) ? v : undefined; }
/** The value as a plain record, or {} when it is not one. */
export function rec(v: unknown): Obj { return isObj(v) ? v : {}; }
export function arr(v: unknown): unknown[] { return Array.isArray(v) ? v : []; }
export function str(v: unknown): string | undefined { return typeof v === "string" ? v : undefined; }
export function isInt(v: unknown): v is number { return typeof v === "number" && Number.isInteger(v); }

/** Only the string-valued entries of a map (labels, annotations, options), keys sorted. */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObj(v)) return out;
  for (const k of Object.keys(v).sort()) {
    const val = v[k];
    if (typeof val === "string") out[k] = val;
  }
  return out;
}

/** JSON for messages: never throws, long values shortened. */
export function show(v: unknown): string {
  let s: string;
  try {
    s = v === undefined ? "undefined" : JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** "core" and "" both mean the core group. */
export function coreGroup(g: unknown): boolean {
  return g === undefined || g === "" || g === "core";
}

export function cmp(a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0; }
