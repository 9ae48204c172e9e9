// Resource paths as the Compute API spells them (`projects/p/global/urlMaps/x`,
// `projects/p/regions/r/backendServices/x`, `projects/p/zones/z/networkEndpointGroups/x`):
// the provider's resource ids, and the form references are sent in.

export const API_BASE = "https://www.googleapis.com/compute/v1/";

export type Collection =
  | "firewalls" | "healthChecks" | "networkEndpointGroups" | "backendServices" | "urlMaps"
  | "sslCertificates" | "targetHttpProxies" | "targetHttpsProxies" | "addresses" | "forwardingRules";

/** Dependency order: a resource only references resources of a lower rank. */
export const RANK: Record<Collection, number> = {
  firewalls: 0, healthChecks: 1, networkEndpointGroups: 2, backendServices: 3, urlMaps: 4,
  sslCertificates: 5, targetHttpProxies: 6, targetHttpsProxies: 6, addresses: 7, forwardingRules: 8,
};

/** Where a resource lives: global (no region/zone), a region, or a zone. */
export interface Loc { project: string; region?: string; zone?: string }

export interface ResourcePath { project: string; region?: string; zone?: string; collection: Collection; name: string }

export function scopeOf(loc: Loc): string {
  return loc.zone ? `zones/${loc.zone}` : loc.region ? `regions/${loc.region}` : "global";
}

export function pathOf(loc: Loc, collection: Collection, name: string): string {
  return `projects/${loc.project}/${scopeOf(loc)}/${collection}/${name}`;
}

export function linkOf(path: string): string {
  return `${API_BASE}${path}`;
}

const PATH = /^projects\/([^/]+)\/(?:global|regions\/([^/]+)|zones\/([^/]+))\/([A-Za-z]+)\/([^/]+)$/;

export function parsePath(path: string): ResourcePath | undefined {
  const p = path.startsWith(API_BASE) ? path.slice(API_BASE.length) : path;
  const m = PATH.exec(p);
  if (!m) return undefined;
  const out: ResourcePath = { project: m[1]!, collection: m[4] as Collection, name: m[5]! };
  if (m[2]) out.region = m[2];
  if (m[3]) out.zone = m[3];
  return out;
}

/** `global/urlMaps/x` — the path without its project (annotation values). */
export function shortPath(path: string): string {
  return path.replace(/^projects\/[^/]+\//, "");
}

export function byRank(a: string, b: string): number {
  const ca = parsePath(a)?.collection;
  const cb = parsePath(b)?.collection;
  const r = (ca ? RANK[ca] : 0) - (cb ? RANK[cb] : 0);
  return r !== 0 ? r : a < b ? -1 : a > b ? 1 : 0;
}
