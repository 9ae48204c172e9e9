// One IR entry (a rule match in precedence order) → GCP URL map routeRules.
import type { IRBackend, IRFilter, IRHTTPRoute } from "../types.js";
import type {
  GcpDuration, GcpHeaderAction, GcpMatchRule, GcpNotFoundBackend, GcpRouteAction, GcpRouteRule, GcpUnsupported, GcpUrlRedirect,
} from "./gcp-types.js";
import { GCP } from "./gcp-types.js";
import { scaleWeights } from "./weights.js";

export interface RuleContext {
  gatewayKey: string;
  notFound: GcpNotFoundBackend;
  /** Registers a backend and returns its backend service name. */
  backendService(b: IRBackend, grpc: boolean): string;
  unsupported: GcpUnsupported[];
}

type HeaderFilter = Extract<IRFilter, { type: "RequestHeaderModifier" | "ResponseHeaderModifier" }>;

export function headerAction(filters: readonly IRFilter[]): GcpHeaderAction | undefined {
  const mods = filters.filter((f): f is HeaderFilter => f.type === "RequestHeaderModifier" || f.type === "ResponseHeaderModifier");
  if (mods.length === 0) return undefined;
  const out: GcpHeaderAction = { requestHeadersToAdd: [], requestHeadersToRemove: [], responseHeadersToAdd: [], responseHeadersToRemove: [] };
  for (const f of mods) {
    const add = f.type === "RequestHeaderModifier" ? out.requestHeadersToAdd : out.responseHeadersToAdd;
    const remove = f.type === "RequestHeaderModifier" ? out.requestHeadersToRemove : out.responseHeadersToRemove;
    for (const h of f.set) add.push({ headerName: h.name, headerValue: h.value, replace: true });
    for (const h of f.add) add.push({ headerName: h.name, headerValue: h.value, replace: false });
    remove.push(...f.remove);
  }
  return out;
}

export function duration(ms: number): GcpDuration {
  const whole = Math.max(0, Math.floor(ms));
  return { seconds: Math.floor(whole / 1000), nanos: (whole % 1000) * 1_000_000 };
}

const REDIRECT_CODE: Record<number, GcpUrlRedirect["redirectResponseCode"]> = {
  301: "MOVED_PERMANENTLY_DEFAULT", 302: "FOUND", 303: "SEE_OTHER", 307: "TEMPORARY_REDIRECT", 308: "PERMANENT_REDIRECT",
};

/** GCP retry classes whose codes are exactly known (retryPolicy.retryConditions). */
const RETRY_CLASSES: readonly { name: string; codes: readonly number[] }[] = [
  { name: "gateway-error", codes: [502, 503, 504] },
  { name: "retriable-4xx", codes: [409] },
];

/**
 * Retry codes → GCP retryConditions. GCP retries by class, not by code, so a code maps only
 * when its whole class was asked for; `problems` lists what cannot be expressed exactly
 * (codes without a class, or a class that would also retry codes not listed).
 */
export function retryConditions(codes: readonly number[]): { conditions: string[]; problems: string[] } {
  const asked = new Set(codes);
  const conditions = ["connect-failure"];
  const problems: string[] = [];
  for (const c of RETRY_CLASSES) {
    const hit = c.codes.filter((x) => asked.has(x));
    if (hit.length === 0) continue;
    if (hit.length === c.codes.length) conditions.push(c.name);
    else problems.push(`retry codes ${hit.join(", ")}: GCP retries them only as "${c.name}" (${c.codes.join(", ")})`);
    for (const x of hit) asked.delete(x);
  }
  if (asked.size > 0) problems.push(`retry codes ${[...asked].sort((x, y) => x - y).join(", ")}: GCP has no retry condition for them`);
  return { conditions: conditions.sort(), problems };
}

function originRegex(origin: string): string {
  return `^${origin.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]+")}$`;
}

/**
 * Path variants. Gateway API PathPrefix is segment-aware, GCP prefixMatch is a string prefix:
 * `/foo` becomes fullPathMatch `/foo` + prefixMatch `/foo/`. `exact` tells a prefix
 * replacement which form to use.
 */
