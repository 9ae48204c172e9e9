// The EndpointSlices of a selector-less Gateway Service: the operator pods (in the operator's
// namespace) as its endpoints, one slice per address family the Service has, ports named
// as the Service's ports and numbered as their target (internal) ports. Conditions as the
// EndpointSlice controller sets them: serving = the pod's Ready condition, terminating = the
// pod is being deleted, ready = serving and not terminating.
import type { JsonObject } from "./addresses.js";
import type { ProxyPod } from "./pods.js";
import type { ExposedPort } from "./types.js";
import {
  CONTROLLER_ANNOTATION, GATEWAY_ANNOTATION, MANAGED_BY_LABEL, SERVICE_LABEL, SERVICE_NAME_LABEL, SLICE_MANAGED_BY_LABEL,
  SLICE_MANAGER, sliceName,
} from "./names.js";

export type AddressFamily = "IPv4" | "IPv6";

export function portName(p: ExposedPort): string {
  return `${p.protocol.toLowerCase()}-${p.port}`;
}

export function sortedPorts(ports: readonly ExposedPort[]): ExposedPort[] {
  return [...ports].sort((a, b) => a.port - b.port || (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0));
}

export function familyOf(ip: string): AddressFamily {
  return ip.includes(":") ? "IPv6" : "IPv4";
}

export interface SliceTarget {
  /** Gateway key `ns/name`. */
  gateway: string;
  /** The Service as the server holds it (name, namespace, uid, spec.ipFamilies). */
  service: JsonObject;
  ports: readonly ExposedPort[];
}

/** The slices a Service should have, by name. */
export function desiredSlices(t: SliceTarget, pods: readonly ProxyPod[], podNamespace: string, controllerName: string): JsonObject[] {
  const m = obj(t.service["metadata"]);
  const svcName = String(m["name"] ?? "");
  const namespace = String(m["namespace"] ?? "");
  const declared = (Array.isArray(obj(t.service["spec"])["ipFamilies"]) ? obj(t.service["spec"])["ipFamilies"] as unknown[] : [])
    .filter((f): f is AddressFamily => f === "IPv4" || f === "IPv6");
  const families: AddressFamily[] = declared.length ? [...new Set(declared)] : ["IPv4"];
  const ports = sortedPorts(t.ports).map((p) => ({ name: portName(p), protocol: p.protocol, port: p.targetPort }));
  return families.map((family) => ({
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      name: sliceName(svcName, family),
      namespace,
      labels: {
        [SERVICE_NAME_LABEL]: svcName, [SLICE_MANAGED_BY_LABEL]: SLICE_MANAGER,
        [SERVICE_LABEL]: "true", [MANAGED_BY_LABEL]: "gatehouse",
      },
      annotations: { [GATEWAY_ANNOTATION]: t.gateway, [CONTROLLER_ANNOTATION]: controllerName },
      // Goes with its Service (itself owned by the Gateway). No blockOwnerDeletion: that
      // would need update on services/finalizers.
      ownerReferences: [{ apiVersion: "v1", kind: "Service", name: svcName, uid: String(m["uid"] ?? ""), controller: true }],
    },
    addressType: family,
    endpoints: pods.flatMap((p) => p.ips.filter((ip) => familyOf(ip) === family).slice(0, 1).map((ip) => ({
      addresses: [ip],
      conditions: { ready: p.serving && !p.terminating, serving: p.serving, terminating: p.terminating },
      targetRef: { kind: "Pod", namespace: podNamespace, name: p.name, uid: p.uid },
      ...(p.nodeName ? { nodeName: p.nodeName } : {}),
    }))),
    ports,
  }));
}

/** `desired` written over `existing` (its resourceVersion kept, so a concurrent change conflicts). */
export function sliceUpdate(existing: JsonObject, desired: JsonObject): JsonObject {
  const m = obj(existing["metadata"]);
  return { ...desired, metadata: { ...obj(desired["metadata"]), resourceVersion: m["resourceVersion"] } };
}

/** What we manage is equal (labels, annotations, owner, address type, endpoints, ports). */
export function sameSlice(a: JsonObject, b: JsonObject): boolean {
  const view = (s: JsonObject) => {
    const m = obj(s["metadata"]);
    const refs = (Array.isArray(m["ownerReferences"]) ? m["ownerReferences"] : []).map(obj)
      .map((r) => [r["apiVersion"], r["kind"], r["name"], r["uid"], r["controller"] ?? null]);
    const endpoints = (Array.isArray(s["endpoints"]) ? s["endpoints"] : []).map(obj).map((e) => {
      const c = obj(e["conditions"]);
      const ref = obj(e["targetRef"]);
      return [e["addresses"], c["ready"] ?? null, c["serving"] ?? null, c["terminating"] ?? null, ref["namespace"] ?? null, ref["name"] ?? null, ref["uid"] ?? null, e["nodeName"] ?? null];
    });
    const ports = (Array.isArray(s["ports"]) ? s["ports"] : []).map(obj).map((p) => [p["name"] ?? null, p["protocol"] ?? "TCP", p["port"] ?? null]);
    return JSON.stringify([sorted(m["labels"]), sorted(m["annotations"]), refs, s["addressType"], endpoints, ports]);
  };
  return view(a) === view(b);
}

function sorted(v: unknown): [string, unknown][] {
  return Object.entries(obj(v)).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
}

function obj(v: unknown): JsonObject {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as JsonObject) : {};
}
