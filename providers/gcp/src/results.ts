// Per-Gateway and per-route results from the model, the known state after apply and the
// errors apply met. Annotations list the Gateway's cloud resources, as GKE does.
import { REASON } from "@gatehouse/model";
import type { GatewayResult, RouteResult } from "@gatehouse/provider-api";
import { parsePath, shortPath, type Collection } from "./cloud/paths.js";
import type { DesiredModel, GatewayModel } from "./model.js";
import type { Known } from "./planner.js";

export const ANNOTATIONS: Record<Collection | "project", string> = {
  project: "gatehouse.dev/gcp-project",
  forwardingRules: "gatehouse.dev/forwarding-rules",
  targetHttpProxies: "gatehouse.dev/target-proxies",
  targetHttpsProxies: "gatehouse.dev/target-proxies",
  urlMaps: "gatehouse.dev/url-maps",
  sslCertificates: "gatehouse.dev/ssl-certificates",
  backendServices: "gatehouse.dev/backend-services",
  healthChecks: "gatehouse.dev/health-checks",
  networkEndpointGroups: "gatehouse.dev/network-endpoint-groups",
  addresses: "gatehouse.dev/addresses",
  firewalls: "gatehouse.dev/firewall-rules",
};

export interface ApplyError { message: string; quota: boolean }

function annotationsOf(g: GatewayModel, known: Known): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const key of new Set(Object.values(ANNOTATIONS))) out[key] = null;
  const lists = new Map<string, string[]>();
  for (const p of g.paths) {
    if (!known.resources.has(p)) continue;
    const c = parsePath(p)?.collection;
    if (!c) continue;
    const key = ANNOTATIONS[c];
    lists.set(key, [...(lists.get(key) ?? []), shortPath(p)]);
  }
  for (const [k, v] of lists) out[k] = v.sort().join(",");
  if (g.config && lists.size > 0) out[ANNOTATIONS.project] = g.config.project;
  return out;
}

function ipOf(g: GatewayModel, known: Known): string | undefined {
  if (g.address.literal) return g.address.literal;
  for (const p of g.paths) {
    if (parsePath(p)?.collection !== "forwardingRules") continue;
    const ip = known.resources.get(p)?.body["IPAddress"];
    if (typeof ip === "string" && ip !== "") return ip;
  }
  const a = g.address.path ? known.resources.get(g.address.path)?.body["address"] : undefined;
  return typeof a === "string" && a !== "" ? a : undefined;
}

export function gatewayResults(model: DesiredModel, known: Known, errors: Map<string, ApplyError>, conflicts: Map<string, string>, fatal?: string): GatewayResult[] {
  return model.gateways.map((g): GatewayResult => {
    const base = { key: g.key, addresses: [] as GatewayResult["addresses"], listeners: [] };
    if (g.invalid) return { ...base, programmed: false, reason: REASON.Invalid, message: g.invalid };
    const ip = ipOf(g, known);
    const addresses = ip ? [{ type: "IPAddress", value: ip }] : [];
    const annotations = annotationsOf(g, known);
    const notes = g.notes.length ? `; notes: ${g.notes.slice(0, 5).join("; ")}${g.notes.length > 5 ? ` (+${g.notes.length - 5} more)` : ""}` : "";
    if (g.blocked) return { ...base, addresses, annotations, programmed: false, reason: REASON.Invalid, message: g.blocked };
    if (fatal) return { ...base, addresses, annotations, programmed: false, reason: REASON.Pending, message: fatal };
    const errs: ApplyError[] = [];
    for (const p of g.paths) {
      const e = errors.get(p);
      if (e) errs.push({ message: `${shortPath(p)}: ${e.message}`, quota: e.quota });
      const c = conflicts.get(p);
      if (c) errs.push({ message: c, quota: false });
    }
    if (errs.length > 0) {
      const quota = errs.some((e) => e.quota);
      const msg = errs.slice(0, 3).map((e) => e.message).join("; ") + (errs.length > 3 ? ` (+${errs.length - 3} more)` : "");
      return { ...base, addresses, annotations, programmed: false, reason: quota ? REASON.NoResources : REASON.Pending,
        message: `${quota ? "GCP quota exceeded: " : "programming the load balancer failed: "}${msg}` };
    }
    const missing = g.paths.filter((p) => !known.resources.has(p));
    if (missing.length > 0) {
      return { ...base, addresses, annotations, programmed: false, reason: REASON.Pending, message: `waiting for ${missing.slice(0, 3).map(shortPath).join(", ")}` };
    }
    if (!ip && g.paths.some((p) => parsePath(p)?.collection === "forwardingRules")) {
      return { ...base, addresses, annotations, programmed: false, reason: REASON.AddressNotAssigned, message: "the forwarding rules have no IP address yet" };
    }
    const frs = g.paths.filter((p) => parsePath(p)?.collection === "forwardingRules").length;
    const maps = g.paths.filter((p) => parsePath(p)?.collection === "urlMaps").length;
    return {
      ...base, addresses, annotations, programmed: true, reason: REASON.Programmed,
      message: `${g.config?.scope === "region" ? `regional (${g.config.region})` : "global"} ${g.config?.loadBalancingScheme ?? ""} load balancer: ${maps} URL map(s), ${frs} forwarding rule(s)${ip ? ` on ${ip}` : ""}${notes}`,
    };
  });
}

export function routeResults(model: DesiredModel): RouteResult[] {
  const by = new Map<string, RouteResult & { msgs: string[] }>();
  for (const n of model.routeNotes) {
    const k = `${n.route}|${n.gatewayKey}`;
    let r = by.get(k);
    if (!r) by.set(k, (r = { route: n.route, gatewayKey: n.gatewayKey, error: { reason: n.reason, message: "" }, msgs: [] }));
    r.msgs.push(n.message);
  }
  return [...by.keys()].sort().map((k) => {
    const r = by.get(k)!;
    return { route: r.route, gatewayKey: r.gatewayKey, error: { reason: r.error!.reason, message: r.msgs.sort().join("; ") } };
  });
}