interface PathVariant { match: Pick<GcpMatchRule, "fullPathMatch" | "prefixMatch" | "regexMatch">; exact: boolean; prefix?: string }

export function pathVariants(e: IRHTTPRoute, splitRoot: boolean): PathVariant[] {
  const p = e.match.path;
  if (p.type === "Exact") return [{ match: { fullPathMatch: p.value }, exact: true }];
  if (p.type === "RegularExpression") return [{ match: { regexMatch: p.value }, exact: false }];
  const trimmed = p.value.replace(/\/+$/, "");
  if (trimmed === "" && !splitRoot) return [{ match: { prefixMatch: "/" }, exact: false, prefix: "/" }];
  return [
    { match: { fullPathMatch: trimmed || "/" }, exact: true, prefix: trimmed || "/" },
    { match: { prefixMatch: `${trimmed}/` }, exact: false, prefix: `${trimmed}/` },
  ];
}

/** The replacement for the matched prefix, in the form GCP needs for this variant. */
function prefixReplacement(value: string, v: PathVariant): string {
  const r = value === "" ? "/" : value;
  if (v.exact) return r;
  return r.endsWith("/") ? r : `${r}/`;
}

function matchRule(e: IRHTTPRoute, v: PathVariant): GcpMatchRule {
  const headerMatches = e.match.headers.map((h) =>
    h.type === "Exact" ? { headerName: h.name, exactMatch: h.value } : { headerName: h.name, regexMatch: h.value });
  // GCP matches the method through the `:method` pseudo-header.
  if (e.match.method) headerMatches.push({ headerName: ":method", exactMatch: e.match.method });
  return {
    ...v.match,
    headerMatches,
    queryParameterMatches: e.match.queryParams.map((q) =>
      q.type === "Exact" ? { name: q.name, exactMatch: q.value } : { name: q.name, regexMatch: q.value }),
  };
}

function note(ctx: RuleContext, e: IRHTTPRoute, message: string): void {
  ctx.unsupported.push({ source: e.source, route: e.route, gatewayKey: ctx.gatewayKey, reason: "UnsupportedValue", message });
}

function redirectFor(e: IRHTTPRoute, f: Extract<IRFilter, { type: "RequestRedirect" }>, v: PathVariant, ctx: RuleContext): GcpUrlRedirect {
  const out: GcpUrlRedirect = {
    httpsRedirect: f.scheme === "https",
    redirectResponseCode: REDIRECT_CODE[f.statusCode] ?? "FOUND",
    stripQuery: false,
  };
  if (f.hostname !== undefined) out.hostRedirect = f.hostname;
  if (f.path?.type === "ReplaceFullPath") out.pathRedirect = f.path.value || "/";
  if (f.path?.type === "ReplacePrefixMatch") {
    if (v.prefix !== undefined) out.prefixRedirect = prefixReplacement(f.path.value, v);
    else note(ctx, e, "GCP URL maps cannot replace a prefix of a path that was matched by a regular expression");
  }
  if (f.port !== undefined) note(ctx, e, "GCP URL maps cannot redirect to another port");
  if (f.scheme === "http") note(ctx, e, "GCP URL maps cannot redirect HTTPS to HTTP");
  return out;
}

