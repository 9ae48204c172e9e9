// Route status: `status.parents` is shared with other controllers. We write one entry per
// ParentNode (a parentRef to one of our Gateways) and leave every other entry as it is.
//
// Provider errors: the spec has no route-level Programmed condition. A route a provider
// failed to program does not carry traffic on that parent, which is what Accepted=False
// means, so the error becomes Accepted=False with the provider's reason (Pending when the
// reason is not a valid condition reason) and message. A parent the graph already rejected
// keeps the graph's reason: that one is the user's to fix first.
import { COND, REASON, cond, type NodeCondition } from "@gatehouse/model";
import type { ParentNode, RouteNode } from "@gatehouse/graph";
import { findRouteError, type ProviderResults } from "@gatehouse/provider-api";
import { asArray, isObject, previousConditions, safeMessage, safeReason, toConditions, withCondition } from "./conditions.js";
import { indexOwned, mergeOwned, ownedId, type OwnedEntry } from "./owned.js";
import { echoParentRef, refKey } from "./refs.js";
import type { StatusUpdate } from "./types.js";

/** RouteStatus.parents maxItems. */
const MAX_PARENTS = 32;

export function parentConditions(route: RouteNode, p: ParentNode, results: readonly ProviderResults[]): NodeCondition[] {
  const err = findRouteError(results, p.controllerName, route.source, p.gatewayKey);
  if (!err) return p.conditions;
  const accepted = p.conditions.find((c) => c.type === COND.Accepted);
  if (accepted && accepted.status === "False") return p.conditions;
  const msg = safeMessage(err.message) || "no message";
  return withCondition(p.conditions, cond(COND.Accepted, false, safeReason(err.reason, REASON.Pending),
    `${p.controllerName} could not program this route on Gateway ${p.gatewayKey}: ${msg}`));
}

function statusOf(object: unknown): Record<string, unknown> {
  const s = isObject(object) ? object.status : undefined;
  return isObject(s) ? s : {};
}

export function routeStatus(
  route: RouteNode, ours: ReadonlySet<string>, results: readonly ProviderResults[], now: string,
): StatusUpdate {
  const old = statusOf(route.object);
  const keyOf = (e: Record<string, unknown>) => refKey(e.parentRef, route.namespace);
  const previous = indexOwned(old.parents, ours, keyOf);
  const spec = isObject(route.object) && isObject(route.object.spec) ? route.object.spec : {};
  const specRefs = asArray(spec.parentRefs);

  const fresh: OwnedEntry[] = [];
  for (const p of [...route.parents].sort((a, b) => a.index - b.index)) {
    const parentRef = echoParentRef(specRefs[p.index], p.ref);
    const k = refKey(parentRef, route.namespace)!;
    const prev = previous.get(ownedId(p.controllerName, k));
    fresh.push({
      controllerName: p.controllerName,
      refKey: k,
      value: {
        parentRef,
        controllerName: p.controllerName,
        conditions: toConditions(parentConditions(route, p, results), previousConditions(prev?.conditions), route.generation, now),
      },
    });
  }
  // Other fields of the route's status (none in v1.6) are kept as they are.
  const status: Record<string, unknown> = { ...old, parents: mergeOwned(old.parents, ours, fresh, keyOf, MAX_PARENTS) };
  return { kind: route.kind, namespace: route.namespace, name: route.name, generation: route.generation, status };
}
