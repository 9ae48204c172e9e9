import type { ReferenceGrant } from "@gatehouse/model";
import { GATEWAY_GROUP, namespaceOf } from "@gatehouse/model";

export interface RefFrom { group: string; kind: string; namespace: string }
export interface RefTo { group: string; kind: string; namespace: string; name: string }

/**
 * ReferenceGrant lookup: may an object of `from` refer to `to` in another namespace?
 * Same-namespace references are always allowed.
 */
export class ReferenceGrants {
  // key: `${toNamespace}|${fromGroup}|${fromKind}|${fromNamespace}|${toGroup}|${toKind}` → allowed names ("" = all)
  private readonly index = new Map<string, Set<string>>();

  constructor(grants: readonly ReferenceGrant[]) {
    for (const g of grants) {
      const ns = namespaceOf(g);
      const froms = Array.isArray(g.spec?.from) ? g.spec.from : [];
      const tos = Array.isArray(g.spec?.to) ? g.spec.to : [];
      for (const f of froms) {
        if (!f || typeof f.namespace !== "string" || typeof f.kind !== "string") continue;
        for (const t of tos) {
          if (!t || typeof t.kind !== "string") continue;
          const k = key(ns, f.group ?? "", f.kind, f.namespace, t.group ?? "", t.kind);
          let names = this.index.get(k);
          if (!names) this.index.set(k, (names = new Set()));
          names.add(typeof t.name === "string" ? t.name : "");
        }
      }
    }
  }

  allowed(from: RefFrom, to: RefTo): boolean {
    if (from.namespace === to.namespace) return true;
    const names = this.index.get(key(to.namespace, from.group, from.kind, from.namespace, to.group, to.kind));
    return !!names && (names.has("") || names.has(to.name));
  }
}

function key(toNs: string, fg: string, fk: string, fns: string, tg: string, tk: string): string {
  return `${toNs}|${normGroup(fg)}|${fk}|${fns}|${normGroup(tg)}|${tk}`;
}

/** "core" and "" both mean the core group. */
function normGroup(g: string): string { return g === "core" ? "" : g; }

export { GATEWAY_GROUP };
