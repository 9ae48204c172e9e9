// backendRefs → BackendNode: kind, ReferenceGrant, Service and port, endpoints, protocol, TLS.
import type { RouteKind, Service, Snapshot } from "@gatehouse/model";
import { FEATURE, GATEWAY_GROUP, REASON, keyOf } from "@gatehouse/model";
import type { BackendNode } from "../types.js";
import type { ReferenceGrants } from "../refs.js";
import type { BackendTLSPolicies } from "./backendtlspolicies.js";
import { Endpoints } from "./endpoints.js";
import { arr, isInt, obj, show, str } from "../json.js";
import { ROUTE_REASON } from "../routes/reasons.js";
import type { Caps } from "../routes/validate.js";

export interface ResolveOptions {
  routeKind: RouteKind;
  routeNamespace: string;
  caps: Caps;
  /** Field path of the reference, e.g. `spec.rules[0].backendRefs[1]`. */
  path: string;
  source: string;
  weight: number;
}

type Protocol = BackendNode["protocol"];

export class Backends {
  private readonly services = new Map<string, Service>();
  private readonly endpoints: Endpoints;

  constructor(snapshot: Snapshot, private readonly grants: ReferenceGrants, private readonly tls: BackendTLSPolicies) {
    for (const s of snapshot.Service) this.services.set(keyOf(s), s);
    this.endpoints = new Endpoints(snapshot.EndpointSlice);
  }

  /**
   * Resolves one backend reference. Never fails: an unusable reference gives a node with
   * valid=false and the ResolvedRefs reason; its share of traffic gets 500.
   */
  resolve(raw: unknown, o: ResolveOptions): BackendNode {
    const ref = obj(raw) ?? {};
    const group = normGroup(str(ref.group) ?? "");
    const kind = str(ref.kind) ?? "Service";
    const name = str(ref.name) ?? "";
    const namespace = str(ref.namespace) || o.routeNamespace;
    const node: BackendNode = {
      source: o.source, group, kind, namespace, name, weight: o.weight, valid: false,
      protocol: defaultProtocol(o.routeKind), endpoints: [], filters: [],
    };
    if (isInt(ref.port)) node.port = ref.port;
    const bad = (reason: string, message: string): BackendNode => {
      node.reason = reason;
      node.message = message;
      return node;
    };
    if (group !== "" || kind !== "Service") {
      return bad(REASON.InvalidKind, `${o.path}: ${show(kind)} in group ${show(group)} is not a supported backend kind (only core Service)`);
    }
    if (!name) return bad(REASON.BackendNotFound, `${o.path}.name: a Service name is required`);
    const from = { group: GATEWAY_GROUP, kind: o.routeKind, namespace: o.routeNamespace };
    if (!this.grants.allowed(from, { group: "", kind: "Service", namespace, name })) {
      return bad(REASON.RefNotPermitted,
        `${o.path}: Service ${namespace}/${name} is in another namespace and no ReferenceGrant in ${namespace} allows ${o.routeKind} from ${o.routeNamespace} to refer to it`);
    }
    node.serviceKey = `${namespace}/${name}`;
    const svc = this.services.get(node.serviceKey);
    if (!svc) return bad(REASON.BackendNotFound, `${o.path}: Service ${namespace}/${name} not found`);
    if (node.port === undefined) {
      return bad(REASON.BackendNotFound, `${o.path}.port: required when referring to a Service (got ${show(ref.port)})`);
    }
    const spec = obj(svc.spec) ?? {};
    const sp = arr(spec.ports).map(obj).find((p) => p && p.port === node.port);
    if (!sp) return bad(REASON.BackendNotFound, `${o.path}.port: Service ${namespace}/${name} has no port ${node.port}`);
    const portName = str(sp.name) ?? "";

    const proto = protocolFor(o.routeKind, str(sp.appProtocol), o.caps);
    if ("error" in proto) {
      return bad(ROUTE_REASON.UnsupportedProtocol,
        `${o.path}: Service ${namespace}/${name} port ${node.port} has appProtocol ${show(sp.appProtocol)}, ${proto.error}`);
    }
    node.protocol = proto.protocol;
    node.endpoints = spec.type === "ExternalName" && str(spec.externalName)
      ? [{ address: str(spec.externalName)!, port: node.port, family: "FQDN", ready: true, serving: true, terminating: false }]
      : this.endpoints.forPort(namespace, name, portName);
    if (!o.caps.lacking(FEATURE.BackendTLSPolicy)) {
      const tls = this.tls.forService(namespace, name, portName || undefined);
      if (tls) {
        node.tls = tls;
        if ((o.routeKind === "HTTPRoute" || o.routeKind === "GRPCRoute") && (node.protocol === "http" || node.protocol === "h2c")) {
          node.protocol = "https";
        }
      }
    }
    node.valid = true;
    return node;
  }
}

function normGroup(g: string): string { return g === "core" ? "" : g; }

function defaultProtocol(kind: RouteKind): Protocol {
  switch (kind) {
    case "GRPCRoute": return "h2c";
    case "TCPRoute": return "tcp";
    case "UDPRoute": return "udp";
    case "TLSRoute": return "tls";
    default: return "http";
  }
}

/**
 * Service port appProtocol (KEP-3726 names and IANA `http`/`https`) → what the data plane
 * speaks to the backend. Unknown values fall back to the route kind's protocol (the spec
 * lets implementations infer it). L4 routes ignore appProtocol.
 */
export function protocolFor(kind: RouteKind, appProtocol: string | undefined, caps: Caps): { protocol: Protocol } | { error: string } {
  const base = defaultProtocol(kind);
  if (kind !== "HTTPRoute" && kind !== "GRPCRoute") return { protocol: base };
  const needs = (feature: string, protocol: Protocol, what: string) => {
    const c = caps.lacking(feature);
    return c ? { error: `${what} backends are not supported by ${c.controllerName}` } : { protocol };
  };
  switch (appProtocol) {
    case "kubernetes.io/h2c":
      return kind === "GRPCRoute" ? { protocol: "h2c" } : needs(FEATURE.HTTPRouteBackendProtocolH2C, "h2c", "HTTP/2 cleartext (h2c)");
    case "kubernetes.io/ws":
    case "kubernetes.io/wss": {
      if (kind === "GRPCRoute") return { error: "a WebSocket backend cannot serve gRPC" };
      return needs(FEATURE.HTTPRouteBackendProtocolWebSocket, appProtocol === "kubernetes.io/ws" ? "ws" : "https", "WebSocket");
    }
    case "https":
    case "kubernetes.io/https":
      return { protocol: "https" };
    default:
      return { protocol: base };
  }
}
