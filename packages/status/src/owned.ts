// Lists shared between controllers (route `status.parents`, policy `status.ancestors`): each
// controller owns its entries, keyed by (controllerName, reference). We replace ours in place,
// drop our stale ones, append new ones, and never move or touch anyone else's — moving them
// would make two controllers rewrite each other's order forever.
import { asArray, isObject } from "./conditions.js";

export interface OwnedEntry {
  controllerName: string;
  /** Normalized reference key (see refKey). */
  refKey: string;
  value: Record<string, unknown>;
}

export function ownedId(controllerName: string, refKey: string): string {
  return `${controllerName}\u0000${refKey}`;
}

/** Existing entries of ours, by id (first wins), to read previous conditions from. */
export function indexOwned(
  existing: unknown, ours: ReadonlySet<string>, keyOf: (entry: Record<string, unknown>) => string | undefined,
): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const e of asArray(existing)) {
    if (!isObject(e) || typeof e.controllerName !== "string" || !ours.has(e.controllerName)) continue;
    const k = keyOf(e);
    if (k === undefined) continue;
    const id = ownedId(e.controllerName, k);
    if (!out.has(id)) out.set(id, e);
  }
  return out;
}

/**
 * The merged list. `fresh` is ours in the order new entries should be appended; `max` is the
 * CRD's maxItems: when over it, our appended entries are cut from the end (others are kept).
 */
export function mergeOwned(
  existing: unknown, ours: ReadonlySet<string>, fresh: readonly OwnedEntry[],
  keyOf: (entry: Record<string, unknown>) => string | undefined, max: number,
): unknown[] {
  const byId = new Map<string, OwnedEntry>();
  for (const f of fresh) {
    const id = ownedId(f.controllerName, f.refKey);
    if (!byId.has(id)) byId.set(id, f);
  }
  const out: { value: unknown; ours: boolean }[] = [];
  const emitted = new Set<string>();
  for (const e of asArray(existing)) {
    const mine = isObject(e) && typeof e.controllerName === "string" && ours.has(e.controllerName);
    if (!mine) { out.push({ value: e, ours: false }); continue; }
    const k = keyOf(e);
    const id = k === undefined ? undefined : ownedId(e.controllerName as string, k);
    const f = id === undefined ? undefined : byId.get(id);
    if (f && id !== undefined && !emitted.has(id)) {
      out.push({ value: f.value, ours: true });
      emitted.add(id);
    } // else: a stale or duplicated entry of ours, dropped
  }
  for (const [id, f] of byId) {
    if (!emitted.has(id)) { out.push({ value: f.value, ours: true }); emitted.add(id); }
  }
  for (let i = out.length - 1; out.length > max && i >= 0; i--) {
    if (out[i]!.ours) out.splice(i, 1);
  }
  return out.map((x) => x.value);
}
