// HTTPRoute/GRPCRoute filters: validated against the spec and the class capabilities,
// normalized into FilterNode.config (the IR's filter shape, defaults applied).
import { FEATURE, REASON } from "@gatehouse/model";
import type { BackendNode, CORSConfig, FilterNode, HeaderModifierConfig, MirrorConfig, PathModifier, RedirectConfig, RewriteConfig } from "../types.js";
import { isValidPreciseHostname } from "../hostnames.js";
import { arr, isInt, obj, show, str, type Obj } from "../json.js";
import { HEADER_NAME, HTTP_METHODS } from "./matches.js";
import { REDIRECT_FEATURE, ROUTE_REASON } from "./reasons.js";
import { fail, type Caps } from "./validate.js";

export interface FilterContext {
  kind: "HTTPRoute" | "GRPCRoute";
  caps: Caps;
  /** Resolves a RequestMirror backendRef like any backend. */
  resolveMirror(ref: unknown, path: string, source: string): BackendNode;
}

const FIELD: Record<string, string> = {
  RequestHeaderModifier: "requestHeaderModifier",
  ResponseHeaderModifier: "responseHeaderModifier",
  RequestRedirect: "requestRedirect",
  URLRewrite: "urlRewrite",
  RequestMirror: "requestMirror",
  CORS: "cors",
  ExtensionRef: "extensionRef",
  ExternalAuth: "externalAuth",
};
const KIND_TYPES = {
  HTTPRoute: ["RequestHeaderModifier", "ResponseHeaderModifier", "RequestRedirect", "URLRewrite", "RequestMirror", "CORS", "ExtensionRef", "ExternalAuth"],
  GRPCRoute: ["RequestHeaderModifier", "ResponseHeaderModifier", "RequestMirror", "ExtensionRef"],
};
/** Types the spec allows more than once in one filter list. */
const REPEATABLE = new Set(["RequestMirror", "ExtensionRef"]);
const STATUS_CODES = [301, 302, 303, 307, 308];

/**
 * Filters of a rule (`scope: "rule"`) or of one backendRef (`scope: "backend"`). Throws
 * RuleInvalid on the first problem; the caller drops the rule.
 */
export function buildFilters(raw: unknown, path: string, source: string, ctx: FilterContext, scope: "rule" | "backend"): FilterNode[] {
  if (raw !== undefined && !Array.isArray(raw)) fail(path, `must be a list, got ${show(raw)}`);
  const out: FilterNode[] = [];
  const seen = new Map<string, number>();
  let secondMirror: number | undefined;
  arr(raw).forEach((f, k) => {
    const fp = `${path}[${k}]`;
    const node = buildFilter(f, fp, `${source}/filter/${k}`, ctx, scope);
    const prev = seen.get(node.type);
    if (prev !== undefined && !REPEATABLE.has(node.type)) {
      fail(`${fp}.type`, `${node.type} may appear only once (already at ${path}[${prev}])`);
    }
    if (prev === undefined) seen.set(node.type, k);
    else if (node.type === "RequestMirror") secondMirror ??= k;
    out.push(node);
  });
  const redirect = seen.get("RequestRedirect"), rewrite = seen.get("URLRewrite");
  if (redirect !== undefined && rewrite !== undefined) {
    fail(`${path}[${Math.max(redirect, rewrite)}]`,
      `RequestRedirect (${path}[${redirect}]) and URLRewrite (${path}[${rewrite}]) cannot be used together`,
      ROUTE_REASON.IncompatibleFilters);
  }
  if (secondMirror !== undefined) {
    ctx.caps.need(FEATURE.HTTPRouteRequestMultipleMirrors, `${path}[${secondMirror}]`, "multiple RequestMirror filters per rule");
  }
  return out.slice(); // exact size: a pushed-to array keeps room for 17 (the graph holds 10,000s of these)
}

