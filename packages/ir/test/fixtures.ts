// Hand-built graph objects for the IR tests (plain objects typed as Graph).
import type {
  BackendNode, FilterNode, GatewayNode, Graph, HTTPMatchNode, ListenerNode, RouteNode, RuleNode,
} from "@gatehouse/graph";

export const CONTROLLER = "example.com/gatehouse";

/** A FilterNode without its source (the fixture derives it); distributes over the union. */
export type FilterSpec = FilterNode extends infer F ? (F extends FilterNode ? Omit<F, "source"> : never) : never;

export const headers = (h: Partial<{ set: { name: string; value: string }[]; add: { name: string; value: string }[]; remove: string[] }>) =>
  ({ set: [], add: [], remove: [], ...h });

export function listener(name: string, port: number, protocol: string, extra: Partial<ListenerNode> = {}): ListenerNode {
  return {
    gatewayKey: "infra/gw", name, source: `gateway/infra/gw/listener/${name}`, port, protocol, valid: true, conditions: [],
    supportedKinds: [], allowedNamespaces: { from: "All" }, certificateRefKeys: [], attachedRoutes: 0, ...extra,
  };
}

export function gateway(listeners: ListenerNode[], extra: Partial<GatewayNode> = {}): GatewayNode {
  const ns = extra.namespace ?? "infra", name = extra.name ?? "gw";
  return {
    key: `${ns}/${name}`, namespace: ns, name, source: `gateway/${ns}/${name}`, object: {} as GatewayNode["object"], generation: 1,
    className: "gh", controllerName: CONTROLLER, accepted: true, conditions: [],
    listeners: listeners.map((l) => ({ ...l, gatewayKey: `${ns}/${name}`, source: `gateway/${ns}/${name}/listener/${l.name}` })),
    addresses: [], ...extra,
  };
}

export function match(path: string, type: HTTPMatchNode["path"]["type"] = "PathPrefix", extra: Partial<HTTPMatchNode> = {}): HTTPMatchNode {
  return { path: { type, value: path }, headers: [], queryParams: [], ...extra };
}

export function backend(routeSource: string, rule: number, j: number, name: string, extra: Partial<BackendNode> = {}): BackendNode {
  return {
    source: `${routeSource}/rule/${rule}/backend/${j}`, group: "", kind: "Service", namespace: "default", name, port: 80,
    weight: 1, valid: true, serviceKey: `default/${name}`, protocol: "http",
    endpoints: [{ address: "10.0.0.2", port: 8080, family: "IPv4", ready: true, serving: true, terminating: false, zone: "z1" },
      { address: "10.0.0.1", port: 8080, family: "IPv4", ready: true, serving: true, terminating: false, zone: "z1" }],
    filters: [], ...extra,
  };
}

export interface RuleSpec {
  matches?: HTTPMatchNode[];
  backends?: string[] | BackendNode[];
  filters?: FilterSpec[];
  invalid?: boolean;
  extra?: Partial<RuleNode>;
}

export function route(
  kind: RouteNode["kind"], ns: string, name: string, rules: RuleSpec[],
  opts: { hostnames?: string[]; created?: string; listeners?: { name: string; hostnames: string[] }[]; gatewayKey?: string; accepted?: boolean } = {},
): RouteNode {
  const source = `${kind.toLowerCase()}/${ns}/${name}`;
  return {
    kind, key: `${ns}/${name}`, namespace: ns, name, source, object: {}, generation: 1,
    creationTimestamp: opts.created ?? "2024-01-01T00:00:00Z", hostnames: opts.hostnames ?? [],
    parents: [{
      index: 0, ref: { group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "infra", name: "gw" },
      gatewayKey: opts.gatewayKey ?? "infra/gw", controllerName: CONTROLLER, accepted: opts.accepted ?? true,
      listeners: opts.listeners ?? [{ name: "http", hostnames: opts.hostnames ?? [] }], conditions: [],
    }],
    rules: rules.map((r, i): RuleNode => {
      const rs = `${source}/rule/${i}`;
      const out: RuleNode = {
        index: i, source: rs, matches: r.matches ?? [match("/")],
        filters: (r.filters ?? []).map((f, k) => ({ ...f, source: `${rs}/filter/${k}` }) as FilterNode),
        backends: (r.backends ?? ["svc"]).map((b, j) => (typeof b === "string" ? backend(source, i, j, b) : b)),
        ...r.extra,
      };
      if (r.invalid) out.invalid = { reason: "UnsupportedValue", message: "dropped" };
      return out;
    }),
  };
}

export function graph(gateways: GatewayNode[], routes: RouteNode[]): Graph {
  return { gatewayClasses: [], gateways, routes, backendTLSPolicies: [], referenced: { secrets: [], configMaps: [], services: [] } };
}

/** Deterministic pseudo-random numbers for property-style loops (no Math.random). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    s = Math.imul(s ^ (s >>> 12), 0x297a2d39) >>> 0;
    return ((s ^ (s >>> 15)) >>> 0) / 4294967296;
  };
}
