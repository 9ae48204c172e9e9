// Guards for untrusted JSON: any field may be missing or of the wrong type.

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Only the string-valued entries of a map (labels, annotations, options). */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  for (const k of Object.keys(v).sort()) {
    const val = v[k];
    if (typeof val === "string") out[k] = val;
  }
  return out;
}

/** JSON.stringify for messages, short and safe for any value. */
export function show(v: unknown): string {
  const s = v === undefined ? "undefined" : JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** "core" and "" both mean the core group. */
export function coreGroup(g: unknown): boolean {
  return g === undefined || g === "" || g === "core";
}

export function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The value as a plain record, or {} when it is not one. */
export function rec(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}
