// The status writer computes from the informer's copy of an object, which may be older than
// what the API server holds when the write happens (another controller wrote its entry in
// between, another replica stamped a condition). Before writing, the writer rebases our
// computed status onto the object's current status: our entries from the computation, every
// other controller's entries (and their order) from the current object, and condition
// transition times from the current object whenever a condition's status did not change.
import { asArray, isObject } from "./conditions.js";
import { mergeOwned, type OwnedEntry } from "./owned.js";
import { refKey } from "./refs.js";
import type { StatusKind } from "./types.js";

/** RouteStatus.parents and PolicyStatus.ancestors maxItems (as in routes.ts/policies.ts). */
const MAX_PARENTS = 32;
const MAX_ANCESTORS = 16;

export interface RebaseTarget {
  kind: StatusKind;
  /** The object's namespace ("" for GatewayClass): the default namespace of parent references. */
  namespace: string;
}

function isOurs(e: unknown, ours: ReadonlySet<string>): e is Record<string, unknown> {
  return isObject(e) && typeof e.controllerName === "string" && ours.has(e.controllerName);
}

/**
 * Conditions of `next` with lastTransitionTime taken from the condition of the same type in
 * `current` when its status is the same (so a rewrite never moves a transition time).
 */
export function keepTransitionTimes(next: unknown, current: unknown): unknown {
  if (!Array.isArray(next)) return next;
  const times = new Map<string, { status: unknown; lastTransitionTime: unknown }>();
  for (const c of asArray(current)) {
    if (isObject(c) && typeof c.type === "string" && !times.has(c.type)) times.set(c.type, c as { status: unknown; lastTransitionTime: unknown });
  }
  return next.map((c) => {
    if (!isObject(c) || typeof c.type !== "string") return c;
    const prev = times.get(c.type);
    if (!prev || prev.status !== c.status || typeof prev.lastTransitionTime !== "string" || !prev.lastTransitionTime) return c;
    return prev.lastTransitionTime === c.lastTransitionTime ? c : { ...c, lastTransitionTime: prev.lastTransitionTime };
  });
}

function rebaseShared(
  field: "parents" | "ancestors", refField: "parentRef" | "ancestorRef", max: number,
  target: RebaseTarget, current: Record<string, unknown>, computed: Record<string, unknown>, ours: ReadonlySet<string>,
): Record<string, unknown> {
  const keyOf = (e: Record<string, unknown>) => refKey(e[refField], target.namespace);
  const currentOurs = new Map<string, Record<string, unknown>>();
  for (const e of asArray(current[field])) {
    if (!isOurs(e, ours)) continue;
    const k = keyOf(e);
    const id = k === undefined ? undefined : `${e.controllerName as string}\u0000${k}`;
    if (id !== undefined && !currentOurs.has(id)) currentOurs.set(id, e);
  }
  const fresh: OwnedEntry[] = [];
  for (const e of asArray(computed[field])) {
    if (!isOurs(e, ours)) continue; // other controllers' entries come from `current`
    const k = keyOf(e);
    if (k === undefined) continue;
    const controllerName = e.controllerName as string;
    const prev = currentOurs.get(`${controllerName}\u0000${k}`);
    const value = prev ? { ...e, conditions: keepTransitionTimes(e.conditions, prev.conditions) } : e;
    fresh.push({ controllerName, refKey: k, value });
  }
  return { ...current, [field]: mergeOwned(current[field], ours, fresh, keyOf, max) };
}

/**
 * The `.status` to write, given our computed one (`computed`, from StatusUpdate.status) and the
 * object's status as the API server holds it now (`current`; anything when it has none).
 * GatewayClass and Gateway status are wholly ours; for routes and BackendTLSPolicy only the
 * entries whose controllerName is in `ours` are ours. Pure; compare the result with `current`
 * using statusChanged to skip a write that would change nothing.
 */
export function rebaseStatus(
  target: RebaseTarget, current: unknown, computed: Record<string, unknown>, ours: ReadonlySet<string>,
): Record<string, unknown> {
  const cur = isObject(current) ? current : {};
  switch (target.kind) {
    case "GatewayClass":
      return { ...computed, conditions: keepTransitionTimes(computed.conditions, cur.conditions) };
    case "Gateway": {
      const out: Record<string, unknown> = { ...computed, conditions: keepTransitionTimes(computed.conditions, cur.conditions) };
      if (Array.isArray(computed.listeners)) {
        const old = new Map<string, unknown>();
        for (const l of asArray(cur.listeners)) {
          if (isObject(l) && typeof l.name === "string" && !old.has(l.name)) old.set(l.name, l.conditions);
        }
        out.listeners = computed.listeners.map((l) =>
          isObject(l) && typeof l.name === "string" && old.has(l.name)
            ? { ...l, conditions: keepTransitionTimes(l.conditions, old.get(l.name)) }
            : l);
      }
      return out;
    }
    case "BackendTLSPolicy":
      return rebaseShared("ancestors", "ancestorRef", MAX_ANCESTORS, target, cur, computed, ours);
    default:
      return rebaseShared("parents", "parentRef", MAX_PARENTS, target, cur, computed, ours);
  }
}
