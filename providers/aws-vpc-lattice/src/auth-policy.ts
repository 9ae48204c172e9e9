// The service network's auth policy (LatticeConfig spec.serviceNetwork.authPolicy): an IAM
// policy document given as an object. Validated here (untrusted input), sent as compact JSON
// with sorted keys, and compared by the fingerprint of that normalized form, so a policy read
// back from Lattice (any key order, any spacing) matches the configured one when it means the same.
import { specHash, stableJson } from "./hash.js";

/**
 * Lattice's auth policy size quota is 10 KB and not adjustable; the API model has capped the
 * policy string at 10000 characters. The compact JSON must fit both.
 */
export const AUTH_POLICY_MAX_BYTES = 10_000;

const VERSIONS = ["2012-10-17", "2008-10-17"] as const;
const EFFECTS = ["Allow", "Deny"] as const;
/** IAM documents are shallow (Statement → Condition → operator → key → values); deeper is a mistake or an attack. */
const MAX_DEPTH = 32;

export type AuthPolicyCheck = { ok: true; doc: Record<string, unknown>; text: string } | { ok: false; field: string; message: string };

const show = (v: unknown) => (v === undefined ? "undefined" : JSON.stringify(v) ?? String(v));
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** The first value that JSON cannot carry (a YAML date, NaN…), with its field path. */
function nonJson(v: unknown, field: string, depth: number): { field: string; message: string } | undefined {
  if (depth > MAX_DEPTH) return { field, message: `${field}: nested deeper than ${MAX_DEPTH} levels` };
  if (v === null || typeof v === "string" || typeof v === "boolean") return undefined;
  if (typeof v === "number") return Number.isFinite(v) ? undefined : { field, message: `${field}: ${String(v)} is not a JSON number` };
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const bad = nonJson(v[i], `${field}[${i}]`, depth + 1);
      if (bad) return bad;
    }
    return undefined;
  }
  if (isObject(v) && Object.getPrototypeOf(v) === Object.prototype) {
    for (const k of Object.keys(v)) {
      const bad = nonJson(v[k], `${field}.${k}`, depth + 1);
      if (bad) return bad;
    }
    return undefined;
  }
  return { field, message: `${field}: not a JSON value` };
}

/** Validates `spec.serviceNetwork.authPolicy` (any JSON); `field` is its path. */
export function checkAuthPolicy(v: unknown, field: string): AuthPolicyCheck {
  const bad = (f: string, message: string): AuthPolicyCheck => ({ ok: false, field: f, message: `${f}: ${message}` });
  if (!isObject(v)) return bad(field, `must be an IAM policy document (an object with Version and Statement), got ${show(v)}`);
  const wrong = nonJson(v, field, 0);
  if (wrong) return { ok: false, ...wrong };
  if (v["Version"] === undefined) return bad(`${field}.Version`, `required (the IAM policy language version, ${VERSIONS[0]})`);
  if (!VERSIONS.includes(v["Version"] as (typeof VERSIONS)[number])) return bad(`${field}.Version`, `${show(v["Version"])} is not one of ${VERSIONS.join(", ")}`);
  const st = v["Statement"];
  if (st === undefined) return bad(`${field}.Statement`, "required (a list of statements)");
  if (!Array.isArray(st)) return bad(`${field}.Statement`, `must be a list of statements, got ${show(st)}`);
  if (st.length === 0) return bad(`${field}.Statement`, "must hold at least one statement");
  for (let i = 0; i < st.length; i++) {
    const s = st[i] as unknown;
    const f = `${field}.Statement[${i}]`;
    if (!isObject(s)) return bad(f, `must be an object, got ${show(s)}`);
    if (!EFFECTS.includes(s["Effect"] as (typeof EFFECTS)[number])) return bad(`${f}.Effect`, `${show(s["Effect"])} is not one of ${EFFECTS.join(", ")}`);
  }
  const text = stableJson(v);
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > AUTH_POLICY_MAX_BYTES) {
    return bad(field, `${bytes} bytes as JSON exceed the ${AUTH_POLICY_MAX_BYTES} VPC Lattice takes (auth policy size quota, 10 KB, not adjustable)`);
  }
  return { ok: true, doc: JSON.parse(text) as Record<string, unknown>, text };
}

/** Fingerprint of a policy document (normalized JSON). */
export function policyFingerprint(doc: unknown): string {
  return specHash(doc);
}

/** Fingerprint of a policy as Lattice returns it; undefined when there is none (or it is not JSON). */
export function storedFingerprint(text: string | undefined): string | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  try {
    return policyFingerprint(JSON.parse(text) as unknown);
  } catch {
    return `unparsable:${specHash(text)}`;
  }
}
