// Which watch events wake a reconcile.
import type { JsonObject } from "./http.js";
import type { Kind } from "@gatehouse/model";

/**
 * A Gateway API object whose spec, labels, annotations, finalizers and deletion did not
 * change: only its status did (most often our own write). The cache takes the new copy,
 * but it wakes no reconcile — otherwise every status write would queue one, and the next
 * real change would wait out the debounce behind it. Status subresources keep
 * metadata.generation for spec changes only.
 */
export function statusOnly(kind: Kind, before: JsonObject | undefined, after: JsonObject | undefined): boolean {
  if (!before || !after || kind === "Namespace") return false;
  const b = rawMeta(before), a = rawMeta(after);
  return b["generation"] !== undefined && b["generation"] === a["generation"] &&
    same(b["labels"], a["labels"]) && same(b["annotations"], a["annotations"]) && same(b["finalizers"], a["finalizers"]) &&
    b["deletionTimestamp"] === a["deletionTimestamp"];
}

function rawMeta(o: JsonObject): JsonObject {
  const m = o["metadata"];
  return m && typeof m === "object" ? (m as JsonObject) : {};
}

function same(x: unknown, y: unknown): boolean {
  return JSON.stringify(x ?? null) === JSON.stringify(y ?? null);
}
