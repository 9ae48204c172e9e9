// Gateway status: Accepted from the graph, Programmed and addresses from the provider that owns
// the Gateway's class, and one status entry per listener.
import { COND, REASON, cond, type GatewayStatusAddress, type NodeCondition } from "@gatehouse/model";
import type { GatewayNode, ListenerNode } from "@gatehouse/graph";
import { findGatewayResult, type GatewayResult, type ProviderResults } from "@gatehouse/provider-api";
import { asArray, isObject, previousConditions, safeMessage, safeReason, toConditions, withCondition } from "./conditions.js";
import type { StatusUpdate } from "./types.js";

export function gatewayProgrammed(gw: GatewayNode, result: GatewayResult | undefined): NodeCondition {
  if (!gw.accepted) {
    return cond(COND.Programmed, false, REASON.Invalid, "the Gateway is not accepted, so it is not programmed");
  }
  if (!result) {
    return cond(COND.Programmed, false, REASON.Pending, `waiting for ${gw.controllerName} to program the gateway`);
  }
  if (result.programmed === true) {
    return cond(COND.Programmed, true, REASON.Programmed, safeMessage(result.message) || `programmed by ${gw.controllerName}`);
  }
  return cond(COND.Programmed, false, safeReason(result.reason, REASON.Invalid),
    safeMessage(result.message) || `${gw.controllerName} could not program the gateway`);
}

/** Why a listener the graph marked invalid is invalid: its first failing condition. */
function invalidMessage(l: ListenerNode): string {
  const bad = l.conditions.find((c) => (c.type === COND.Conflicted ? c.status === "True" : c.status === "False"));
  return bad ? `the listener is invalid: ${bad.message || bad.reason}` : "the listener is invalid";
}

export function listenerProgrammed(gw: GatewayNode, l: ListenerNode, result: GatewayResult | undefined): NodeCondition {
  if (!gw.accepted) return cond(COND.Programmed, false, REASON.Invalid, "the Gateway is not accepted");
  if (!l.valid) return cond(COND.Programmed, false, REASON.Invalid, invalidMessage(l));
  if (!result) return cond(COND.Programmed, false, REASON.Pending, `waiting for ${gw.controllerName} to program the gateway`);
  if (result.programmed !== true) {
    const why = safeMessage(result.message) || safeReason(result.reason, "not programmed");
    return cond(COND.Programmed, false, REASON.Pending, `the Gateway is not programmed: ${why}`);
  }
  const lr = asArray(result.listeners).find((x) => isObject(x) && x.name === l.name) as GatewayResult["listeners"][number] | undefined;
  // A provider that reports listeners must report every one it serves: a missing one is not programmed yet.
  if (!lr && asArray(result.listeners).length > 0) {
    return cond(COND.Programmed, false, REASON.Pending, `${gw.controllerName} has not reported the listener`);
  }
  if (lr && lr.programmed !== true) {
    return cond(COND.Programmed, false, safeReason(lr.reason, REASON.Pending),
      safeMessage(lr.message) || `${gw.controllerName} has not programmed the listener`);
  }
  return cond(COND.Programmed, true, REASON.Programmed, (lr && safeMessage(lr.message)) || "the listener is programmed");
}

/** Provider addresses, kept to the spec's {type?, value} shape. */
function addresses(result: GatewayResult | undefined): GatewayStatusAddress[] {
  const out: GatewayStatusAddress[] = [];
  for (const a of asArray(result?.addresses)) {
    if (!isObject(a) || typeof a.value !== "string" || a.value === "") continue;
    out.push(typeof a.type === "string" ? { type: a.type, value: a.value } : { value: a.value });
  }
  return out;
}

export function gatewayStatus(gw: GatewayNode, results: readonly ProviderResults[], now: string): StatusUpdate {
  const old = isObject(gw.object?.status) ? gw.object.status as Record<string, unknown> : {};
  const result = findGatewayResult(results, gw.controllerName, gw.key);
  const conditions = withCondition(gw.conditions, gatewayProgrammed(gw, result));

  // Previous listener entries by name, to carry their transition times.
  const oldListeners = new Map<string, unknown>();
  for (const l of asArray(old.listeners)) {
    if (isObject(l) && typeof l.name === "string" && !oldListeners.has(l.name)) oldListeners.set(l.name, l.conditions);
  }
  const listeners = gw.listeners.map((l) => ({
    name: l.name,
    supportedKinds: l.supportedKinds.map((k) => ({ group: k.group, kind: k.kind })),
    attachedRoutes: l.attachedRoutes,
    conditions: toConditions(withCondition(l.conditions, listenerProgrammed(gw, l, result)),
      previousConditions(oldListeners.get(l.name)), gw.generation, now),
  }));

  const status: Record<string, unknown> = {};
  const addrs = addresses(result);
  if (addrs.length > 0) status.addresses = addrs;
  status.conditions = toConditions(conditions, previousConditions(old.conditions), gw.generation, now);
  status.listeners = listeners;
  return { kind: "Gateway", namespace: gw.namespace, name: gw.name, generation: gw.generation, status };
}
