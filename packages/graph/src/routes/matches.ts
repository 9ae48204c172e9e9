// HTTPRoute and GRPCRoute matches: defaults applied, validated, normalized to HTTPMatchNode.
import { FEATURE } from "@gatehouse/model";
import type { HTTPMatchNode } from "../types.js";
import { arr, obj, show, str, type Obj } from "../json.js";
import { REGEX_FEATURE } from "./reasons.js";
import { fail, type Caps } from "./validate.js";

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];
/** RFC 7230 token: what a header name may contain. */
export const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
// Gateway API HTTPPathMatch CEL rules for Exact and PathPrefix values.
const PATH_CHARS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/;
const GRPC_SERVICE = /^\.?[a-zA-Z_][a-zA-Z_0-9]*(\.[a-zA-Z_][a-zA-Z_0-9]*)*$/;
const GRPC_METHOD = /^[A-Za-z_][A-Za-z_0-9]*$/;

type KV = HTTPMatchNode["headers"][number];

/** The match every request satisfies: a rule without matches gets it. */
export function defaultHTTPMatch(): HTTPMatchNode {
  return { path: { type: "PathPrefix", value: "/" }, headers: [], queryParams: [] };
}

export function httpMatches(raw: unknown, path: string, caps: Caps): HTTPMatchNode[] {
  const list = arr(raw);
  if (list.length === 0) return [defaultHTTPMatch()];
  return list.map((m, j) => httpMatch(m, `${path}[${j}]`, caps));
}

function httpMatch(raw: unknown, path: string, caps: Caps): HTTPMatchNode {
  const m = obj(raw) ?? fail(path, `must be an object, got ${show(raw)}`);
  const out: HTTPMatchNode = {
    path: pathMatch(m.path, `${path}.path`, caps),
    headers: kvMatches(m.headers, `${path}.headers`, caps, "header"),
    queryParams: kvMatches(m.queryParams, `${path}.queryParams`, caps, "query"),
  };
  if (m.method !== undefined) {
    const method = m.method;
    if (typeof method !== "string" || !HTTP_METHODS.includes(method)) {
      fail(`${path}.method`, `${show(method)} is not one of ${HTTP_METHODS.join(", ")}`);
    }
    caps.need(FEATURE.HTTPRouteMethodMatching, `${path}.method`, "method matches");
    out.method = method;
  }
  if (out.queryParams.length) caps.need(FEATURE.HTTPRouteQueryParamMatching, `${path}.queryParams`, "query parameter matches");
  return out;
}

function pathMatch(raw: unknown, path: string, caps: Caps): HTTPMatchNode["path"] {
  if (raw === undefined) return { type: "PathPrefix", value: "/" };
  const p = obj(raw) ?? fail(path, `must be an object, got ${show(raw)}`);
  const type = p.type ?? "PathPrefix";
  const value = p.value ?? "/";
  if (typeof value !== "string") fail(`${path}.value`, `must be a string, got ${show(value)}`);
  if (type === "RegularExpression") {
    checkRegex(value, `${path}.value`);
    caps.need(REGEX_FEATURE.Path, `${path}.type`, "RegularExpression path matches");
    return { type, value };
  }
  if (type !== "Exact" && type !== "PathPrefix") {
    fail(`${path}.type`, `${show(type)} is not one of Exact, PathPrefix, RegularExpression`);
  }
  checkPath(value, `${path}.value`);
  return { type, value };
}

/** Exact/PathPrefix values: absolute, normalized, only URL path characters. */
export function checkPath(value: string, path: string): void {
  if (!value.startsWith("/")) fail(path, `${show(value)} must start with "/"`);
  if (value.length > 1024) fail(path, "must be at most 1024 characters");
  for (const bad of ["//", "/./", "/../", "%2f", "%2F", "#"]) {
    if (value.includes(bad)) fail(path, `${show(value)} must not contain ${show(bad)}`);
  }
  if (value.endsWith("/..") || value.endsWith("/.")) fail(path, `${show(value)} must not end with "/.." or "/."`);
  if (!PATH_CHARS.test(value)) fail(path, `${show(value)} contains characters not allowed in a URL path`);
}

/** gatehouse accepts regexes the JS engine compiles (RE2 syntax is a subset of it for common patterns). */
export function checkRegex(value: string, path: string): void {
  try {
    new RegExp(value);
  } catch {
    // The engine's own error text varies between Node versions; keep messages stable.
    fail(path, `${show(value)} is not a valid regular expression`);
  }
}

/**
 * Header or query parameter matches. Per spec only the first entry of an equivalent name
 * counts (header names case-insensitively, query names exactly); later ones are ignored.
 * Output is sorted by name: the entries are ANDed, so order carries no meaning.
 */
