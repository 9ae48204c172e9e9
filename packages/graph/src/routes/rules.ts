// One spec.rules[i] → RuleNode. An invalid rule is kept with `invalid` set (it is dropped
// from the data plane and reported through PartiallyInvalid / Accepted=False).
import type { RouteKind } from "@gatehouse/model";
import { FEATURE } from "@gatehouse/model";
import type { FilterNode, RuleNode } from "../types.js";
import type { Backends } from "../backends/backends.js";
import { arr, isInt, obj, show, str, type Obj } from "../json.js";
import { parseDuration } from "./duration.js";
import { buildFilters, type FilterContext } from "./filters.js";
import { grpcMatches, httpMatches } from "./matches.js";
import { ROUTE_REASON } from "./reasons.js";
import { RuleInvalid, fail, type Caps } from "./validate.js";

export interface RuleContext {
  kind: RouteKind;
  namespace: string;
  /** Route source, e.g. `httproute/default/web`. */
  source: string;
  caps: Caps;
  backends: Backends;
}

const MAX_WEIGHT = 1_000_000;

export function buildRule(raw: unknown, i: number, ctx: RuleContext): RuleNode {
  const path = `spec.rules[${i}]`;
  const node: RuleNode = { index: i, source: `${ctx.source}/rule/${i}`, matches: [], filters: [], backends: [] };
  const rule: Obj = obj(raw) ?? {};
  const name = str(rule.name);
  if (name) node.name = name;
  // Backends first and never failing, so ResolvedRefs reports them even for a dropped rule.
  const refs = arr(rule.backendRefs);
  node.backends = refs.map((ref, j) => ctx.backends.resolve(ref, {
    routeKind: ctx.kind, routeNamespace: ctx.namespace, caps: ctx.caps,
    path: `${path}.backendRefs[${j}]`, source: `${node.source}/backend/${j}`, weight: weightOf(ref),
  }));
  try {
    if (!obj(raw)) fail(path, `must be an object, got ${show(raw)}`);
    if (ctx.kind === "HTTPRoute" || ctx.kind === "GRPCRoute") httpRule(rule, path, node, ctx);
    else l4Rule(i, path, ctx.kind);
    checkBackends(refs, path, ctx);
  } catch (e) {
    if (!(e instanceof RuleInvalid)) throw e;
    node.invalid = { reason: e.reason, message: e.message };
  }
  return node;
}

function weightOf(ref: unknown): number {
  const w = obj(ref)?.weight;
  return w === undefined ? 1 : isInt(w) && w >= 0 && w <= MAX_WEIGHT ? w : 1;
}

function httpRule(rule: Obj, path: string, node: RuleNode, ctx: RuleContext): void {
  const kind = ctx.kind as "HTTPRoute" | "GRPCRoute";
  if (rule.matches !== undefined && !Array.isArray(rule.matches)) fail(`${path}.matches`, `must be a list, got ${show(rule.matches)}`);
  node.matches = kind === "HTTPRoute" ? httpMatches(rule.matches, `${path}.matches`, ctx.caps) : grpcMatches(rule.matches, `${path}.matches`, ctx.caps);
  const fctx: FilterContext = {
    kind, caps: ctx.caps,
    resolveMirror: (ref, p, source) => ctx.backends.resolve(ref, {
      routeKind: kind, routeNamespace: ctx.namespace, caps: ctx.caps, path: p, source, weight: 1,
    }),
  };
  node.filters = buildFilters(rule.filters, `${path}.filters`, node.source, fctx, "rule");
  arr(rule.backendRefs).forEach((ref, j) => {
    const b = node.backends[j]!;
    b.filters = buildFilters(obj(ref)?.filters, `${path}.backendRefs[${j}].filters`, b.source, fctx, "backend");
  });
  checkRedirect(node, path, arr(rule.backendRefs).length);
  checkPrefixReplace(node.filters, node, path);
  if (kind === "HTTPRoute") {
    if (rule.timeouts !== undefined) node.timeouts = timeouts(rule.timeouts, `${path}.timeouts`, ctx.caps);
    if (rule.retry !== undefined) node.retry = retry(rule.retry, `${path}.retry`, ctx.caps);
  } else {
    for (const key of ["timeouts", "retry"]) if (rule[key] !== undefined) fail(`${path}.${key}`, "is not a GRPCRoute field");
  }
  if (rule.sessionPersistence !== undefined) {
    node.sessionPersistence = sessionPersistence(rule.sessionPersistence, `${path}.sessionPersistence`, ctx.caps);
  }
  const maxMatches = ctx.caps.limit("matchesPerRule");
  if (maxMatches && node.matches.length > maxMatches.value) {
    fail(`${path}.matches`, `${node.matches.length} matches exceed the ${maxMatches.value} per rule supported by ${maxMatches.controller}`);
  }
}

/** A redirect answers the request itself: it cannot also forward to backends. */
function checkRedirect(node: RuleNode, path: string, backendRefs: number): void {
  const k = node.filters.findIndex((f) => f.type === "RequestRedirect");
  if (k >= 0 && backendRefs > 0) {
    fail(`${path}.filters[${k}]`, "RequestRedirect cannot be used together with backendRefs", ROUTE_REASON.IncompatibleFilters);
  }
}

/** ReplacePrefixMatch needs exactly one PathPrefix match to know which prefix to replace. */
function checkPrefixReplace(filters: FilterNode[], node: RuleNode, path: string): void {
  filters.forEach((f, k) => {
    if (f.type !== "RequestRedirect" && f.type !== "URLRewrite") return;
    if (f.config.path?.type !== "ReplacePrefixMatch") return;
    const only = node.matches.length === 1 ? node.matches[0] : undefined;
    if (!only || only.path.type !== "PathPrefix") {
      const field = f.type === "RequestRedirect" ? "requestRedirect" : "urlRewrite";
      fail(`${path}.filters[${k}].${field}.path.replacePrefixMatch`, "requires the rule to have exactly one match, of type PathPrefix");
    }
  });
}