function buildFilter(raw: unknown, path: string, source: string, ctx: FilterContext, scope: "rule" | "backend"): FilterNode {
  const f = obj(raw) ?? fail(path, `must be an object, got ${show(raw)}`);
  const type = f.type;
  if (typeof type !== "string" || !KIND_TYPES[ctx.kind].includes(type)) {
    fail(`${path}.type`, `${show(type)} is not a ${ctx.kind} filter type (${KIND_TYPES[ctx.kind].join(", ")})`);
  }
  ctx.caps.needFilter(type, `${path}.type`);
  const field = FIELD[type]!;
  const fpath = `${path}.${field}`;
  const body = f[field];
  if (type === "ExtensionRef") {
    // gatehouse defines no extension filters, so no reference resolves; the spec says such a
    // filter must not be skipped: the rule answers 500 instead (reported via ResolvedRefs).
    const r = obj(body) ?? {};
    const ref = { group: str(r.group) ?? "", kind: str(r.kind) ?? "", name: str(r.name) ?? "" };
    return {
      type, source, config: ref,
      unresolved: {
        reason: REASON.InvalidKind,
        message: `${fpath}: ${show(ref.group)}/${show(ref.kind)} ${show(ref.name)} is not a filter kind gatehouse knows; requests matching this rule get 500`,
      },
    };
  }
  if (type === "ExternalAuth") fail(fpath, "ExternalAuth filters are not supported by gatehouse");
  const cfg: Obj = obj(body) ?? fail(fpath, `is required when type is ${type}`);
  if (scope === "backend") {
    if (type !== "RequestHeaderModifier" && type !== "ResponseHeaderModifier") {
      fail(`${path}.type`, `${type} filters on a backendRef are not supported by gatehouse (only RequestHeaderModifier and ResponseHeaderModifier)`);
    }
    ctx.caps.need(FEATURE.HTTPRouteBackendRequestHeaderModification, `${path}`, "filters on backendRefs");
  }
  switch (type) {
    case "RequestHeaderModifier":
      return { type, source, config: headerModifier(cfg, fpath) };
    case "ResponseHeaderModifier":
      ctx.caps.need(FEATURE.HTTPRouteResponseHeaderModification, fpath, "response header modifications");
      return { type, source, config: headerModifier(cfg, fpath) };
    case "RequestRedirect":
      return { type, source, config: redirectFilter(cfg, fpath, ctx.caps) };
    case "URLRewrite":
      return { type, source, config: rewriteFilter(cfg, fpath, ctx.caps) };
    case "RequestMirror": {
      ctx.caps.need(FEATURE.HTTPRouteRequestMirror, fpath, "request mirrors");
      const { config, ref } = mirrorFilter(cfg, fpath, ctx.caps);
      return { type, source, config, mirror: ctx.resolveMirror(ref, `${fpath}.backendRef`, `${source}/mirror`) };
    }
    default: // CORS
      ctx.caps.need(FEATURE.HTTPRouteCORS, fpath, "CORS filters");
      return { type: "CORS", source, config: corsFilter(cfg, fpath) };
  }
}

function headerModifier(cfg: Obj, path: string): HeaderModifierConfig {
  const pairs = (key: "set" | "add"): HeaderModifierConfig["set"] => {
    const p = `${path}.${key}`;
    if (cfg[key] !== undefined && !Array.isArray(cfg[key])) fail(p, `must be a list, got ${show(cfg[key])}`);
    const seen = new Set<string>();
    return arr(cfg[key]).map((raw, i) => {
      const h = obj(raw) ?? fail(`${p}[${i}]`, `must be an object, got ${show(raw)}`);
      const name = headerName(h.name, `${p}[${i}].name`);
      if (typeof h.value !== "string") fail(`${p}[${i}].value`, `must be a string, got ${show(h.value)}`);
      if (seen.has(name.toLowerCase())) fail(`${p}[${i}].name`, `header ${show(name)} is listed twice`);
      seen.add(name.toLowerCase());
      return { name, value: h.value };
    });
  };
  const rp = `${path}.remove`;
  if (cfg.remove !== undefined && !Array.isArray(cfg.remove)) fail(rp, `must be a list, got ${show(cfg.remove)}`);
  const remove = arr(cfg.remove).map((n, i) => headerName(n, `${rp}[${i}]`));
  return { set: pairs("set"), add: pairs("add"), remove };
}

function headerName(v: unknown, path: string): string {
  if (typeof v !== "string" || !HEADER_NAME.test(v)) fail(path, `${show(v)} is not a valid header name`);
  return v;
}

function pathModifier(raw: unknown, path: string): PathModifier {
  const p = obj(raw) ?? fail(path, `must be an object, got ${show(raw)}`);
  if (p.type === "ReplaceFullPath" || p.type === "ReplacePrefixMatch") {
    const key = p.type === "ReplaceFullPath" ? "replaceFullPath" : "replacePrefixMatch";
    const value = p[key];
    if (typeof value !== "string") fail(`${path}.${key}`, `is required when type is ${p.type}`);
    if (value !== "" && !value.startsWith("/")) fail(`${path}.${key}`, `${show(value)} must start with "/"`);
    return { type: p.type, value };
  }
  return fail(`${path}.type`, `${show(p.type)} is not one of ReplaceFullPath, ReplacePrefixMatch`);
}

