import type { RouteKind } from "@gatehouse/model";
import type { AllowedNamespaces, LabelSelectorRequirement, ListenerNode } from "../types.js";
import { arr, isObj, show } from "../json.js";

/** Label the API server puts on every Namespace; objects in a snapshot may lack it. */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/**
 * May a route of this kind, in this namespace, attach to the listener?
 * `namespaceLabels` returns the labels of a Namespace (undefined if it does not exist).
 * The listener's own validity is not checked here.
 */
export function listenerAllowsRoute(
  listener: ListenerNode,
  gatewayNamespace: string,
  route: { kind: RouteKind; namespace: string },
  namespaceLabels: (namespace: string) => Record<string, string> | undefined,
): { kind: boolean; namespace: boolean } {
  const kind = listener.supportedKinds.some((k) => k.kind === route.kind);
  return { kind, namespace: namespaceAllowed(listener.allowedNamespaces, gatewayNamespace, route.namespace, namespaceLabels) };
}

export function namespaceAllowed(
  allowed: AllowedNamespaces,
  gatewayNamespace: string,
  routeNamespace: string,
  namespaceLabels: (namespace: string) => Record<string, string> | undefined,
): boolean {
  switch (allowed.from) {
    case "All": return true;
    case "Same": return routeNamespace === gatewayNamespace;
    case "Selector": {
      const labels = namespaceLabels(routeNamespace);
      // A Namespace we cannot see selects nothing.
      if (!labels) return false;
      return selectorMatches(allowed, { ...labels, [NAMESPACE_NAME_LABEL]: routeNamespace });
    }
  }
}

/** Kubernetes label selector semantics: every matchLabels entry and every expression must hold. */
export function selectorMatches(
  sel: { matchLabels: Record<string, string>; matchExpressions: LabelSelectorRequirement[] },
  labels: Record<string, string>,
): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels)) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const val = labels[e.key];
    switch (e.operator) {
      case "In": if (!has || !e.values.includes(val!)) return false; break;
      case "NotIn": if (has && e.values.includes(val!)) return false; break;
      case "Exists": if (!has) return false; break;
      case "DoesNotExist": if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/**
 * spec.listeners[i].allowedRoutes.namespaces → AllowedNamespaces (default Same), or the
 * problems found, each naming its field path.
 */
export function parseAllowedNamespaces(v: unknown, path: string): { value: AllowedNamespaces; errors: string[] } {
  const errors: string[] = [];
  if (v === undefined || v === null) return { value: { from: "Same" }, errors };
  if (!isObj(v)) return { value: { from: "Same" }, errors: [`${path}: must be an object`] };
  const from = v.from ?? "Same";
  if (from === "Same" || from === "All") return { value: { from }, errors };
  if (from !== "Selector") {
    return { value: { from: "Same" }, errors: [`${path}.from: ${show(from)} is not one of All, Same, Selector`] };
  }
  const sel = v.selector;
  if (!isObj(sel)) return { value: { from: "Same" }, errors: [`${path}.selector: required when from is Selector`] };

  const matchLabels: Record<string, string> = {};
  if (sel.matchLabels !== undefined && sel.matchLabels !== null) {
    if (!isObj(sel.matchLabels)) errors.push(`${path}.selector.matchLabels: must be a map of strings`);
    else {
      for (const k of Object.keys(sel.matchLabels).sort()) {
        const val = sel.matchLabels[k];
        if (typeof val === "string") matchLabels[k] = val;
        else errors.push(`${path}.selector.matchLabels.${k}: must be a string`);
      }
    }
  }
  const matchExpressions: LabelSelectorRequirement[] = [];
  if (sel.matchExpressions !== undefined && sel.matchExpressions !== null && !Array.isArray(sel.matchExpressions)) {
    errors.push(`${path}.selector.matchExpressions: must be a list`);
  }
  arr(sel.matchExpressions).forEach((e, i) => {
    const p = `${path}.selector.matchExpressions[${i}]`;
    if (!isObj(e) || typeof e.key !== "string" || e.key === "") return void errors.push(`${p}.key: required`);
    const op = e.operator;
    const values = arr(e.values).filter((x): x is string => typeof x === "string");
    if (op === "In" || op === "NotIn") {
      if (values.length === 0) return void errors.push(`${p}.values: must be non-empty for operator ${op}`);
    } else if (op === "Exists" || op === "DoesNotExist") {
      if (arr(e.values).length > 0) return void errors.push(`${p}.values: must be empty for operator ${op}`);
    } else {
      return void errors.push(`${p}.operator: ${show(op)} is not one of In, NotIn, Exists, DoesNotExist`);
    }
    matchExpressions.push({ key: e.key, operator: op, values: [...values].sort() });
  });
  if (errors.length > 0) return { value: { from: "Same" }, errors };
  return { value: { from: "Selector", matchLabels, matchExpressions }, errors };
}
