import {
  COND, FEATURE, GATEHOUSE_FEATURES, REASON, cond, generationOf, nameOf, sourceOf,
  type Capabilities, type GatewayClass, type RouteKind, type Snapshot,
} from "@gatehouse/model";
import type { GatewayClassNode } from "../types.js";
import { isObj, rec, str } from "../json.js";
import { resolveParameters } from "./parameters.js";

/** The Gateway API release whose CRDs and semantics we implement. */
export const GATEWAY_API_VERSION = "v1.6";

/**
 * GatewayClasses whose spec.controllerName is one we serve; all others are ignored
 * entirely (no node, so no status is written for them). `snapshot` holds the objects a
 * parametersRef may name.
 */
export function buildGatewayClasses(
  classes: readonly GatewayClass[], controllers: readonly Capabilities[], snapshot?: Snapshot,
): GatewayClassNode[] {
  const byController = new Map<string, Capabilities>();
  for (const c of controllers) if (!byController.has(c.controllerName)) byController.set(c.controllerName, c);

  const nodes: GatewayClassNode[] = [];
  for (const gc of classes) {
    if (!isObj(gc) || !nameOf(gc)) continue;
    const spec = rec(gc.spec);
    const controllerName = str(spec.controllerName);
    const capabilities = controllerName === undefined ? undefined : byController.get(controllerName);
    if (!capabilities) continue;

    const params = resolveParameters(spec.parametersRef, capabilities, snapshot);
    const accepted = params.ok;
    const conditions = [
      params.ok
        ? cond(COND.Accepted, true, REASON.Accepted, `GatewayClass is accepted by ${capabilities.controllerName}`)
        : cond(COND.Accepted, false, REASON.InvalidParameters, params.message),
      cond(COND.SupportedVersion, true, REASON.SupportedVersion, `Gateway API ${GATEWAY_API_VERSION} is supported`),
    ];
    const node: GatewayClassNode = {
      name: nameOf(gc),
      source: sourceOf("GatewayClass", gc),
      object: gc,
      generation: generationOf(gc),
      capabilities,
      accepted,
      conditions,
      supportedFeatures: supportedFeatures(capabilities),
    };
    if (params.ok && params.parameters) node.parameters = params.parameters;
    nodes.push(node);
  }
  return nodes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const ROUTE_KIND_FEATURE: Record<RouteKind, string> = {
  HTTPRoute: FEATURE.HTTPRoute,
  GRPCRoute: FEATURE.GRPCRoute,
  TLSRoute: FEATURE.TLSRoute,
  TCPRoute: FEATURE.TCPRoute,
  UDPRoute: FEATURE.UDPRoute,
};

/**
 * Feature names for status.supportedFeatures: the core features every implementation has
 * (Gateway, ReferenceGrant), one per supported route kind, TLSRouteModeTerminate when TLS
 * listeners may terminate, plus the provider's declared upstream features (gatehouse's own
 * names stay internal). Sorted, deduplicated.
 */
export function supportedFeatures(c: Capabilities): string[] {
  const out = new Set<string>([FEATURE.Gateway, FEATURE.ReferenceGrant]);
  for (const k of Array.isArray(c.routeKinds) ? c.routeKinds : []) {
    const f = ROUTE_KIND_FEATURE[k];
    if (f) out.add(f);
  }
  if (c.routeKinds?.includes("TLSRoute") && c.protocols?.includes("TLS") && c.tlsModes?.includes("Terminate")) {
    out.add("TLSRouteModeTerminate");
  }
  for (const f of Array.isArray(c.features) ? c.features : []) {
    if (typeof f === "string" && f && !GATEHOUSE_FEATURES.includes(f)) out.add(f);
  }
  return [...out].sort();
}
