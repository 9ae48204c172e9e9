import type { Api, CallCtx } from "./api.js";
import { KINDS } from "./kinds/index.js";
import type { KindSpec } from "./kinds/types.js";
import type { Scope } from "./links.js";

/** Path parameters of a matched route. */
export type Params = Record<string, string>;

export interface Route {
  verb: string;
  re: RegExp;
  keys: string[];
  /** Discovery method id: `compute.regionUrlMaps.patch`. */
  method: string;
  mutating: boolean;
  scopeType: Scope["type"];
  handle(api: Api, p: Params, c: CallCtx): unknown;
}

const PREFIX = "/compute/v1/projects/{project}";
const SCOPE_SEGMENT: Record<Scope["type"], string> = { global: "global", region: "regions/{region}", zone: "zones/{zone}" };

function compile(template: string): { re: RegExp; keys: string[] } {
  const keys: string[] = [];
  const src = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, (_m, k: string) => {
    keys.push(k);
    return "([^/]+)";
  });
  return { re: new RegExp(`^${src}$`), keys };
}

function route(verb: string, template: string, method: string, mutating: boolean, scopeType: Scope["type"], handle: Route["handle"]): Route {
  return { verb, ...compile(template), method, mutating, scopeType, handle };
}

function kindRoutes(spec: KindSpec): Route[] {
  const out: Route[] = [];
  if (spec.aggregated) {
    out.push(route("GET", `${PREFIX}/aggregated/${spec.collection}`, `compute.${spec.aggregated}.aggregatedList`, false, "global", (api, _p, c) => api.aggregatedList(spec, c)));
  }
  for (const [scopeType, apiName] of Object.entries(spec.api) as Array<[Scope["type"], string]>) {
    const base = `${PREFIX}/${SCOPE_SEGMENT[scopeType]}/${spec.collection}`;
    const id = (m: string): string => `compute.${apiName}.${m}`;
    out.push(route("GET", base, id("list"), false, scopeType, (api, _p, c) => api.list(spec, c)));
    out.push(route("POST", base, id("insert"), true, scopeType, (api, _p, c) => api.insert(spec, c)));
    out.push(route("GET", `${base}/{name}`, id("get"), false, scopeType, (api, p, c) => api.get(spec, c, p["name"]!)));
    out.push(route("DELETE", `${base}/{name}`, id("delete"), true, scopeType, (api, p, c) => api.delete(spec, c, p["name"]!)));
    if (spec.patch.includes(scopeType)) out.push(route("PATCH", `${base}/{name}`, id("patch"), true, scopeType, (api, p, c) => api.modify(spec, c, p["name"]!, "patch")));
    if (spec.update.includes(scopeType)) out.push(route("PUT", `${base}/{name}`, id("update"), true, scopeType, (api, p, c) => api.modify(spec, c, p["name"]!, "update")));
    for (const m of spec.custom) {
      if (!m.scopes.includes(scopeType)) continue;
      const at = scopeType === "global" && m.globalWithoutSegment ? `${PREFIX}/${spec.collection}/{name}/${m.verb}` : `${base}/{name}/${m.verb}`;
      out.push(route("POST", at, id(m.method), m.mutating, scopeType, (api, p, c) => api.custom(spec, m, c, p["name"]!)));
    }
  }
  return out;
}

function operationRoutes(): Route[] {
  const out: Route[] = [];
  const names: Record<Scope["type"], string> = { global: "globalOperations", region: "regionOperations", zone: "zoneOperations" };
  for (const scopeType of ["global", "region", "zone"] as const) {
    const base = `${PREFIX}/${SCOPE_SEGMENT[scopeType]}/operations`;
    const id = (m: string): string => `compute.${names[scopeType]}.${m}`;
    out.push(route("GET", base, id("list"), false, scopeType, (api, _p, c) => api.opList(c)));
    out.push(route("GET", `${base}/{operation}`, id("get"), false, scopeType, (api, p, c) => api.opGet(c, p["operation"]!)));
    out.push(route("POST", `${base}/{operation}/wait`, id("wait"), false, scopeType, (api, p, c) => api.opWait(c, p["operation"]!)));
  }
  return out;
}

/** Every route the fake answers. */
export const ROUTES: readonly Route[] = [...KINDS.flatMap(kindRoutes), ...operationRoutes()];

export function matchRoute(verb: string, path: string): { route: Route; params: Params } | undefined {
  for (const r of ROUTES) {
    if (r.verb !== verb) continue;
    const m = r.re.exec(path);
    if (!m) continue;
    const params: Params = {};
    r.keys.forEach((k, i) => {
      params[k] = decodeURIComponent(m[i + 1]!);
    });
    return { route: r, params };
  }
  return undefined;
}
