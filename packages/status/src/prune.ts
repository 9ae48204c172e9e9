// Objects that left the graph (no parentRef to our Gateways any more, policy no longer used by
// our routes) but still carry entries of ours: those entries are removed, others kept.
import { ROUTE_KINDS, generationOf, keyOf, nameOf, namespaceOf, type Meta, type Snapshot } from "@gatehouse/model";
import type { Graph } from "@gatehouse/graph";
import { asArray, isObject } from "./conditions.js";
import type { StatusKind, StatusUpdate } from "./types.js";
import type { StatusMemo } from "./memo.js";

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

export function pruneStale(snapshot: Snapshot, graph: Graph, ours: ReadonlySet<string>, memo?: StatusMemo): StatusUpdate[] {
  const out: StatusUpdate[] = [];
  if (ours.size === 0 || !isObject(snapshot)) return out;
  // Built only when some object carries entries of ours. A route object is in the graph when
  // its node holds it (by identity; no key strings to build), else when a node has its key.
  let nodes: Map<string, Set<unknown>> | undefined;
  let keys: Set<string> | undefined;
  const inGraph = (kind: string, o: Meta): boolean => {
    if (!nodes) {
      nodes = new Map();
      for (const r of graph.routes) {
        let set = nodes.get(r.kind);
        if (!set) nodes.set(r.kind, (set = new Set()));
        set.add(r.object);
      }
    }
    if (nodes.get(kind)?.has(o)) return true;
    keys ??= new Set(graph.routes.map((r) => `${r.kind}/${r.key}`));
    return keys.has(`${kind}/${keyOf(o)}`);
  };
  const oursKey = memo ? [...ours].sort().join("\u0000") : "";
  for (const kind of ROUTE_KINDS) {
    for (const o of asArray(snapshot[kind])) {
      if (!isObject(o) || !nameOf(o as Meta) || !isObject(o.status)) continue;
      const u = memo
        ? memo.pruned(o, kind, oursKey, () => withoutOurs(kind, o as Meta, "parents", ours))
        : withoutOurs(kind, o as Meta, "parents", ours);
      if (u && !inGraph(kind, o as Meta)) out.push(u);
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
