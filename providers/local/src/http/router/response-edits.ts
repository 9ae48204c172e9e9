// ResponseHeaderModifier edits and their application to an upstream response's headers.
import type { HeaderModifierConfig } from "@gatehouse/ir";
import type { ResponseEdits } from "./types.js";

/** Shared by every decision without edits: never mutate it. */
export const NO_EDITS: ResponseEdits = Object.freeze({
  set: Object.freeze([]) as unknown as ResponseEdits["set"],
  add: Object.freeze([]) as unknown as ResponseEdits["add"],
  remove: Object.freeze([]) as unknown as string[],
});

export function isEmptyEdits(e: ResponseEdits): boolean {
  return e.set.length === 0 && e.add.length === 0 && e.remove.length === 0;
}

/** Appends one ResponseHeaderModifier to `into` (a fresh, unshared object). */
export function addModifier(into: ResponseEdits, cfg: Partial<HeaderModifierConfig>): void {
  for (const h of Array.isArray(cfg.set) ? cfg.set : []) into.set.push({ name: String(h.name), value: String(h.value) });
  for (const h of Array.isArray(cfg.add) ? cfg.add : []) into.add.push({ name: String(h.name), value: String(h.value) });
  for (const n of Array.isArray(cfg.remove) ? cfg.remove : []) into.remove.push(String(n));
}

type OutHeaders = Record<string, string | string[] | undefined>;

/** The key under which `headers` holds `name` (any case), or undefined. */
function findKey(headers: OutHeaders, lower: string): string | undefined {
  if (Object.hasOwn(headers, lower)) return lower;
  for (const k in headers) {
    if (k.length === lower.length && k.toLowerCase() === lower) return k;
  }
  return undefined;
}

/**
 * Applies edits (set, then add, then remove) to an upstream response header object in
 * place. Names are case-insensitive; edited headers end up under their lowercased name.
 */
export function applyResponseEdits(headers: OutHeaders, edits: ResponseEdits): void {
  for (const { name, value } of edits.set) {
    const lower = name.toLowerCase();
    const k = findKey(headers, lower);
    if (k !== undefined && k !== lower) delete headers[k];
    headers[lower] = value;
  }
  for (const { name, value } of edits.add) {
    const lower = name.toLowerCase();
    const k = findKey(headers, lower);
    const prev = k === undefined ? undefined : headers[k];
    if (k !== undefined && k !== lower) delete headers[k];
    headers[lower] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  for (const name of edits.remove) {
    const lower = name.toLowerCase();
    for (let k = findKey(headers, lower); k !== undefined; k = findKey(headers, lower)) delete headers[k];
  }
}
