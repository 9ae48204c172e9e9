// Plain JSON helpers: stable hashing, deterministic request ids, and the comparison of a
// desired body with a resource as read back (which carries server defaults and output fields).
import { createHash } from "node:crypto";

export type Json = Record<string, unknown>;

export function isObj(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** JSON with object keys sorted (hash input). */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(",")}]`;
  if (isObj(v)) {
    return `{${Object.keys(v).filter((k) => v[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableStringify(v[k])}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

export function hashOf(v: unknown, length = 12): string {
  return createHash("sha256").update(typeof v === "string" ? v : stableStringify(v)).digest("hex").slice(0, length);
}

/** A deterministic RFC 4122 (version 5 layout) UUID from `identity`: the same change gets the same requestId. */
export function requestIdFor(identity: string): string {
  const h = createHash("sha256").update(identity).digest("hex").split("");
  h[12] = "5";
  h[16] = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = h.join("");
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}

function emptyish(v: unknown): boolean {
  return v === undefined || v === null || v === false || v === 0 || v === "" || (Array.isArray(v) && v.length === 0) ||
    (isObj(v) && Object.values(v).every(emptyish));
}

/**
 * Whether everything `want` sets is in `have` (server defaults and output-only fields in
 * `have` are ignored; proto3 defaults — false, 0, "", [] — equal absence; numbers equal
 * their int64 string form). Arrays must match element by element.
 */
export function covers(have: unknown, want: unknown): boolean {
  if (emptyish(want)) return emptyish(have) || (isObj(want) && isObj(have) && Object.keys(want).every((k) => covers(have[k], want[k])));
  if (Array.isArray(want)) {
    return Array.isArray(have) && have.length === want.length && want.every((w, i) => covers(have[i], w));
  }
  if (isObj(want)) return isObj(have) && Object.keys(want).every((k) => covers(have[k], want[k]));
  if (typeof want === "number" || typeof have === "number") return String(want) === String(have);
  return want === have;
}

/** Drops undefined fields, empty arrays and empty objects (the API treats them as unset). */
export function compact<T>(v: T): T {
  if (Array.isArray(v)) return v.map(compact) as T;
  if (isObj(v)) {
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      const c = compact(x);
      if (c === undefined || (Array.isArray(c) && c.length === 0) || (isObj(c) && Object.keys(c).length === 0)) continue;
      out[k] = c;
    }
    return out as T;
  }
  return v;
}
