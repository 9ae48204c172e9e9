// GatewayNode → IRGateway.
import type { GatewayNode, RouteNode } from "@gatehouse/graph";
import type { IRGateway, IRListener } from "./types.js";
import { attachmentsByListener } from "./attachments.js";
import { buildListener } from "./listeners.js";
import { buildPorts } from "./ports.js";
import { str } from "./util.js";
import type { IRMemo } from "./memo.js";

export function buildGateway(g: GatewayNode, routes: readonly RouteNode[], memo?: IRMemo): IRGateway {
  const attachments = attachmentsByListener(g, routes, memo);
  const listeners: IRListener[] = [];
  for (const l of g.listeners ?? []) {
    const atts = attachments.get(l.name) ?? [];
    const ir = memo
      ? memo.listener(JSON.stringify([g.key, l.name]), l, atts, () => buildListener(l, atts, memo, g.key))
      : buildListener(l, atts);
    if (ir) listeners.push(ir);
  }
  const out: IRGateway = {
    key: g.key,
    source: g.source,
    namespace: g.namespace,
    name: g.name,
    className: g.className,
    controllerName: g.controllerName,
    addresses: (g.addresses ?? []).map((a) => ({ type: str(a.type) ?? "IPAddress", value: str(a.value) ?? "" })),
    listeners,
    ports: buildPorts(listeners),
  };
  if (g.parameters) {
    const p = g.parameters;
    out.parameters = { group: p.group, kind: p.kind, ...(p.namespace !== undefined ? { namespace: p.namespace } : {}), name: p.name, spec: structuredClone(p.spec) };
  }
  if (g.infrastructure) {
    out.infrastructure = { labels: { ...g.infrastructure.labels }, annotations: { ...g.infrastructure.annotations } };
  }
  return out;
}
