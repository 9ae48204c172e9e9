import type { RouteKind } from "@gatehouse/model";
import type { ListenerNode } from "../types.js";

/**
 * May a route of this kind, in this namespace, attach to the listener?
 * `namespaceLabels` returns the labels of a Namespace (undefined if it does not exist).
 */
export function listenerAllowsRoute(
  _listener: ListenerNode,
  _gatewayNamespace: string,
  _route: { kind: RouteKind; namespace: string },
  _namespaceLabels: (namespace: string) => Record<string, string> | undefined,
): { kind: boolean; namespace: boolean } {
  // STUB: replaced by the gateways work.
  return { kind: true, namespace: true };
}
