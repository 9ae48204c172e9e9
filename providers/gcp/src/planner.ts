// Known cloud state + desired model → ordered actions. Pure. Creates and updates go in
// dependency order (firewall, health checks, NEGs + endpoints, backend services, URL maps,
// certificates, proxies, addresses, forwarding rules); deletes after them in reverse order,
// so nothing is deleted while still referenced and nothing references what is not there yet.
import type { PlannedChange } from "@gatehouse/provider-api";
import { covers, isObj, type Json } from "./cloud/json.js";
import { RANK, byRank, parsePath, type Collection } from "./cloud/paths.js";
import { ownership, type DesiredModel, type DesiredResource, type Endpoint } from "./model.js";

/** The API's limit on endpoints per attach/detach call. */
export const ENDPOINT_BATCH = 500;

export interface KnownResource {
  path: string;
  body: Json;
  /** Carries our ownership mark for this cluster. */
  ours: boolean;
  owner?: string;
  /** NEGs: attached endpoints by key. */
  endpoints?: Map<string, Endpoint>;
}

export interface Known {
  resources: Map<string, KnownResource>;
  /** Paths read as 404. */
  absent: Set<string>;
}

export type Action =
  | { op: "insert"; path: string; res: DesiredResource }
  | { op: "update"; path: string; res: DesiredResource }
  | { op: "setUrlMap"; path: string; res: DesiredResource; urlMap: string }
  | { op: "setSslCertificates"; path: string; res: DesiredResource; certs: string[] }
  | { op: "patch"; path: string; res: DesiredResource; body: Json }
  | { op: "setTarget"; path: string; res: DesiredResource; target: string }
  | { op: "attach" | "detach"; path: string; res: DesiredResource; endpoints: Endpoint[] }
  | { op: "delete"; path: string; sources: string[]; gateways: string[]; owner: string };

export interface PlanResult {
  actions: Action[];
  /** Desired paths held by a resource that is not ours: path → message. */
  conflicts: Map<string, string>;
}

export function endpointKey(e: Endpoint): string {
  return `${e.instance}|${e.ipAddress}|${e.port}`;
}

function batches<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

const sorted = (v: unknown): string[] => (Array.isArray(v) ? v.map(String).sort() : []);
const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The IP a forwarding rule's desired IPAddress stands for, when known. */
function desiredIp(value: unknown, known: Known): string | undefined {
  if (typeof value !== "string") return undefined;
  const p = parsePath(value);
  if (!p) return value;
  const a = known.resources.get(`projects/${p.project}/${p.region ? `regions/${p.region}` : "global"}/addresses/${p.name}`);
  return typeof a?.body["address"] === "string" ? a.body["address"] : undefined;
}

function changesFor(d: DesiredResource, k: KnownResource, known: Known): Action[] | "recreate" {
  const coll = d.collection;
  const path = d.path;
  switch (coll) {
    case "firewalls": case "healthChecks": case "backendServices": case "urlMaps":
      return covers(k.body, d.body) ? [] : [{ op: "update", path, res: d }];
    case "targetHttpProxies":
      return k.body["urlMap"] === d.body["urlMap"] ? [] : [{ op: "setUrlMap", path, res: d, urlMap: String(d.body["urlMap"]) }];
    case "targetHttpsProxies": {
      const out: Action[] = [];
      if (k.body["urlMap"] !== d.body["urlMap"]) out.push({ op: "setUrlMap", path, res: d, urlMap: String(d.body["urlMap"]) });
      const wantMap = d.body["certificateMap"];
      if ((k.body["certificateMap"] ?? undefined) !== (wantMap ?? undefined) && (k.body["certificateMap"] || wantMap)) {
        out.push({ op: "patch", path, res: d, body: wantMap ? { certificateMap: wantMap, sslCertificates: [] } : { certificateMap: null, sslCertificates: d.body["sslCertificates"] } });
      } else if (!wantMap && !same(sorted(k.body["sslCertificates"]), sorted(d.body["sslCertificates"]))) {
        out.push({ op: "setSslCertificates", path, res: d, certs: sorted(d.body["sslCertificates"]) });
      }
      return out;
    }
    case "forwardingRules": {
      const ip = desiredIp(d.body["IPAddress"], known);
      const immutable = ["portRange", "loadBalancingScheme", "network", "subnetwork"].some((f) => (k.body[f] ?? undefined) !== (d.body[f] ?? undefined));
      if (immutable || ip === undefined || ip !== k.body["IPAddress"]) return "recreate";
      return k.body["target"] === d.body["target"] ? [] : [{ op: "setTarget", path, res: d, target: String(d.body["target"]) }];
    }
    case "networkEndpointGroups": {
      const have = k.endpoints ?? new Map<string, Endpoint>();
      const want = new Map((d.endpoints ?? []).map((e) => [endpointKey(e), e]));
      const attach = [...want.keys()].filter((x) => !have.has(x)).sort().map((x) => want.get(x)!);
      const detach = [...have.keys()].filter((x) => !want.has(x)).sort().map((x) => have.get(x)!);
      // Attach first: new endpoints serve before old ones go.
      return [
        ...batches(attach, ENDPOINT_BATCH).map((endpoints): Action => ({ op: "attach", path, res: d, endpoints })),
        ...batches(detach, ENDPOINT_BATCH).map((endpoints): Action => ({ op: "detach", path, res: d, endpoints })),
      ];
    }
    case "sslCertificates": case "addresses":
      // Immutable; certificate names carry a hash of their content, addresses keep their IP.
      return [];
  }
}

