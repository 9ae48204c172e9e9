// Lookups into provider results, shared by the status computer and the operator so that
// both read "the result for this Gateway / route" the same way.
import type { GatewayResult, ProviderResults, RouteResult } from "./contract.js";

/** `RouteResult.route` for a route: `<kind lowercased>/<ns>/<name>` (the route's graph source). */
export function routeResultKey(kind: string, namespace: string, name: string): string {
  return `${kind.toLowerCase()}/${namespace}/${name}`;
}

/** An empty result: what a provider reports before it has programmed anything. */
export function emptyResults(controllerName: string): ProviderResults {
  return { controllerName, gateways: [], routes: [] };
}

/** The results of one controller (the first, if a caller passed several). */
export function resultsFor(results: readonly ProviderResults[], controllerName: string): ProviderResults | undefined {
  if (!Array.isArray(results)) return undefined;
  return results.find((r) => r != null && r.controllerName === controllerName);
}

/** The provider's result for one Gateway (`ns/name`), from the provider owning its class. */
export function findGatewayResult(
  results: readonly ProviderResults[], controllerName: string, gatewayKey: string,
): GatewayResult | undefined {
  const r = resultsFor(results, controllerName);
  if (!r || !Array.isArray(r.gateways)) return undefined;
  return r.gateways.find((g) => g != null && g.key === gatewayKey);
}

/** The provider's error for a route on one parent Gateway, if it reported one. */
export function findRouteError(
  results: readonly ProviderResults[], controllerName: string, route: string, gatewayKey: string,
): NonNullable<RouteResult["error"]> | undefined {
  const r = resultsFor(results, controllerName);
  if (!r || !Array.isArray(r.routes)) return undefined;
  const want = route.toLowerCase();
  const hit = r.routes.find((x) => x != null && typeof x.route === "string"
    && x.route.toLowerCase() === want && x.gatewayKey === gatewayKey && x.error != null);
  return hit?.error;
}
