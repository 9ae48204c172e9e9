// Objects that left the graph (no parentRef to our Gateways any more, policy no longer used by
// our routes) but still carry entries of ours: those entries are removed, others kept.
import { ROUTE_KINDS, generationOf, keyOf, nameOf, namespaceOf, type Meta, type Snapshot } from "@gatehouse/model";
import type { Graph } from "@gatehouse/graph";
import { asArray, isObject } from "./conditions.js";
import type { StatusKind, StatusUpdate } from "./types.js";

function withoutOurs(
  kind: StatusKind, o: Meta & { status?: unknown }, field: "parents" | "ancestors", ours: ReadonlySet<string>,
): StatusUpdate | undefined {
  const status = isObject(o.status) ? o.status : undefined;
  if (!status) return undefined;
  const list = asArray(status[field]);
  const kept = list.filter((e) => !(isObject(e) && typeof e.controllerName === "string" && ours.has(e.controllerName)));
  if (kept.length === list.length) return undefined;
  return {
    kind, namespace: namespaceOf(o), name: nameOf(o), generation: generationOf(o),
    status: { ...status, [field]: kept },
  };
}

export function pruneStale(snapshot: Snapshot, graph: Graph, ours: ReadonlySet<string>): StatusUpdate[] {
  const out: StatusUpdate[] = [];
  if (ours.size === 0 || !isObject(snapshot)) return out;
  let inGraph: Set<string> | undefined; // built only when some object carries entries of ours
  for (const kind of ROUTE_KINDS) {
    for (const o of asArray(snapshot[kind])) {
      if (!isObject(o) || !nameOf(o as Meta) || !isObject(o.status)) continue;
      const u = withoutOurs(kind, o as Meta, "parents", ours);
      if (!u) continue;
      inGraph ??= new Set(graph.routes.map((r) => `${r.kind}/${r.key}`));
      if (!inGraph.has(`${kind}/${keyOf(o as Meta)}`)) out.push(u);
    }
  }
  const policies = new Set(graph.backendTLSPolicies.map((p) => p.key));
  for (const o of asArray(snapshot.BackendTLSPolicy)) {
    if (!isObject(o) || !nameOf(o as Meta) || policies.has(keyOf(o as Meta))) continue;
    const u = withoutOurs("BackendTLSPolicy", o as Meta, "ancestors", ours);
    if (u) out.push(u);
  }
  return out;
}
