// parentRefs → the Gateways (ours) a route names, and which of their listeners it attaches to.
import type { Capabilities, RouteKind } from "@gatehouse/model";
import { FEATURE, GATEWAY_GROUP, REASON } from "@gatehouse/model";
import type { GatewayNode, ListenerNode, NormalizedParentRef } from "../types.js";
import { listenerAllowsRoute } from "../gateways/allowed-routes.js";
import { intersectHostnames } from "../hostnames.js";
import { arr, isInt, obj, str } from "../json.js";
import { ROUTE_REASON } from "./reasons.js";

export interface ParentCandidate {
  index: number;
  ref: NormalizedParentRef;
  gateway: GatewayNode;
  capabilities: Capabilities;
}

/**
 * parentRefs that name one of our Gateways, in spec order. Refs to other kinds or to
 * Gateways we do not own are skipped (their status belongs to someone else); an exact
 * duplicate of an earlier ref is skipped too (it would repeat a status entry).
 */
export function parentCandidates(
  spec: unknown, routeNamespace: string,
  gateways: ReadonlyMap<string, GatewayNode>, classes: ReadonlyMap<string, Capabilities>,
): ParentCandidate[] {
  const out: ParentCandidate[] = [];
  const seen = new Set<string>();
  arr(obj(spec)?.parentRefs).forEach((raw, index) => {
    const p = obj(raw);
    if (!p) return;
    const group = p.group === undefined ? GATEWAY_GROUP : str(p.group);
    const kind = p.kind === undefined ? "Gateway" : str(p.kind);
    const name = str(p.name);
    if (group !== GATEWAY_GROUP || kind !== "Gateway" || !name) return;
    const ref: NormalizedParentRef = { group, kind, namespace: str(p.namespace) || routeNamespace, name };
    const sectionName = str(p.sectionName);
    if (sectionName) ref.sectionName = sectionName;
    if (isInt(p.port)) ref.port = p.port;
    const gateway = gateways.get(`${ref.namespace}/${ref.name}`);
    const capabilities = gateway && classes.get(gateway.className);
    if (!gateway || !capabilities) return;
    const id = JSON.stringify([ref.namespace, ref.name, ref.sectionName, ref.port]);
    if (seen.has(id)) return;
    seen.add(id);
    out.push({ index, ref, gateway, capabilities });
  });
  return out;
}

export interface RouteFacts {
  kind: RouteKind;
  namespace: string;
  /** Valid spec.hostnames (ignored for TCPRoute/UDPRoute). */
  hostnames: string[];
}

export interface Attachment {
  /** Listeners the route attaches to, with the effective hostnames there ([] = any). */
  listeners: { listener: ListenerNode; hostnames: string[] }[];
  /** Why the parentRef is not accepted (Accepted=False), if it is not. */
  failure?: { reason: string; message: string };
}

/**
 * Attachment per the spec: sectionName/port select listeners (NoMatchingParent), the
 * listener must allow the route's kind and namespace (NotAllowedByListeners), and the
 * hostnames must intersect (NoMatchingListenerHostname). Listener validity does not
 * matter: the spec counts attachedRoutes on listeners that are not Accepted too, and
 * the IR only programs valid listeners.
 */
export function attach(
  c: ParentCandidate, route: RouteFacts,
  namespaceLabels: (ns: string) => Record<string, string> | undefined,
): Attachment {
  const gw = c.gateway;
  const gwName = `Gateway ${gw.key}`;
  if (!c.capabilities.routeKinds.includes(route.kind)) {
    return fail(REASON.NotAllowedByListeners, `${route.kind} is not supported by ${c.capabilities.controllerName} (class ${gw.className})`);
  }
  if (c.ref.port !== undefined && route.kind === "HTTPRoute" && !c.capabilities.features.includes(FEATURE.HTTPRouteParentRefPort)) {
    return fail(REASON.UnsupportedValue, `spec.parentRefs[${c.index}].port: attaching by port is not supported by ${c.capabilities.controllerName}`);
  }
  const selected = gw.listeners.filter((l) =>
    (c.ref.sectionName === undefined || l.name === c.ref.sectionName) && (c.ref.port === undefined || l.port === c.ref.port));
  if (selected.length === 0) {
    const what = [
      c.ref.sectionName !== undefined ? `named "${c.ref.sectionName}"` : "",
      c.ref.port !== undefined ? `on port ${c.ref.port}` : "",
    ].filter(Boolean).join(" ");
    return fail(REASON.NoMatchingParent, `${gwName} has no listener${what ? " " + what : "s"}`);
  }
  const checks = selected.map((l) => ({ l, ok: listenerAllowsRoute(l, gw.namespace, { kind: route.kind, namespace: route.namespace }, namespaceLabels) }));
  const allowed = checks.filter((x) => x.ok.kind && x.ok.namespace).map((x) => x.l);
  if (allowed.length === 0) {
    const kindOk = checks.some((x) => x.ok.kind);
    return fail(REASON.NotAllowedByListeners, kindOk
      ? `no listener of ${gwName} (${names(selected)}) allows routes from namespace "${route.namespace}"`
      : `no listener of ${gwName} (${names(selected)}) allows ${route.kind}`);
  }
  const l4 = route.kind === "TCPRoute" || route.kind === "UDPRoute";
  const listeners: Attachment["listeners"] = [];
  for (const l of allowed) {
    const hostnames = l4 ? [] : intersectHostnames(l.hostname, route.hostnames);
    if (hostnames) listeners.push({ listener: l, hostnames });
  }
  if (listeners.length === 0) {
    return fail(REASON.NoMatchingListenerHostname,
      `no hostname of ${route.hostnames.join(", ")} matches a listener hostname of ${gwName} (${allowed.map((l) => `${l.name}: ${l.hostname ?? "*"}`).join(", ")})`);
  }
  if (!gw.accepted) return { listeners, failure: { reason: REASON.NoMatchingParent, message: `${gwName} is not accepted` } };
  // Attached (and counted in attachedRoutes) but served nowhere: say so rather than "accepted".
  if (listeners.every((x) => !x.listener.valid)) {
    return { listeners, failure: { reason: ROUTE_REASON.NoReadyListeners,
      message: `the listeners this route attaches to on ${gwName} (${listeners.map((x) => x.listener.name).join(", ")}) are not valid; see the Gateway's listener conditions` } };
  }
  return { listeners };
}

function fail(reason: string, message: string): Attachment {
  return { listeners: [], failure: { reason, message } };
}

function names(ls: readonly ListenerNode[]): string {
  return ls.map((l) => l.name).join(", ");
}
