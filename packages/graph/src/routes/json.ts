// Readers for untrusted JSON: every field may be missing or of the wrong type.

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function obj(v: unknown): Obj | undefined { return isObj(v) ? v : undefined; }
export function arr(v: unknown): unknown[] { return Array.isArray(v) ? v : []; }
export function str(v: unknown): string | undefined { return typeof v === "string" ? v : undefined; }
export function isInt(v: unknown): v is number { return typeof v === "number" && Number.isInteger(v); }

/** JSON.stringify for messages; never throws. */
export function show(v: unknown): string {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s;
  } catch {
    return String(v);
  }
}
