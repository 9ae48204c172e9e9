// FilterNode (spec shape in `config`) → IRFilter, with the spec's defaults filled in so data
// planes never need to know them.
import type { FilterNode } from "@gatehouse/graph";
import type { IRBackend, IRFilter, IRHeaderModifier } from "./types.js";
import { isObject, list, num, str, strings } from "./util.js";

/** Filter type → the spec field holding its configuration. */
const FIELD: Record<string, string> = {
  RequestHeaderModifier: "requestHeaderModifier",
  ResponseHeaderModifier: "responseHeaderModifier",
  RequestRedirect: "requestRedirect",
  URLRewrite: "urlRewrite",
  RequestMirror: "requestMirror",
  CORS: "cors",
};

/** Spec defaults (Gateway API v1.x). */
export const REDIRECT_DEFAULT_STATUS = 302;
export const MIRROR_DEFAULT_PERCENT = 100;
export const CORS_DEFAULT_MAX_AGE = 5;

/** Accept both the inner object and the whole filter (`{type, requestRedirect: {...}}`). */
function inner(f: FilterNode): Record<string, unknown> {
  const config = isObject(f.config) ? f.config : {};
  const field = FIELD[f.type];
  const nested = field ? config[field] : undefined;
  return isObject(nested) ? nested : config;
}

function headers(v: unknown): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const h of list(v)) {
    if (!isObject(h)) continue;
    const name = str(h.name), value = str(h.value);
    if (name !== undefined) out.push({ name, value: value ?? "" });
  }
  return out;
}

function headerModifier(c: Record<string, unknown>): IRHeaderModifier {
  return { set: headers(c.set), add: headers(c.add), remove: strings(c.remove) };
}

function pathModifier(v: unknown): { type: "ReplaceFullPath" | "ReplacePrefixMatch"; value: string } | undefined {
  if (!isObject(v)) return undefined;
  if (v.type === "ReplaceFullPath") return { type: "ReplaceFullPath", value: str(v.replaceFullPath) ?? str(v.value) ?? "/" };
  if (v.type === "ReplacePrefixMatch") return { type: "ReplacePrefixMatch", value: str(v.replacePrefixMatch) ?? str(v.value) ?? "/" };
  return undefined;
}

/** Mirror share: `percent`, else `fraction` as a percentage (denominator defaults to 100). */
export function mirrorPercent(c: Record<string, unknown>): number {
  const percent = num(c.percent);
  if (percent !== undefined) return clamp(percent, 0, 100);
  if (isObject(c.fraction)) {
    const n = num(c.fraction.numerator) ?? 0;
    const d = num(c.fraction.denominator) ?? 100;
    return d > 0 ? clamp((n / d) * 100, 0, 100) : 0;
  }
  return MIRROR_DEFAULT_PERCENT;
}

function clamp(v: number, lo: number, hi: number): number { return Math.min(hi, Math.max(lo, v)); }

/**
 * One filter; undefined for a type the IR has no shape for (the graph reports those).
 * `toBackend` maps the resolved mirror backend.
 */
export function buildFilter(f: FilterNode, toBackend: (b: NonNullable<FilterNode["mirror"]>) => IRBackend): IRFilter | undefined {
  const c = inner(f);
  const source = f.source;
  switch (f.type) {
    case "RequestHeaderModifier":
      return { type: "RequestHeaderModifier", source, ...headerModifier(c) };
    case "ResponseHeaderModifier":
      return { type: "ResponseHeaderModifier", source, ...headerModifier(c) };
    case "RequestRedirect": {
      const out: IRFilter = { type: "RequestRedirect", source, statusCode: num(c.statusCode) ?? REDIRECT_DEFAULT_STATUS };
      const scheme = str(c.scheme), hostname = str(c.hostname), port = num(c.port), path = pathModifier(c.path);
      if (scheme !== undefined) out.scheme = scheme;
      if (hostname !== undefined) out.hostname = hostname;
      if (port !== undefined) out.port = port;
      if (path) out.path = path;
      return out;
    }
    case "URLRewrite": {
      const out: IRFilter = { type: "URLRewrite", source };
      const hostname = str(c.hostname), path = pathModifier(c.path);
      if (hostname !== undefined) out.hostname = hostname;
      if (path) out.path = path;
      return out;
    }
    case "RequestMirror":
      // A mirror to an invalid backend is dropped: mirroring is best-effort and never affects the response.
      if (!f.mirror || !f.mirror.valid) return undefined;
      return { type: "RequestMirror", source, backend: toBackend(f.mirror), percent: mirrorPercent(c) };
    case "CORS":
      return {
        type: "CORS",
        source,
        allowOrigins: strings(c.allowOrigins),
        allowMethods: strings(c.allowMethods),
        allowHeaders: strings(c.allowHeaders),
        exposeHeaders: strings(c.exposeHeaders),
        allowCredentials: c.allowCredentials === true,
        maxAge: num(c.maxAge) ?? CORS_DEFAULT_MAX_AGE,
      };
    default:
      return undefined;
  }
}

/** Filters in spec order (the order they apply in). */
export function buildFilters(
  filters: readonly FilterNode[] | undefined,
  toBackend: (b: NonNullable<FilterNode["mirror"]>) => IRBackend,
): IRFilter[] {
  const out: IRFilter[] = [];
  for (const f of filters ?? []) {
    const ir = buildFilter(f, toBackend);
    if (ir) out.push(ir);
  }
  return out;
}