function redirectFilter(cfg: Obj, path: string, caps: Caps): RedirectConfig {
  const out: RedirectConfig = { statusCode: 302 };
  if (cfg.scheme !== undefined) {
    if (cfg.scheme !== "http" && cfg.scheme !== "https") fail(`${path}.scheme`, `${show(cfg.scheme)} is not one of http, https`);
    caps.need(FEATURE.HTTPRouteSchemeRedirect, `${path}.scheme`, "scheme redirects");
    out.scheme = cfg.scheme;
  }
  if (cfg.hostname !== undefined) {
    if (!isValidPreciseHostname(cfg.hostname)) fail(`${path}.hostname`, `${show(cfg.hostname)} is not a valid precise hostname`);
    out.hostname = cfg.hostname;
  }
  if (cfg.port !== undefined) {
    if (!isInt(cfg.port) || cfg.port < 1 || cfg.port > 65535) fail(`${path}.port`, `${show(cfg.port)} is not a port number (1-65535)`);
    caps.need(FEATURE.HTTPRoutePortRedirect, `${path}.port`, "port redirects");
    out.port = cfg.port;
  }
  if (cfg.path !== undefined) {
    out.path = pathModifier(cfg.path, `${path}.path`);
    caps.need(FEATURE.HTTPRoutePathRedirect, `${path}.path`, "path redirects");
  }
  const code = cfg.statusCode ?? 302;
  if (!isInt(code) || !STATUS_CODES.includes(code)) fail(`${path}.statusCode`, `${show(code)} is not one of ${STATUS_CODES.join(", ")}`);
  const feature = REDIRECT_FEATURE[code];
  if (feature) caps.need(feature, `${path}.statusCode`, `${code} redirects`);
  out.statusCode = code;
  return out;
}

function rewriteFilter(cfg: Obj, path: string, caps: Caps): RewriteConfig {
  const out: RewriteConfig = {};
  if (cfg.hostname !== undefined) {
    if (!isValidPreciseHostname(cfg.hostname)) fail(`${path}.hostname`, `${show(cfg.hostname)} is not a valid precise hostname`);
    caps.need(FEATURE.HTTPRouteHostRewrite, `${path}.hostname`, "host rewrites");
    out.hostname = cfg.hostname;
  }
  if (cfg.path !== undefined) {
    out.path = pathModifier(cfg.path, `${path}.path`);
    caps.need(FEATURE.HTTPRoutePathRewrite, `${path}.path`, "path rewrites");
  }
  return out;
}

function mirrorFilter(cfg: Obj, path: string, caps: Caps): { config: MirrorConfig; ref: Obj } {
  const ref = obj(cfg.backendRef) ?? fail(`${path}.backendRef`, `is required, got ${show(cfg.backendRef)}`);
  if (cfg.percent !== undefined && cfg.fraction !== undefined) fail(path, "only one of percent and fraction may be set");
  let percent = 100;
  if (cfg.percent !== undefined) {
    if (!isInt(cfg.percent) || cfg.percent < 0 || cfg.percent > 100) fail(`${path}.percent`, `${show(cfg.percent)} is not an integer from 0 to 100`);
    percent = cfg.percent;
    caps.need(FEATURE.HTTPRouteRequestPercentageMirror, `${path}.percent`, "percentage mirrors");
  } else if (cfg.fraction !== undefined) {
    const fr = obj(cfg.fraction) ?? fail(`${path}.fraction`, `must be an object, got ${show(cfg.fraction)}`);
    const den = fr.denominator ?? 100;
    if (!isInt(den) || den < 1) fail(`${path}.fraction.denominator`, `${show(den)} must be a positive integer`);
    if (!isInt(fr.numerator) || fr.numerator < 0 || fr.numerator > den) {
      fail(`${path}.fraction.numerator`, `${show(fr.numerator)} must be an integer from 0 to the denominator (${den})`);
    }
    percent = (fr.numerator / den) * 100;
    caps.need(FEATURE.HTTPRouteRequestPercentageMirror, `${path}.fraction`, "percentage mirrors");
  }
  return { config: { percent }, ref };
}

function corsFilter(cfg: Obj, path: string): CORSConfig {
  const strings = (key: string, check: (v: string) => boolean, what: string): string[] => {
    const p = `${path}.${key}`;
    if (cfg[key] !== undefined && !Array.isArray(cfg[key])) fail(p, `must be a list, got ${show(cfg[key])}`);
    return arr(cfg[key]).map((v, i) => {
      if (typeof v !== "string" || !check(v)) fail(`${p}[${i}]`, `${show(v)} is not ${what}`);
      return v;
    });
  };
  const allowOrigins = strings("allowOrigins", (v) => v === "*" || /^(https?):\/\/(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?$/.test(v), "an origin (`*` or scheme://host[:port])");
  const allowMethods = strings("allowMethods", (v) => v === "*" || HTTP_METHODS.includes(v), "an HTTP method or \"*\"");
  if (allowMethods.includes("*") && allowMethods.length > 1) fail(`${path}.allowMethods`, "\"*\" cannot be combined with other methods");
  const allowHeaders = strings("allowHeaders", (v) => v === "*" || HEADER_NAME.test(v), "a header name or \"*\"");
  const exposeHeaders = strings("exposeHeaders", (v) => v === "*" || HEADER_NAME.test(v), "a header name or \"*\"");
  const allowCredentials = cfg.allowCredentials ?? false;
  if (typeof allowCredentials !== "boolean") fail(`${path}.allowCredentials`, `must be a boolean, got ${show(allowCredentials)}`);
  const maxAge = cfg.maxAge ?? 5;
  if (!isInt(maxAge) || maxAge < 1) fail(`${path}.maxAge`, `${show(maxAge)} must be a positive integer (seconds)`);
  return { allowOrigins, allowMethods, allowHeaders, exposeHeaders, allowCredentials, maxAge };
}
