// Valid listeners grouped by port: one socket / forwarding rule each.
import { compareHostnames } from "@gatehouse/graph";
import type { IRListener, IRPort } from "./types.js";
import { cmp } from "./util.js";

/**
 * Ports ascending; listeners most specific hostname first (the order a data plane tries them
 * for listener isolation). The graph marks incompatible protocols on one port as conflicted;
 * the compatible mix HTTPS + TLS shares a TLS socket and is reported as "TLS" (SNI decides).
 */
export function buildPorts(listeners: readonly IRListener[]): IRPort[] {
  const byPort = new Map<number, IRListener[]>();
  for (const l of listeners) {
    let group = byPort.get(l.port);
    if (!group) byPort.set(l.port, (group = []));
    group.push(l);
  }
  return [...byPort.keys()].sort((a, b) => a - b).map((port) => {
    const group = byPort.get(port)!.sort((a, b) =>
      compareHostnames(a.hostname ?? "*", b.hostname ?? "*") || cmp(a.name, b.name));
    const protocols = new Set(group.map((l) => l.protocol));
    const protocol = protocols.size === 1 ? group[0]!.protocol : protocols.has("TLS") ? "TLS" : group[0]!.protocol;
    return { port, protocol, listeners: group.map((l) => l.name) };
  });
}
