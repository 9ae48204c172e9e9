// Stable JSON and hashes: spec fingerprints (what changed?) and client tokens (which create is
// this?) must be the same for the same input in every process, so a restarted controller
// recognises what it created before.
import { createHash } from "node:crypto";

/** JSON with sorted keys and undefined members dropped. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

export function sha(s: string, hexChars = 16): string {
  return createHash("sha256").update(s).digest("hex").slice(0, hexChars);
}

/** Fingerprint of a desired spec. */
export function specHash(spec: unknown): string {
  return sha(stableJson(spec), 12);
}

/**
 * Client token of a create: the resource identity, the parameters sent and a salt. The salt
 * moves on when the token's resource turns out to be deleted (a token replays its first
 * result forever), deterministically, so a restarted controller walks the same sequence.
 */
export function clientToken(identity: string, params: unknown, salt: number): string {
  return `gh-${sha(`${identity}\n${stableJson(params)}\n${salt}`, 48)}`;
}