export function planActions(known: Known, model: DesiredModel): PlanResult {
  const actions: Action[] = [];
  const conflicts = new Map<string, string>();
  const desired = [...model.resources.values()].sort((a, b) => byRank(a.path, b.path));
  for (const d of desired) {
    const k = known.resources.get(d.path);
    if (!k) {
      actions.push({ op: "insert", path: d.path, res: d });
      if (d.endpoints && d.endpoints.length > 0) {
        for (const endpoints of batches(d.endpoints, ENDPOINT_BATCH)) actions.push({ op: "attach", path: d.path, res: d, endpoints });
      }
      continue;
    }
    if (!k.ours) {
      conflicts.set(d.path, `${d.path} exists and is not managed by gatehouse for this cluster; rename or delete it`);
      continue;
    }
    const c = changesFor(d, k, known);
    if (c === "recreate") {
      actions.push({ op: "delete", path: d.path, sources: d.sources, gateways: d.gateways, owner: k.owner ?? "" });
      actions.push({ op: "insert", path: d.path, res: d });
    } else {
      actions.push(...c);
    }
  }
  // Garbage: ours, not desired, and not belonging to a Gateway whose config is invalid.
  const held = new Set(model.held.map((key) => `gateway/${key}`));
  const garbage = [...known.resources.values()]
    .filter((k) => k.ours && !model.resources.has(k.path))
    .filter((k) => !(k.owner && held.has(k.owner)) && !(k.owner === "shared" && held.size > 0))
    .sort((a, b) => byRank(b.path, a.path));
  for (const g of garbage) {
    actions.push({ op: "delete", path: g.path, sources: [g.owner ?? ""], gateways: g.owner?.startsWith("gateway/") ? [g.owner.slice(8)] : [], owner: g.owner ?? "" });
  }
  return { actions, conflicts };
}

/** A known resource from a resource as read (ownership from its description). */
export function knownFrom(path: string, body: Json, clusterName: string, endpoints?: Json[]): KnownResource {
  const own = ownership(body["description"]);
  const k: KnownResource = { path, body, ours: own?.cluster === clusterName };
  if (own) k.owner = own.owner;
  if (endpoints) {
    k.endpoints = new Map();
    for (const e of endpoints) {
      if (!isObj(e)) continue;
      const ep: Endpoint = { instance: String(e["instance"] ?? "").split("/").pop()!, ipAddress: String(e["ipAddress"] ?? ""), port: Number(e["port"] ?? 0) };
      k.endpoints.set(endpointKey(ep), ep);
    }
  }
  return k;
}

const OP: Record<Action["op"], PlannedChange["op"]> = {
  insert: "create", update: "update", setUrlMap: "update", setSslCertificates: "update", patch: "update", setTarget: "update",
  attach: "update", detach: "update", delete: "delete",
};

function summary(a: Action): string {
  switch (a.op) {
    case "insert": return `create ${a.res.collection} ${a.res.name}${a.res.endpoints?.length ? ` (${a.res.endpoints.length} endpoints)` : ""}`;
    case "update": return `update ${a.res.collection} ${a.res.name} (spec ${a.res.hash})`;
    case "setUrlMap": return `point ${a.res.name} at URL map ${a.urlMap.split("/").pop()}`;
    case "setSslCertificates": return `set ${a.certs.length} SSL certificate(s) on ${a.res.name}`;
    case "patch": return `set the certificate source of ${a.res.name}`;
    case "setTarget": return `point forwarding rule ${a.res.name} at ${a.target.split("/").pop()}`;
    case "attach": return `attach ${a.endpoints.length} endpoint(s) to ${a.res.name}`;
    case "detach": return `detach ${a.endpoints.length} endpoint(s) from ${a.res.name}`;
    case "delete": return `delete ${parsePath(a.path)?.collection ?? "resource"} ${a.path.split("/").pop()}`;
  }
}

export function toPlannedChange(a: Action): PlannedChange {
  const collection = (parsePath(a.path)?.collection ?? "unknown") as Collection;
  return { op: OP[a.op], resource: `gcp:${collection}`, id: a.path, sources: a.op === "delete" ? a.sources : a.res.sources, summary: summary(a) };
}

/** Paths a desired body references (full URLs of our kind of resources). */
export function referencesOf(body: Json): string[] {
  const out = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === "string") { const p = parsePath(v); if (p && p.collection in RANK) out.add(v); return; }
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObj(v)) Object.values(v).forEach(walk);
  };
  walk(body);
  return [...out].map((v) => v.replace(/^https:\/\/www\.googleapis\.com\/compute\/v1\//, ""));
}
