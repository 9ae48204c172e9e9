// BackendTLSPolicy status: `status.ancestors` is shared with other controllers; we write one
// entry per Gateway of ours whose routes use a Service the policy targets.
import { GATEWAY_GROUP, namespaceOf, nameOf } from "@gatehouse/model";
import type { BackendTLSPolicyNode } from "@gatehouse/graph";
import { isObject, previousConditions, toConditions } from "./conditions.js";
import { indexOwned, mergeOwned, ownedId, type OwnedEntry } from "./owned.js";
import { refKey, splitKey } from "./refs.js";
import type { StatusUpdate } from "./types.js";

/** PolicyStatus.ancestors maxItems. */
const MAX_ANCESTORS = 16;

export function policyStatus(node: BackendTLSPolicyNode, ours: ReadonlySet<string>, now: string): StatusUpdate {
  const fromKey = splitKey(node.key);
  const namespace = namespaceOf(node.object ?? {}) || fromKey.namespace;
  const name = nameOf(node.object ?? {}) || fromKey.name;
  const old = isObject(node.object?.status) ? node.object.status as Record<string, unknown> : {};
  const keyOf = (e: Record<string, unknown>) => refKey(e.ancestorRef, namespace);
  const previous = indexOwned(old.ancestors, ours, keyOf);

  const ancestors = [...node.ancestors].sort((a, b) =>
    a.gatewayKey < b.gatewayKey ? -1 : a.gatewayKey > b.gatewayKey ? 1
      : a.controllerName < b.controllerName ? -1 : a.controllerName > b.controllerName ? 1 : 0);
  const fresh: OwnedEntry[] = ancestors.map((a) => {
    const gw = splitKey(a.gatewayKey);
    const ancestorRef = { group: GATEWAY_GROUP, kind: "Gateway", namespace: gw.namespace, name: gw.name };
    const k = refKey(ancestorRef, namespace)!;
    const prev = previous.get(ownedId(a.controllerName, k));
    return {
      controllerName: a.controllerName,
      refKey: k,
      value: {
        ancestorRef,
        controllerName: a.controllerName,
        conditions: toConditions(a.conditions, previousConditions(prev?.conditions), node.generation, now),
      },
    };
  });
  const status: Record<string, unknown> = { ...old, ancestors: mergeOwned(old.ancestors, ours, fresh, keyOf, MAX_ANCESTORS) };
  return { kind: "BackendTLSPolicy", namespace, name, generation: node.generation, status };
}
