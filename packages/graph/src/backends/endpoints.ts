// Endpoints of a Service port, from the EndpointSlices labelled with the Service name.
import type { EndpointSlice } from "@gatehouse/model";
import { namespaceOf } from "@gatehouse/model";
import type { EndpointNode } from "../types.js";
import { arr, isInt, obj, str } from "../json.js";

export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
const FAMILIES = ["IPv4", "IPv6", "FQDN"] as const;

export class Endpoints {
  private readonly slices = new Map<string, EndpointSlice[]>();
  private readonly cache = new Map<string, EndpointNode[]>();

  constructor(slices: readonly EndpointSlice[]) {
    for (const s of slices) {
      const svc = str(obj(s?.metadata?.labels)?.[SERVICE_NAME_LABEL]);
      if (!svc) continue;
      const key = `${namespaceOf(s)}/${svc}`;
      let list = this.slices.get(key);
      if (!list) this.slices.set(key, (list = []));
      list.push(s);
    }
  }

  /**
   * Endpoints serving the Service port named `portName` ("" for an unnamed port). The
   * slice's port of the same name carries the resolved targetPort. Same address and port
   * from several slices appear once (the readiest copy wins). Sorted by family, address, port.
   */
  forPort(namespace: string, service: string, portName: string): EndpointNode[] {
    const ck = `${namespace}/${service}|${portName}`;
    const hit = this.cache.get(ck);
    if (hit) return hit;
    const byId = new Map<string, EndpointNode>();
    for (const slice of this.slices.get(`${namespace}/${service}`) ?? []) {
      const family = slice.addressType as string;
      if (!(FAMILIES as readonly string[]).includes(family)) continue;
      const port = arr(slice.ports).map(obj).find((p) => p && (str(p.name) ?? "") === portName);
      if (!port || !isInt(port.port)) continue;
      for (const raw of arr(slice.endpoints)) {
        const e = obj(raw);
        if (!e) continue;
        const c = obj(e.conditions) ?? {};
        // Kubernetes: nil ready means ready; nil serving defers to ready; nil terminating is false.
        const ready = c.ready !== false;
        const serving = typeof c.serving === "boolean" ? c.serving : ready;
        const terminating = c.terminating === true;
        for (const address of arr(e.addresses)) {
          if (typeof address !== "string" || address === "") continue;
          const zone = str(e.zone), nodeName = str(e.nodeName), hostname = str(e.hostname);
          const fam = family as EndpointNode["family"];
          // zone in the literal: a property added later goes to a separate property array (50,000 endpoints).
          const node: EndpointNode = zone
            ? { address, port: port.port, family: fam, ready, serving, terminating, zone }
            : { address, port: port.port, family: fam, ready, serving, terminating };
          if (nodeName) node.nodeName = nodeName;
          if (hostname) node.hostname = hostname;
          const id = `${family}|${address}|${port.port}`;
          const prev = byId.get(id);
          if (!prev || better(node, prev)) byId.set(id, node);
        }
      }
    }
    const out = [...byId.values()].sort(compareEndpoints);
    this.cache.set(ck, out);
    return out;
  }
}

function rank(e: EndpointNode): number {
  return (e.ready ? 4 : 0) + (e.serving ? 2 : 0) + (e.terminating ? 0 : 1);
}

/** Deterministic choice between two copies of one endpoint. */
function better(a: EndpointNode, b: EndpointNode): boolean {
  const d = rank(a) - rank(b);
  if (d !== 0) return d > 0;
  return JSON.stringify(a) < JSON.stringify(b);
}

export function compareEndpoints(a: EndpointNode, b: EndpointNode): number {
  return cmp(FAMILIES.indexOf(a.family), FAMILIES.indexOf(b.family)) || cmp(a.address, b.address) || a.port - b.port;
}

function cmp<T extends string | number>(a: T, b: T): number { return a < b ? -1 : a > b ? 1 : 0; }
