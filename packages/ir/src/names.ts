// Cloud resource names: sanitize to the provider's alphabet and length, and add a short
// stable hash of the full identity whenever the readable part lost information (characters
// replaced, truncated, prefix forced), so two different identities never share a name.
import { shortHash } from "./hash.js";

export interface NameRules {
  min: number;
  max: number;
  /** Names must start with a letter (GCP RFC 1035). */
  leadingLetter?: boolean;
  /** Prefixes the provider reserves (Lattice: `svc-`, `tg-`, `rule-`, `listener-`). */
  reservedPrefixes?: readonly string[];
  hashLength?: number;
}

export interface FittedName { name: string; hashed: boolean }

function sanitize(raw: string): string {
  return raw.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/-{2,}/g, "-").replace(/^-+|-+$/g, "");
}

/**
 * `readable` joined from parts with `-`; `identity` is what makes the resource unique (the
 * hash input). `forceHash` adds the hash even when nothing was lost (to split collisions).
 */
export function fitName(parts: string[], identity: string, rules: NameRules, forceHash = false): FittedName {
  const raw = parts.join("-");
  let base = sanitize(raw);
  let lossy = base !== raw;
  if (rules.leadingLetter && !/^[a-z]/.test(base)) { base = base ? `x-${base}` : "x"; lossy = true; }
  for (const p of rules.reservedPrefixes ?? []) {
    if (base.startsWith(p)) { base = `gh-${base}`; lossy = true; }
  }
  if (!lossy && !forceHash && base.length >= rules.min && base.length <= rules.max) {
    return { name: base, hashed: false };
  }
  const h = shortHash(identity, rules.hashLength ?? 8);
  let head = base.slice(0, Math.max(0, rules.max - h.length - 1)).replace(/-+$/, "");
  if (!head && rules.leadingLetter) head = "x";
  // A reserved prefix may reappear after truncation (e.g. "gh-" cut to "")—guard again.
  let name = head ? `${head}-${h}` : h;
  if (rules.leadingLetter && !/^[a-z]/.test(name)) name = `x${name}`.slice(0, rules.max);
  for (const p of rules.reservedPrefixes ?? []) if (name.startsWith(p)) name = `x${name}`.slice(0, rules.max);
  name = name.replace(/-+$/, "");
  return { name, hashed: true };
}