function l4Rule(i: number, path: string, kind: RouteKind): void {
  // Nothing on a TCP/UDP connection (or TLS SNI, beyond spec.hostnames) selects a rule.
  if (i > 0) fail(path, `${kind} supports a single rule; only spec.rules[0] is used`);
}

function checkBackends(refs: unknown[], path: string, ctx: RuleContext): void {
  refs.forEach((ref, j) => {
    const w = obj(ref)?.weight;
    if (w !== undefined && !(isInt(w) && w >= 0 && w <= MAX_WEIGHT)) {
      fail(`${path}.backendRefs[${j}].weight`, `${show(w)} is not an integer from 0 to ${MAX_WEIGHT}`);
    }
  });
  const maxBackends = ctx.caps.limit("backendsPerRule");
  if (maxBackends && refs.length > maxBackends.value) {
    fail(`${path}.backendRefs`, `${refs.length} backends exceed the ${maxBackends.value} per rule supported by ${maxBackends.controller}`);
  }
}

function timeouts(raw: unknown, path: string, caps: Caps): NonNullable<RuleNode["timeouts"]> {
  const t = obj(raw) ?? fail(path, `must be an object, got ${show(raw)}`);
  const out: NonNullable<RuleNode["timeouts"]> = {};
  if (t.request !== undefined) {
    out.requestMs = duration(t.request, `${path}.request`);
    caps.need(FEATURE.HTTPRouteRequestTimeout, `${path}.request`, "request timeouts");
  }
  if (t.backendRequest !== undefined) {
    out.backendRequestMs = duration(t.backendRequest, `${path}.backendRequest`);
    caps.need(FEATURE.HTTPRouteBackendTimeout, `${path}.backendRequest`, "backend request timeouts");
  }
  // 0 disables a timeout: a disabled request timeout bounds nothing (spec CEL rule).
  if (out.requestMs && out.backendRequestMs !== undefined && out.backendRequestMs > out.requestMs) {
    fail(`${path}.backendRequest`, `${show(t.backendRequest)} must not be longer than request (${show(t.request)})`);
  }
  return out;
}

function duration(v: unknown, path: string): number {
  const ms = parseDuration(v);
  if (ms === undefined) fail(path, `${show(v)} is not a Gateway API duration (e.g. "10s", "1m30s", "500ms")`);
  return ms;
}

function retry(raw: unknown, path: string, caps: Caps): NonNullable<RuleNode["retry"]> {
  const r = obj(raw) ?? fail(path, `must be an object, got ${show(raw)}`);
  caps.need(FEATURE.HTTPRouteRetry, path, "retries");
  const out: NonNullable<RuleNode["retry"]> = { codes: [] };
  if (r.attempts !== undefined) {
    if (!isInt(r.attempts) || r.attempts < 0) fail(`${path}.attempts`, `${show(r.attempts)} must be a non-negative integer`);
    out.attempts = r.attempts;
  }
  if (r.codes !== undefined && !Array.isArray(r.codes)) fail(`${path}.codes`, `must be a list, got ${show(r.codes)}`);
  arr(r.codes).forEach((c, k) => {
    if (!isInt(c) || c < 400 || c > 599) fail(`${path}.codes[${k}]`, `${show(c)} is not an HTTP status code from 400 to 599`);
    out.codes.push(c);
  });
  out.codes = [...new Set(out.codes)].sort((a, b) => a - b);
  if (r.backoff !== undefined) out.backoffMs = duration(r.backoff, `${path}.backoff`);
  return out;
}

function sessionPersistence(raw: unknown, path: string, caps: Caps): Record<string, unknown> {
  const s = obj(raw) ?? fail(path, `must be an object, got ${show(raw)}`);
  caps.need(FEATURE.HTTPRouteSessionPersistence, path, "session persistence settings");
  const type = s.type ?? "Cookie";
  if (type !== "Cookie" && type !== "Header") fail(`${path}.type`, `${show(type)} is not one of Cookie, Header`);
  const out: Record<string, unknown> = { type };
  if (s.sessionName !== undefined) {
    if (typeof s.sessionName !== "string" || s.sessionName.length > 128) fail(`${path}.sessionName`, `${show(s.sessionName)} must be a string of at most 128 characters`);
    out.sessionName = s.sessionName;
  }
  if (s.absoluteTimeout !== undefined) out.absoluteTimeoutMs = duration(s.absoluteTimeout, `${path}.absoluteTimeout`);
  if (s.idleTimeout !== undefined) out.idleTimeoutMs = duration(s.idleTimeout, `${path}.idleTimeout`);
  if (type === "Cookie") {
    const c = s.cookieConfig === undefined ? {} : obj(s.cookieConfig) ?? fail(`${path}.cookieConfig`, `must be an object, got ${show(s.cookieConfig)}`);
    const lifetimeType = c.lifetimeType ?? "Session";
    if (lifetimeType !== "Session" && lifetimeType !== "Permanent") fail(`${path}.cookieConfig.lifetimeType`, `${show(lifetimeType)} is not one of Permanent, Session`);
    if (lifetimeType === "Permanent" && out.absoluteTimeoutMs === undefined) fail(`${path}.absoluteTimeout`, "is required when cookieConfig.lifetimeType is Permanent");
    out.cookieLifetimeType = lifetimeType;
  } else if (s.cookieConfig !== undefined) {
    fail(`${path}.cookieConfig`, "is only valid when type is Cookie");
  }
  return out;
}
