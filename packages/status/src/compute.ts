import type { Graph } from "@gatehouse/graph";
import { asArray } from "./conditions.js";
import { gatewayClassStatus } from "./gatewayclass.js";
import { gatewayStatus } from "./gateway.js";
import { policyStatus } from "./policies.js";
import { pruneStale } from "./prune.js";
import { routeStatus } from "./routes.js";
import type { StatusMemo } from "./memo.js";
import type { StatusInput, StatusKind, StatusUpdate } from "./types.js";

/** Output order: classes, Gateways, routes, policies (then namespace, name). */
const KIND_ORDER: readonly StatusKind[] = [
  "GatewayClass", "Gateway", "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute", "BackendTLSPolicy",
];

function cmp(a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0; }

export function compareUpdates(a: StatusUpdate, b: StatusUpdate): number {
  return (KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind)) || cmp(a.namespace, b.namespace) || cmp(a.name, b.name);
}

/** Every controllerName whose entries in shared status lists are ours to rewrite or remove. */
export function ourControllers(input: Pick<StatusInput, "graph" | "results" | "controllerNames">): Set<string> {
  const ours = new Set<string>();
  for (const n of asArray(input.controllerNames)) if (typeof n === "string" && n) ours.add(n);
  for (const c of input.graph.gatewayClasses) if (c.capabilities?.controllerName) ours.add(c.capabilities.controllerName);
  for (const g of input.graph.gateways) if (g.controllerName) ours.add(g.controllerName);
  for (const r of input.graph.routes) for (const p of r.parents) if (p.controllerName) ours.add(p.controllerName);
  for (const b of input.graph.backendTLSPolicies) for (const a of b.ancestors) if (a.controllerName) ours.add(a.controllerName);
  for (const r of asArray(input.results)) {
    const n = (r as { controllerName?: unknown } | null)?.controllerName;
    if (typeof n === "string" && n) ours.add(n);
  }
  return ours;
}

/**
 * The `.status` of every object we write status to, sorted by kind, namespace, name. Pure: the
 * same input gives the same output. It includes objects whose status is already up to date;
 * the operator skips those with `statusChanged(object.status, update.status)`.
 */
export function computeStatuses(input: StatusInput, memo?: StatusMemo): StatusUpdate[] {
  const graph: Graph = input.graph;
  const results = Array.isArray(input.results) ? input.results : [];
  const now = input.now;
  const ours = ourControllers(input);
  const out: StatusUpdate[] = [];
  for (const c of graph.gatewayClasses) out.push(gatewayClassStatus(c, now));
  for (const g of graph.gateways) out.push(gatewayStatus(g, results, now));
  if (memo) {
    const oursKey = [...ours].sort().join("\u0000");
    for (const r of graph.routes) out.push(memo.route(r, oursKey, results, now, () => routeStatus(r, ours, results, now)));
  } else {
    for (const r of graph.routes) out.push(routeStatus(r, ours, results, now));
  }
  for (const p of graph.backendTLSPolicies) out.push(policyStatus(p, ours, now));
  if (input.snapshot) out.push(...pruneStale(input.snapshot, graph, ours, memo));
  return memo ? memo.sorted(out, compareUpdates) : out.sort(compareUpdates);
}
