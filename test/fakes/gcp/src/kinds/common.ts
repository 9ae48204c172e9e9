import { isIPv4 } from "node:net";
import { ApiError, invalidField, required } from "../errors.js";
import type { Json } from "../json.js";
import { isObj, num, str } from "../json.js";
import { type Scope, parseRef, selfLink } from "../links.js";
import type { PrepareCtx } from "./types.js";

/** Fields the server owns; a body's values for them are ignored. */
export const OUTPUT_ONLY = ["kind", "id", "creationTimestamp", "selfLink", "selfLinkWithId", "region", "zone", "fingerprint", "labelFingerprint"];

export function stripOutputOnly(body: Json, extra: readonly string[] = []): Json {
  const out: Json = { ...body };
  for (const k of [...OUTPUT_ONLY, ...extra]) delete out[k];
  return out;
}

export function enumOf(body: Json, key: string, field: string, allowed: readonly string[], dflt?: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === "") {
    if (dflt !== undefined) body[key] = dflt;
    return dflt;
  }
  if (typeof v !== "string" || !allowed.includes(v)) throw invalidField(field, v, `Must be one of [${allowed.join(", ")}]`);
  return v;
}

export function intIn(body: Json, key: string, field: string, min: number, max: number, dflt?: number): number | undefined {
  const raw = body[key];
  if (raw === undefined) {
    if (dflt !== undefined) body[key] = dflt;
    return dflt;
  }
  const v = num(raw);
  if (v === undefined || !Number.isInteger(v) || v < min || v > max) throw invalidField(field, raw, `Must be between ${min} and ${max}.`);
  body[key] = v;
  return v;
}

export function lengthIn(value: unknown, field: string, min: number, max: number): string {
  if (typeof value !== "string" || value.length < min || value.length > max) {
    throw invalidField(field, value, `Must be from ${min} to ${max} characters.`);
  }
  return value;
}

/** "Only one of a, b or c must be set" — returns the key that is set. */
export function exactlyOne(o: Json, keys: readonly string[], field: string, allowNone = false): string | undefined {
  const set = keys.filter((k) => o[k] !== undefined && o[k] !== "" && o[k] !== false);
  if (set.length > 1 || (!allowNone && set.length === 0)) {
    throw new ApiError(400, `Invalid value for field '${field}': exactly one of ${keys.join(", ")} must be set (found ${set.length ? set.join(", ") : "none"}).`, "invalid");
  }
  return set[0];
}

/** Canonical full URL of a referenced resource (the API returns references as full URLs). */
export function refLink(ctx: PrepareCtx, value: unknown, field: string, collections: readonly string[], opts?: { scope?: Scope }): string {
  return selfLink(ctx.ref(value, field, collections, opts).path);
}

/**
 * A reference to something the fake does not model (networks, subnetworks, instances):
 * checked for form and normalized to a full URL, never looked up.
 */
export function foreignLink(ctx: PrepareCtx, value: unknown, field: string, collection: string, bareScope: Scope): string {
  if (typeof value !== "string" || value === "") throw invalidField(field, value, "The URL is malformed.");
  const r = parseRef(value, ctx.project, { collection, scope: bareScope });
  if (!r || r.collection !== collection) throw invalidField(field, value, "The URL is malformed.");
  return selfLink(r.path);
}

export function requireStr(body: Json, key: string, field: string): string {
  const v = str(body[key]);
  if (v === undefined) throw required(field);
  return v;
}

export function checkIPv4(value: unknown, field: string): string {
  if (typeof value !== "string" || !isIPv4(value)) throw invalidField(field, value, "Must be a valid IPv4 address.");
  return value;
}

export function checkCidr(value: unknown, field: string): string {
  const m = typeof value === "string" ? /^([^/]+)(?:\/(\d{1,2}))?$/.exec(value) : null;
  if (!m || !isIPv4(m[1]!) || (m[2] !== undefined && Number(m[2]) > 32)) throw invalidField(field, value, "Must be a valid CIDR range.");
  return value as string;
}

/** Duration { seconds (int64 as string or number), nanos } within the API's bounds. */
export function checkDuration(v: unknown, field: string, maxSeconds = 315_576_000_000): Json {
  if (!isObj(v)) throw invalidField(field, v, "Must be a Duration.");
  const seconds = num(v["seconds"] ?? 0);
  const nanos = num(v["nanos"] ?? 0);
  if (seconds === undefined || !Number.isInteger(seconds) || seconds < 0 || seconds > maxSeconds) throw invalidField(`${field}.seconds`, v["seconds"], `Must be between 0 and ${maxSeconds}.`);
  if (nanos === undefined || !Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) throw invalidField(`${field}.nanos`, v["nanos"], "Must be between 0 and 999999999.");
  const out: Json = {};
  if (seconds) out["seconds"] = String(seconds);
  if (nanos) out["nanos"] = nanos;
  return out;
}
