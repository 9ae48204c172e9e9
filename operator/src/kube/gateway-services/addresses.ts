// A Gateway Service → the Gateway's status.addresses. LoadBalancer: the ingress the load
// balancer controller reported (none yet: not ready); ClusterIP: the cluster IPs; NodePort:
// the cluster IPs, and the message says the node ports reach it from outside.
import type { ExposureResult } from "./types.js";

export type JsonObject = Record<string, unknown>;

const obj = (v: unknown): JsonObject => (v && typeof v === "object" && !Array.isArray(v) ? (v as JsonObject) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

export const WAITING_FOR_LB = "waiting for a load balancer address";

export function serviceRef(svc: JsonObject): string {
  const m = obj(svc["metadata"]);
  return `Service ${str(m["namespace"]) ?? ""}/${str(m["name"]) ?? ""}`;
}

export function addressesOf(gateway: string, svc: JsonObject): ExposureResult {
  const spec = obj(svc["spec"]);
  const type = str(spec["type"]) ?? "ClusterIP";
  const ref = serviceRef(svc);
  const out: ExposureResult["addresses"] = [];
  const add = (type: "IPAddress" | "Hostname", value: string) => {
    if (!out.some((a) => a.type === type && a.value === value)) out.push({ type, value });
  };

  if (type === "LoadBalancer") {
    for (const ing of arr(obj(obj(svc["status"])["loadBalancer"])["ingress"])) {
      const ip = str(obj(ing)["ip"]);
      const hostname = str(obj(ing)["hostname"]);
      if (ip) add("IPAddress", ip);
      if (hostname) add("Hostname", hostname);
    }
    if (out.length === 0) return { gateway, addresses: [], ready: false, message: `${WAITING_FOR_LB} (LoadBalancer ${ref})` };
    return { gateway, addresses: out, ready: true, message: `exposed by LoadBalancer ${ref}` };
  }

  const ips = arr(spec["clusterIPs"]).map(str).filter((x): x is string => !!x);
  const single = str(spec["clusterIP"]);
  for (const ip of ips.length ? ips : single ? [single] : []) if (ip !== "None") add("IPAddress", ip);
  if (out.length === 0) return { gateway, addresses: [], ready: false, message: `${type} ${ref} has no cluster IP yet` };
  if (type === "NodePort") {
    const nodePorts = arr(spec["ports"]).map(obj)
      .filter((p) => typeof p["nodePort"] === "number")
      .map((p) => `${String(p["port"])}→${String(p["nodePort"])}/${str(p["protocol"]) ?? "TCP"}`);
    const how = nodePorts.length ? `node ports ${nodePorts.join(", ")}` : "its node ports (not allocated yet)";
    return {
      gateway, addresses: out, ready: true,
      message: `exposed by NodePort ${ref}; status shows its cluster IP, from outside the cluster use any node's address on ${how}`,
    };
  }
  return { gateway, addresses: out, ready: true, message: `exposed by ${type} ${ref} (reachable inside the cluster only)` };
}
