// Hand-built graph nodes: the smallest objects the status computer reads.
import { GATEWAY_GROUP, cond, type Capabilities, type NodeCondition } from "@gatehouse/model";
import type {
  BackendTLSPolicyNode, Graph, GatewayClassNode, GatewayNode, ListenerNode, ParentNode, RouteNode,
} from "@gatehouse/graph";

export const OURS = "gatehouse.dev/local";
export const T0 = "2025-01-01T00:00:00Z";
export const T1 = "2025-01-02T00:00:00Z";

export function caps(controllerName = OURS): Capabilities {
  return { controllerName, protocols: ["HTTP", "HTTPS"], tlsModes: ["Terminate"], routeKinds: ["HTTPRoute"], features: [], limits: {} };
}

export function graph(parts: Partial<Graph>): Graph {
  return {
    gatewayClasses: [], gateways: [], routes: [], backendTLSPolicies: [],
    referenced: { secrets: [], configMaps: [], services: [] }, ...parts,
  };
}

export function gatewayClass(status?: unknown, generation = 3): GatewayClassNode {
  return {
    name: "gh", source: "gatewayclass/gh",
    object: { apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: { name: "gh", generation },
      spec: { controllerName: OURS }, ...(status ? { status } : {}) } as GatewayClassNode["object"],
    generation, capabilities: caps(), accepted: true,
    conditions: [cond("Accepted", true, "Accepted", "accepted"), cond("SupportedVersion", true, "SupportedVersion", "v1.6")],
    supportedFeatures: ["HTTPRoute", "Gateway", "GatewayPort8080"],
  };
}

export function listener(name: string, valid = true, conditions?: NodeCondition[]): ListenerNode {
  return {
    gatewayKey: "infra/gw", name, source: `gateway/infra/gw/listener/${name}`, port: 80, protocol: "HTTP", valid,
    conditions: conditions ?? [
      cond("Accepted", true, "Accepted", ""), cond("ResolvedRefs", true, "ResolvedRefs", ""), cond("Conflicted", false, "NoConflicts", ""),
    ],
    supportedKinds: [{ group: GATEWAY_GROUP, kind: "HTTPRoute" }],
    allowedNamespaces: { from: "Same" }, certificateRefKeys: [], attachedRoutes: 2,
  };
}

export function gateway(opts: { accepted?: boolean; listeners?: ListenerNode[]; status?: unknown; generation?: number } = {}): GatewayNode {
  const generation = opts.generation ?? 7;
  const accepted = opts.accepted ?? true;
  return {
    key: "infra/gw", namespace: "infra", name: "gw", source: "gateway/infra/gw",
    object: { apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: { name: "gw", namespace: "infra", generation },
      spec: { gatewayClassName: "gh", listeners: [] }, ...(opts.status ? { status: opts.status } : {}) } as GatewayNode["object"],
    generation, className: "gh", controllerName: OURS, accepted,
    conditions: [accepted ? cond("Accepted", true, "Accepted", "ok") : cond("Accepted", false, "ListenersNotValid", "bad")],
    listeners: opts.listeners ?? [listener("http")], addresses: [],
  };
}

export function parent(index: number, gatewayName: string, opts: { sectionName?: string; conditions?: NodeCondition[] } = {}): ParentNode {
  return {
    index,
    ref: { group: GATEWAY_GROUP, kind: "Gateway", namespace: "infra", name: gatewayName, ...(opts.sectionName ? { sectionName: opts.sectionName } : {}) },
    gatewayKey: `infra/${gatewayName}`, controllerName: OURS, accepted: true, listeners: [],
    conditions: opts.conditions ?? [cond("Accepted", true, "Accepted", "ok"), cond("ResolvedRefs", true, "ResolvedRefs", "ok")],
  };
}

export function route(parents: ParentNode[], spec: { parentRefs: unknown[] }, status?: unknown, generation = 4): RouteNode {
  return {
    kind: "HTTPRoute", key: "app/web", namespace: "app", name: "web", source: "httproute/app/web",
    object: { metadata: { name: "web", namespace: "app", generation }, spec, ...(status !== undefined ? { status } : {}) } as RouteNode["object"],
    generation, creationTimestamp: T0, hostnames: [], parents, rules: [],
  };
}

export function policy(ancestors: BackendTLSPolicyNode["ancestors"], status?: unknown, generation = 2): BackendTLSPolicyNode {
  return {
    key: "app/tls", source: "backendtlspolicy/app/tls",
    object: { metadata: { name: "tls", namespace: "app", generation }, spec: {}, ...(status ? { status } : {}) } as BackendTLSPolicyNode["object"],
    generation, ancestors,
  };
}
