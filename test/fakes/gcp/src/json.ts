/** Small readers for untrusted JSON bodies, and the merge used by PATCH. */
export type Json = Record<string, unknown>;

export function isObj(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function obj(v: unknown): Json | undefined {
  return isObj(v) ? v : undefined;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** Proto3 JSON sends int64 as a string and int32 as a number; accept both. */
export function num(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return undefined;
}

export function clone<T>(v: T): T {
  return structuredClone(v);
}

/**
 * JSON merge patch (RFC 7396), which is what Compute's PATCH methods document: objects
 * merge member by member, anything else (arrays included) replaces, null removes.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch);
  const out: Json = isObj(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Drops empty containers and empty strings the client's proto3 serializer may send. */
export function prune(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(prune);
  if (!isObj(v)) return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) {
    const p = prune(x);
    if (p === undefined || p === "" || (isObj(p) && Object.keys(p).length === 0) || (Array.isArray(p) && p.length === 0)) continue;
    out[k] = p;
  }
  return out;
}
