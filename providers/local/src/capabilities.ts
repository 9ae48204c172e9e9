import { ALL_FEATURES, ROUTE_KINDS, type Capabilities } from "@gatehouse/model";

export const LOCAL_CONTROLLER = "gatehouse.dev/local";

/** What the local provider serves: every protocol, TLS mode, route kind and feature the core can carry. */
export const localCapabilities: Capabilities = {
  controllerName: LOCAL_CONTROLLER,
  protocols: ["HTTP", "HTTPS", "TLS", "TCP", "UDP"],
  tlsModes: ["Terminate", "Passthrough"],
  routeKinds: [...ROUTE_KINDS],
  features: [...ALL_FEATURES].sort(),
  // GatewayClass parametersRef: our LocalProxyConfig (see ../README.md).
  parameters: [{ group: "gatehouse.dev", kind: "LocalProxyConfig" }],
  limits: {},
};

/** The local capabilities under another controllerName (a config may choose its own). */
export function capabilitiesFor(controllerName: string): Capabilities {
  return { ...localCapabilities, controllerName };
}
