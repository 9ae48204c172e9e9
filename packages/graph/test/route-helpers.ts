// Plain-object builders for the route tests: hand-made Gateway/listener nodes (so these
// tests do not depend on the Gateway builder) and minimal Kubernetes objects.
import type { Capabilities, RouteKind, Snapshot } from "@gatehouse/model";
import { FEATURE, emptySnapshot } from "@gatehouse/model";
import type { AllowedNamespaces, GatewayClassNode, GatewayNode, ListenerNode, RouteNode } from "../src/types.js";
import { ReferenceGrants } from "../src/refs.js";
import { BackendTLSPolicies } from "../src/backends/backendtlspolicies.js";
import { buildRoutes } from "../src/routes/routes.js";

export const GW = "gateway.networking.k8s.io";
export const CONTROLLER = "gatehouse.dev/test";
export const ALL_FEATURES: string[] = Object.values(FEATURE);

export function caps(o: Partial<Capabilities> = {}): Capabilities {
  return {
    controllerName: CONTROLLER,
    protocols: ["HTTP", "HTTPS", "TLS", "TCP", "UDP"],
    tlsModes: ["Terminate", "Passthrough"],
    routeKinds: ["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"],
    features: ALL_FEATURES,
    limits: {},
    ...o,
  };
}

/** Capabilities lacking the given features. */
export function capsWithout(...missing: string[]): Capabilities {
  return caps({ features: ALL_FEATURES.filter((f) => !missing.includes(f)) });
}

const KINDS_BY_PROTOCOL: Record<string, RouteKind[]> = {
  HTTP: ["HTTPRoute", "GRPCRoute"], HTTPS: ["HTTPRoute", "GRPCRoute"], TLS: ["TLSRoute"], TCP: ["TCPRoute"], UDP: ["UDPRoute"],
};

export interface ListenerOpts {
  port?: number;
  protocol?: string;
  hostname?: string;
  kinds?: RouteKind[];
  allowed?: AllowedNamespaces;
  valid?: boolean;
}

export function listener(name: string, o: ListenerOpts = {}): Omit<ListenerNode, "gatewayKey" | "source"> {
  const protocol = o.protocol ?? "HTTP";
  const l: Omit<ListenerNode, "gatewayKey" | "source"> = {
    name, port: o.port ?? 80, protocol, valid: o.valid ?? true, conditions: [],
    supportedKinds: (o.kinds ?? KINDS_BY_PROTOCOL[protocol] ?? []).map((kind) => ({ group: GW, kind })),
    allowedNamespaces: o.allowed ?? { from: "All" },
    certificateRefKeys: [], attachedRoutes: 0,
  };
  if (o.hostname !== undefined) l.hostname = o.hostname;
  return l;
}

export function gateway(
  name: string, listeners: ReturnType<typeof listener>[],
  o: { namespace?: string; className?: string; accepted?: boolean; controllerName?: string } = {},
): GatewayNode {
  const namespace = o.namespace ?? "infra";
  const key = `${namespace}/${name}`;
  return {
    key, namespace, name, source: `gateway/${key}`, object: {} as GatewayNode["object"], generation: 1,
    className: o.className ?? "gh", controllerName: o.controllerName ?? CONTROLLER, accepted: o.accepted ?? true,
    conditions: [], addresses: [],
    listeners: listeners.map((l) => ({ ...l, gatewayKey: key, source: `gateway/${key}/listener/${l.name}` })),
  };
}

export function gatewayClass(name: string, c: Capabilities = caps()): GatewayClassNode {
  return {
    name, source: `gatewayclass/${name}`, object: {} as GatewayClassNode["object"], generation: 1,
    capabilities: c, accepted: true, conditions: [], supportedFeatures: [...c.features].sort(),
  };
}

export interface World {
  objects?: Partial<Record<keyof Snapshot, unknown[]>>;
  gateways?: GatewayNode[];
  classes?: GatewayClassNode[];
}

/** Runs buildRoutes; the default world is one Gateway infra/gw with an HTTP listener "http" allowing all namespaces. */
export function run(w: World = {}): { routes: RouteNode[]; gateways: GatewayNode[] } {
  const snapshot = emptySnapshot() as unknown as Record<string, unknown[]>;
  for (const [k, v] of Object.entries(w.objects ?? {})) snapshot[k] = v as unknown[];
  const s = snapshot as unknown as Snapshot;
  const gateways = w.gateways ?? [gateway("gw", [listener("http")])];
  const routes = buildRoutes({
    snapshot: s, gateways, gatewayClasses: w.classes ?? [gatewayClass("gh")],
    grants: new ReferenceGrants(s.ReferenceGrant), tlsPolicies: new BackendTLSPolicies(s),
  });
  return { routes, gateways };
}

export function route(kind: RouteKind, name: string, spec: Record<string, unknown>, o: { namespace?: string; creationTimestamp?: string } = {}) {
  return {
    apiVersion: `${GW}/v1`, kind,
    metadata: { name, namespace: o.namespace ?? "default", generation: 2, creationTimestamp: o.creationTimestamp ?? "2024-01-01T00:00:00Z" },
    spec,
  };
}

export const toGw = (extra: Record<string, unknown> = {}) => ({ name: "gw", namespace: "infra", ...extra });

/** An HTTPRoute in "default" attached to infra/gw with the given rules. */
export function httpRoute(name: string, rules: unknown[], extra: Record<string, unknown> = {}) {
  return route("HTTPRoute", name, { parentRefs: [toGw()], rules, ...extra });
}

export function service(name: string, ports: Record<string, unknown>[], o: { namespace?: string; spec?: Record<string, unknown> } = {}) {
  return { apiVersion: "v1", kind: "Service", metadata: { name, namespace: o.namespace ?? "default" }, spec: { ports, ...o.spec } };
}

export function slice(name: string, svc: string, o: {
  namespace?: string; addressType?: string; ports?: Record<string, unknown>[]; endpoints?: Record<string, unknown>[];
}) {
  return {
    apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice",
    metadata: { name, namespace: o.namespace ?? "default", labels: { "kubernetes.io/service-name": svc } },
    addressType: o.addressType ?? "IPv4", ports: o.ports ?? [{ name: "http", port: 8080 }], endpoints: o.endpoints ?? [],
  };
}

/** Service default/web with port 80 (name http → target 8080) and one ready endpoint. */
export const WEB = [
  service("web", [{ name: "http", port: 80, targetPort: 8080 }]),
  slice("web-1", "web", { endpoints: [{ addresses: ["10.0.0.1"] }] }),
];

export function condition<T extends { type: string }>(list: readonly T[], type: string): T | undefined {
  return list.find((c) => c.type === type);
}

export function only<T>(list: readonly T[]): T {
  if (list.length !== 1) throw new Error(`expected exactly one element, got ${list.length}`);
  return list[0]!;
}