function kvMatches(raw: unknown, path: string, caps: Caps, what: "header" | "query"): KV[] {
  if (raw !== undefined && !Array.isArray(raw)) fail(path, `must be a list, got ${show(raw)}`);
  const seen = new Set<string>();
  const out: KV[] = [];
  arr(raw).forEach((e, k) => {
    const p = `${path}[${k}]`;
    const kv = readKV(e, p, caps, what);
    const id = what === "header" ? kv.name.toLowerCase() : kv.name;
    if (seen.has(id)) return;
    seen.add(id);
    out.push(what === "header" ? { ...kv, name: id } : kv);
  });
  const max = what === "header" ? caps.limit("headerMatchesPerMatch") : undefined;
  if (max && out.length > max.value) {
    fail(path, `${out.length} header matches exceed the ${max.value} per match supported by ${max.controller}`);
  }
  // slice: exact size (a pushed-to array keeps room for 17; the graph holds 10,000s of these)
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).slice();
}

function readKV(raw: unknown, path: string, caps: Caps, what: "header" | "query"): KV {
  const e: Obj = obj(raw) ?? fail(path, `must be an object, got ${show(raw)}`);
  const name = str(e.name);
  if (!name || (what === "header" && !HEADER_NAME.test(name))) fail(`${path}.name`, `${show(e.name)} is not a valid ${what === "header" ? "header" : "query parameter"} name`);
  if (typeof e.value !== "string") fail(`${path}.value`, `must be a string, got ${show(e.value)}`);
  const type = e.type ?? "Exact";
  if (type === "RegularExpression") {
    checkRegex(e.value, `${path}.value`);
    caps.need(what === "header" ? REGEX_FEATURE.Header : REGEX_FEATURE.QueryParam, `${path}.type`,
      `RegularExpression ${what === "header" ? "header" : "query parameter"} matches`);
  } else if (type !== "Exact") {
    fail(`${path}.type`, `${show(type)} is not one of Exact, RegularExpression`);
  }
  return { type, name, value: e.value };
}

export function grpcMatches(raw: unknown, path: string, caps: Caps): HTTPMatchNode[] {
  const list = arr(raw);
  if (list.length === 0) return [{ ...defaultHTTPMatch(), grpc: { type: "Exact" } }];
  return list.map((m, j) => grpcMatch(m, `${path}[${j}]`, caps));
}

/**
 * gRPC method matches become HTTP/2 path matches on `/<service>/<method>`:
 * Exact service+method → Exact path; service only → PathPrefix `/<service>/`; method only
 * → RegularExpression `/[^/]+/<method>`; RegularExpression type → a path regex.
 */
function grpcMatch(raw: unknown, path: string, caps: Caps): HTTPMatchNode {
  const m = obj(raw) ?? fail(path, `must be an object, got ${show(raw)}`);
  const headers = kvMatches(m.headers, `${path}.headers`, caps, "header");
  if (m.method === undefined) return { path: { type: "PathPrefix", value: "/" }, headers, queryParams: [], grpc: { type: "Exact" } };
  const mp = `${path}.method`;
  const gm = obj(m.method) ?? fail(mp, `must be an object, got ${show(m.method)}`);
  const type = gm.type ?? "Exact";
  const service = gm.service === undefined || gm.service === "" ? undefined : gm.service;
  const method = gm.method === undefined || gm.method === "" ? undefined : gm.method;
  if (service !== undefined && typeof service !== "string") fail(`${mp}.service`, `must be a string, got ${show(service)}`);
  if (method !== undefined && typeof method !== "string") fail(`${mp}.method`, `must be a string, got ${show(method)}`);
  if (service === undefined && method === undefined) fail(mp, "one or both of service and method must be specified");
  const grpc: NonNullable<HTTPMatchNode["grpc"]> = { type: type as "Exact" };
  if (service !== undefined) grpc.service = service;
  if (method !== undefined) grpc.method = method;
  if (type === "Exact") {
    if (service !== undefined && !GRPC_SERVICE.test(service)) fail(`${mp}.service`, `${show(service)} is not a valid gRPC service name`);
    if (method !== undefined && !GRPC_METHOD.test(method)) fail(`${mp}.method`, `${show(method)} is not a valid gRPC method name`);
    const p: HTTPMatchNode["path"] =
      service !== undefined && method !== undefined ? { type: "Exact", value: `/${service}/${method}` }
      : service !== undefined ? { type: "PathPrefix", value: `/${service}/` }
      : { type: "RegularExpression", value: `/[^/]+/${method}` };
    return { path: p, headers, queryParams: [], grpc };
  }
  if (type !== "RegularExpression") fail(`${mp}.type`, `${show(type)} is not one of Exact, RegularExpression`);
  if (service !== undefined) checkRegex(service, `${mp}.service`);
  if (method !== undefined) checkRegex(method, `${mp}.method`);
  caps.need(REGEX_FEATURE.Path, `${mp}.type`, "RegularExpression method matches");
  const value = `/${service ?? "[^/]+"}/${method ?? "[^/]+"}`;
  return { path: { type: "RegularExpression", value }, headers, queryParams: [], grpc };
}

