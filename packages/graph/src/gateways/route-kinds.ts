import { GATEWAY_GROUP, isRouteKind, type Capabilities, type RouteKind } from "@gatehouse/model";
import { arr, isObj, show } from "../json.js";

/** Route kinds that can carry each listener protocol, in the order we report them. */
const PROTOCOL_KINDS: Record<string, RouteKind[]> = {
  HTTP: ["HTTPRoute", "GRPCRoute"],
  HTTPS: ["HTTPRoute", "GRPCRoute"],
  TLS: ["TLSRoute"],
  TCP: ["TCPRoute"],
  UDP: ["UDPRoute"],
};

export interface RouteKindsResult {
  supportedKinds: { group: string; kind: RouteKind }[];
  /** One message per invalid allowedRoutes.kinds entry (→ ResolvedRefs=False InvalidRouteKinds). */
  invalid: string[];
}

/**
 * allowedRoutes.kinds → the kinds this listener accepts. Unspecified or empty: every kind
 * compatible with the protocol that the class supports. Listed kinds that are unknown,
 * in another group, incompatible with the protocol or unsupported by the class are
 * reported and left out of supportedKinds.
 */
export function resolveRouteKinds(protocol: string, kinds: unknown, caps: Capabilities, path: string): RouteKindsResult {
  const compatible = PROTOCOL_KINDS[protocol] ?? [];
  const classKinds = Array.isArray(caps.routeKinds) ? caps.routeKinds : [];
  const usable = compatible.filter((k) => classKinds.includes(k));
  const list = arr(kinds);
  if (list.length === 0) return { supportedKinds: usable.map((kind) => ({ group: GATEWAY_GROUP, kind })), invalid: [] };

  const supported: RouteKind[] = [];
  const invalid: string[] = [];
  list.forEach((entry, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(entry)) return void invalid.push(`${p}: must be an object with a kind`);
    const group = entry.group === undefined || entry.group === null ? GATEWAY_GROUP : entry.group;
    const kind = entry.kind;
    if (group !== GATEWAY_GROUP) {
      return void invalid.push(`${p}.group: ${show(group)} is not ${GATEWAY_GROUP}`);
    }
    if (typeof kind !== "string" || !isRouteKind(kind)) {
      return void invalid.push(`${p}.kind: ${show(kind)} is not a supported route kind`);
    }
    if (!compatible.includes(kind)) {
      return void invalid.push(`${p}.kind: ${kind} cannot attach to a ${protocol} listener (compatible: ${compatible.join(", ") || "none"})`);
    }
    if (!classKinds.includes(kind)) {
      return void invalid.push(`${p}.kind: ${kind} is not supported by this GatewayClass`);
    }
    if (!supported.includes(kind)) supported.push(kind);
  });
  return { supportedKinds: supported.map((kind) => ({ group: GATEWAY_GROUP, kind })), invalid };
}
