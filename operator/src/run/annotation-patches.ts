// Provider results → the annotation patches still to write: for each Gateway/route a result
// names, the keys whose value differs from what the cached object carries (null: remove a key
// the object has). Pure, so the reconciler's decision is testable without a cluster.
import { ROUTE_KINDS, type Meta } from "@gatehouse/model";
import type { ProviderResults } from "@gatehouse/provider-api";
import type { ObjectRef } from "./tokens.js";

export interface AnnotationPatch { ref: ObjectRef; annotations: Record<string, string | null> }

const KIND_BY_LOWER = new Map<string, string>([["gateway", "Gateway"], ...ROUTE_KINDS.map((k) => [k.toLowerCase(), k] as [string, string])]);

/** `httproute/ns/name` → HTTPRoute ns/name; Gateway results carry `ns/name`. */
function routeRef(route: string): ObjectRef | undefined {
  const [kind = "", namespace = "", name = ""] = route.split("/");
  const k = KIND_BY_LOWER.get(kind.toLowerCase());
  return k && namespace && name ? { kind: k, namespace, name } : undefined;
}

export function annotationPatches(results: readonly ProviderResults[], live: (ref: ObjectRef) => Meta | undefined): AnnotationPatch[] {
  const wanted = new Map<string, { ref: ObjectRef; annotations: Record<string, string | null> }>();
  const add = (ref: ObjectRef | undefined, a: Record<string, string | null> | undefined) => {
    if (!ref || !a || typeof a !== "object") return;
    const key = `${ref.kind}/${ref.namespace}/${ref.name}`;
    let w = wanted.get(key);
    if (!w) wanted.set(key, (w = { ref, annotations: {} }));
    for (const [k, v] of Object.entries(a)) if (typeof v === "string" || v === null) w.annotations[k] = v;
  };
  for (const r of results) {
    for (const g of r?.gateways ?? []) {
      const [namespace = "", name = ""] = String(g?.key ?? "").split("/");
      add(namespace && name ? { kind: "Gateway", namespace, name } : undefined, g?.annotations);
    }
    for (const rt of r?.routes ?? []) add(routeRef(String(rt?.route ?? "")), rt?.annotations);
  }
  const out: AnnotationPatch[] = [];
  for (const key of [...wanted.keys()].sort()) {
    const { ref, annotations } = wanted.get(key)!;
    const obj = live(ref);
    if (!obj || obj.metadata?.deletionTimestamp) continue;
    const have = (obj.metadata?.annotations ?? {}) as Record<string, unknown>;
    const diff: Record<string, string | null> = {};
    for (const k of Object.keys(annotations).sort()) {
      const v = annotations[k]!;
      if (v === null ? k in have : have[k] !== v) diff[k] = v;
    }
    if (Object.keys(diff).length > 0) out.push({ ref, annotations: diff });
  }
  return out;
}
