// Which watch events wake a reconcile.
import type { JsonObject } from "./http.js";
import type { Kind } from "@gatehouse/model";
import { SERVICE_LABEL } from "../gateway-services/names.js";

/**
 * A Gateway API object whose spec, labels, annotations, finalizers and deletion did not
 * change: only its status did (most often our own write). The cache takes the new copy,
 * but it wakes no reconcile — otherwise every status write would queue one, and the next
 * real change would wait out the debounce behind it. Status subresources keep
 * metadata.generation for spec changes only.
 */
export function statusOnly(kind: Kind, before: JsonObject | undefined, after: JsonObject | undefined): boolean {
  if (!before || !after || kind === "Namespace") return false;
  const b = rawMeta(before), a = rawMeta(after);
  return b["generation"] !== undefined && b["generation"] === a["generation"] &&
    same(b["labels"], a["labels"]) && same(b["annotations"], a["annotations"]) && same(b["finalizers"], a["finalizers"]) &&
    b["deletionTimestamp"] === a["deletionTimestamp"];
}

function rawMeta(o: JsonObject): JsonObject {
  const m = o["metadata"];
  return m && typeof m === "object" ? (m as JsonObject) : {};
}

function same(x: unknown, y: unknown): boolean {
  return JSON.stringify(x ?? null) === JSON.stringify(y ?? null);
}

/** Looks objects up in the watch cache. */
export interface Lookup {
  gatewayClass(name: string): JsonObject | undefined;
  gateway(key: string): JsonObject | undefined;
}

const GATEWAY_GROUP = "gateway.networking.k8s.io";
const ROUTES: ReadonlySet<string> = new Set(["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"]);

/**
 * Does this version of a GatewayClass, Gateway or route belong to one of our controllers?
 * (issue: "only our GatewayClasses' objects trigger work"). A class by its controllerName, a
 * Gateway by its class, a route by a parentRef to one of our Gateways. Other kinds: true.
 * Callers check both the old and the new version, so moving away from us still counts.
 */
export function ours(kind: Kind, o: JsonObject | undefined, controllers: ReadonlySet<string>, cache: Lookup): boolean {
  if (!o) return false;
  const spec = (o["spec"] && typeof o["spec"] === "object" ? o["spec"] : {}) as JsonObject;
  if (kind === "GatewayClass") return typeof spec["controllerName"] === "string" && controllers.has(spec["controllerName"]);
  if (kind === "Gateway") {
    const cls = typeof spec["gatewayClassName"] === "string" ? cache.gatewayClass(spec["gatewayClassName"]) : undefined;
    return ours("GatewayClass", cls, controllers, cache);
  }
  if (!ROUTES.has(kind)) return true;
  const ns = typeof rawMeta(o)["namespace"] === "string" ? (rawMeta(o)["namespace"] as string) : "";
  const refs = Array.isArray(spec["parentRefs"]) ? spec["parentRefs"] : [];
  return refs.some((r: unknown) => {
    if (!r || typeof r !== "object") return false;
    const ref = r as JsonObject;
    if ((ref["group"] ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (ref["kind"] ?? "Gateway") !== "Gateway") return false;
    if (typeof ref["name"] !== "string") return false;
    const key = `${typeof ref["namespace"] === "string" ? ref["namespace"] : ns}/${ref["name"]}`;
    return ours("Gateway", cache.gateway(key), controllers, cache);
  });
}

/**
 * A Service the operator keeps for a local Gateway (label SERVICE_LABEL): any change but our
 * own no-op (same spec, status and metadata we read) wakes a reconcile, so a load balancer's
 * address appears in the Gateway's status and a deleted or edited Service is put back.
 * Services are not status-only filtered: their address lives in status.
 */
export function gatewayServiceChanged(before: JsonObject | undefined, after: JsonObject | undefined): boolean | undefined {
  const ours = (o: JsonObject | undefined) => {
    const labels = rawMeta(o ?? {})["labels"];
    return !!labels && typeof labels === "object" && (labels as JsonObject)[SERVICE_LABEL] === "true";
  };
  if (!ours(before) && !ours(after)) return undefined;
  if (!before || !after) return true;
  const b = rawMeta(before), a = rawMeta(after);
  return !same(before["spec"], after["spec"]) || !same(before["status"], after["status"]) ||
    !same(b["labels"], a["labels"]) || !same(b["annotations"], a["annotations"]) ||
    !same(b["ownerReferences"], a["ownerReferences"]) || b["deletionTimestamp"] !== a["deletionTimestamp"];
}