function routeAction(e: IRHTTPRoute, v: PathVariant, ctx: RuleContext): GcpRouteAction {
  const grpc = e.kind === "GRPCRoute";
  const merged = new Map<string, { b: IRBackend; weight: number }>();
  for (const b of e.backends) {
    const m = merged.get(b.id);
    if (m) m.weight += b.weight;
    else merged.set(b.id, { b, weight: b.weight });
  }
  const entries = [...merged.values()];
  const weights = scaleWeights(entries.map((m) => m.weight), GCP.maxWeight);
  const out: GcpRouteAction = {
    weightedBackendServices: entries.map((m, i) => {
      const wbs: GcpRouteAction["weightedBackendServices"][number] = {
        backendService: ctx.backendService(m.b, grpc), backendKey: m.b.id, weight: weights[i]!,
      };
      const ha = headerAction(m.b.filters);
      if (ha) wbs.headerAction = ha;
      return wbs;
    }),
  };
  for (const f of e.filters) {
    if (f.type === "URLRewrite") {
      const rw: NonNullable<GcpRouteAction["urlRewrite"]> = {};
      if (f.hostname !== undefined) rw.hostRewrite = f.hostname;
      if (f.path?.type === "ReplacePrefixMatch") {
        if (v.prefix !== undefined) rw.pathPrefixRewrite = prefixReplacement(f.path.value, v);
        else note(ctx, e, "GCP URL maps cannot replace a prefix of a path matched by a regular expression");
      } else if (f.path?.type === "ReplaceFullPath") {
        // Replacing the whole matched path is a full-path rewrite only when the whole path matched.
        if (v.exact) rw.pathPrefixRewrite = f.path.value || "/";
        else note(ctx, e, "GCP URL maps cannot replace the full path of a prefix or regular-expression match");
      }
      out.urlRewrite = rw;
    } else if (f.type === "RequestMirror") {
      if (out.requestMirrorPolicy) { note(ctx, e, "GCP URL maps support one request mirror per rule"); continue; }
      out.requestMirrorPolicy = { backendService: ctx.backendService(f.backend, grpc), backendKey: f.backend.id, mirrorPercent: f.percent };
    } else if (f.type === "CORS") {
      const wildcard = f.allowOrigins.filter((o) => o !== "*" && o.includes("*"));
      out.corsPolicy = {
        allowOrigins: f.allowOrigins.filter((o) => o === "*" || !o.includes("*")),
        allowOriginRegexes: wildcard.map(originRegex),
        allowMethods: f.allowMethods,
        allowHeaders: f.allowHeaders,
        exposeHeaders: f.exposeHeaders,
        maxAge: f.maxAge,
        allowCredentials: f.allowCredentials,
        disabled: false,
      };
    }
  }
  const t = e.timeouts;
  if (t?.requestMs !== undefined) out.timeout = duration(t.requestMs);
  else if (t?.backendRequestMs !== undefined) out.timeout = duration(t.backendRequestMs);
  if (e.retry) {
    const { conditions, problems } = retryConditions(e.retry.codes);
    for (const p of problems) note(ctx, e, p);
    if (e.retry.backoffMs !== undefined) note(ctx, e, "retry backoff: GCP URL maps have no retry backoff");
    out.retryPolicy = { retryConditions: conditions, numRetries: e.retry.attempts ?? 1 };
    if (t?.backendRequestMs !== undefined) out.retryPolicy.perTryTimeout = duration(t.backendRequestMs);
  }
  return out;
}

/** RouteRules for one entry, priorities from `first`. */
export function routeRules(e: IRHTTPRoute, first: number, ctx: RuleContext): GcpRouteRule[] {
  const redirect = e.filters.find((f): f is Extract<IRFilter, { type: "RequestRedirect" }> => f.type === "RequestRedirect");
  const prefixReplace = e.filters.some((f) =>
    (f.type === "RequestRedirect" || f.type === "URLRewrite") && f.path !== undefined);
  const variants = pathVariants(e, prefixReplace);
  const ha = headerAction(e.filters);
  // A path replacement differs per variant, so each variant needs its own rule; otherwise
  // the variants are alternatives (OR) inside one rule.
  const groups = prefixReplace ? variants.map((v) => [v]) : [variants];
  return groups.map((vs, i): GcpRouteRule => {
    const v = vs[0]!;
    const rule: GcpRouteRule = { priority: first + i, matchRules: vs.map((x) => matchRule(e, x)), sources: [e.source] };
    if (redirect) rule.urlRedirect = redirectFor(e, redirect, v, ctx);
    else if (e.directResponse) {
      rule.service = ctx.notFound;
      rule.routeAction = { weightedBackendServices: [], faultInjectionPolicy: { abort: { httpStatus: e.directResponse.status, percentage: 100 } } };
    } else rule.routeAction = routeAction(e, v, ctx);
    if (ha) rule.headerAction = ha;
    return rule;
  });
}
