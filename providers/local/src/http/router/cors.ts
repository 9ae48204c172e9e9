// CORS filter (Gateway API v1.6 HTTPCORSFilter; conformance test httproute-cors): preflights
// from an allowed origin are answered here; actual requests from one get the allow headers
// added to the response. Origins compare without their scheme's default port; a
// `scheme://*.example.com` origin matches any number of labels left of the suffix.
import type { CORSConfig } from "@gatehouse/ir";
import type { HeaderMap, ResponseEdits } from "./types.js";

interface OriginPattern {
  scheme: string;
  /** Exact host, or undefined for a wildcard. */
  host: string | undefined;
  /** `.example.com` for `*.example.com`; "" for a bare `*` host. */
  suffix: string;
  /** ":port", or "" for the scheme's default port. */
  port: string;
}

export interface CompiledCors {
  anyOrigin: boolean;
  origins: OriginPattern[];
  credentials: boolean;
  /** Configured list joined with ", " (undefined: none configured). */
  methods: string | undefined;
  methodsWildcard: boolean;
  headers: string | undefined;
  headersWildcard: boolean;
  /** Access-Control-Expose-Headers value, or undefined to omit it. */
  expose: string | undefined;
  maxAge: string;
}

interface ParsedOrigin { scheme: string; host: string; port: string }

/** `scheme://host[:port]` → parts, lowercased, default port dropped; undefined if malformed. */
export function parseOrigin(origin: string): ParsedOrigin | undefined {
  const o = origin.toLowerCase();
  const sep = o.indexOf("://");
  if (sep <= 0) return undefined;
  const scheme = o.slice(0, sep);
  const rest = o.slice(sep + 3);
  if (rest.length === 0 || rest.includes("/")) return undefined;
  const bracket = rest.lastIndexOf("]");
  const colon = rest.lastIndexOf(":");
  let host = rest, port = "";
  if (colon > bracket) {
    host = rest.slice(0, colon);
    port = rest.slice(colon);
    if (port === ":") return undefined;
  }
  if ((scheme === "http" && port === ":80") || (scheme === "https" && port === ":443")) port = "";
  return { scheme, host, port };
}

function joinList(list: unknown): { value: string | undefined; wildcard: boolean } {
  const items = Array.isArray(list) ? list.map(String) : [];
  if (items.includes("*")) return { value: "*", wildcard: true };
  return { value: items.length > 0 ? items.join(", ") : undefined, wildcard: false };
}

export function compileCors(cfg: Partial<CORSConfig>): CompiledCors {
  const origins: OriginPattern[] = [];
  let anyOrigin = false;
  for (const raw of Array.isArray(cfg.allowOrigins) ? cfg.allowOrigins : []) {
    if (raw === "*") { anyOrigin = true; continue; }
    const p = parseOrigin(String(raw));
    if (!p) continue;
    if (p.host === "*") origins.push({ scheme: p.scheme, host: undefined, suffix: "", port: p.port });
    else if (p.host.startsWith("*.")) origins.push({ scheme: p.scheme, host: undefined, suffix: p.host.slice(1), port: p.port });
    else origins.push({ scheme: p.scheme, host: p.host, suffix: "", port: p.port });
  }
  const credentials = cfg.allowCredentials === true;
  const methods = joinList(cfg.allowMethods);
  const headers = joinList(cfg.allowHeaders);
  const expose = joinList(cfg.exposeHeaders);
  const maxAge = typeof cfg.maxAge === "number" && cfg.maxAge > 0 ? cfg.maxAge : 5;
  return {
    anyOrigin, origins, credentials,
    methods: methods.value, methodsWildcard: methods.wildcard,
    headers: headers.value, headersWildcard: headers.wildcard,
    // `*` means "all" only without credentials; with them the spec forbids sending it.
    expose: expose.wildcard && credentials ? undefined : expose.value,
    maxAge: String(maxAge),
  };
}

export function originAllowed(c: CompiledCors, origin: string): boolean {
  if (c.anyOrigin) return true;
  const o = parseOrigin(origin);
  if (!o) return false;
  for (const p of c.origins) {
    if (p.scheme !== o.scheme || p.port !== o.port) continue;
    if (p.host !== undefined ? p.host === o.host : o.host.length > p.suffix.length && o.host.endsWith(p.suffix)) return true;
  }
  return false;
}

function first(headers: HeaderMap, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) && v.length > 0 ? v[0] : typeof v === "string" ? v : undefined;
}

/** The request's Origin when it is a CORS request from an allowed origin, else undefined. */
export function allowedOrigin(c: CompiledCors, headers: HeaderMap): string | undefined {
  const origin = first(headers, "origin");
  return origin !== undefined && origin !== "" && originAllowed(c, origin) ? origin : undefined;
}

/** Access-Control-Request-Method of a preflight (OPTIONS + Origin + it), else undefined. */
export function preflightMethod(method: string, headers: HeaderMap): string | undefined {
  if (method !== "OPTIONS") return undefined;
  const m = first(headers, "access-control-request-method");
  return m !== undefined && m !== "" ? m : undefined;
}

/** Headers of the direct answer to an allowed preflight. */
export function preflightHeaders(c: CompiledCors, origin: string, requestMethod: string, headers: HeaderMap): HeaderMap {
  const out: HeaderMap = { "access-control-allow-origin": [origin] };
  if (c.credentials) out["access-control-allow-credentials"] = ["true"];
  // A wildcard echoes what was asked: correct with and without credentials.
  const methods = c.methodsWildcard ? requestMethod : c.methods;
  if (methods !== undefined) out["access-control-allow-methods"] = [methods];
  const asked = first(headers, "access-control-request-headers");
  const allowHeaders = c.headersWildcard ? (asked !== undefined && asked !== "" ? asked : undefined) : c.headers;
  if (allowHeaders !== undefined) out["access-control-allow-headers"] = [allowHeaders];
  if (c.expose !== undefined) out["access-control-expose-headers"] = [c.expose];
  out["access-control-max-age"] = [c.maxAge];
  out.vary = ["Origin"];
  return out;
}

/** Response edits for an actual request from an allowed origin, on top of `base`. */
export function corsResponseEdits(c: CompiledCors, origin: string, base: ResponseEdits): ResponseEdits {
  const set = base.set.slice();
  set.push({ name: "access-control-allow-origin", value: origin });
  if (c.credentials) set.push({ name: "access-control-allow-credentials", value: "true" });
  if (c.expose !== undefined) set.push({ name: "access-control-expose-headers", value: c.expose });
  const add = base.add.slice();
  add.push({ name: "vary", value: "Origin" });
  return { set, add, remove: base.remove };
}
