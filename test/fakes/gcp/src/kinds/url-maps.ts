import { ApiError, invalidField, required } from "../errors.js";
import type { Json } from "../json.js";
import { arr, isObj, num } from "../json.js";
import { isValidName, parseRef, selfLink } from "../links.js";
import type { Stored } from "../store.js";
import { checkDuration, exactlyOne, lengthIn, stripOutputOnly } from "./common.js";
import type { KindSpec, PrepareCtx } from "./types.js";

const RETRY_CONDITIONS = ["5xx", "gateway-error", "connect-failure", "retriable-4xx", "refused-stream", "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable"];
const REDIRECT_CODES = ["MOVED_PERMANENTLY_DEFAULT", "FOUND", "SEE_OTHER", "TEMPORARY_REDIRECT", "PERMANENT_REDIRECT"];
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HOST = /^(?:\*|\*[.-][a-z0-9.-]+|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?::\d{1,5})?$/i;

/** Where each backend service reference sits in a URL map (field path → value). */
function serviceRefs(map: Json): Array<{ field: string; holder: Json; key: string }> {
  const out: Array<{ field: string; holder: Json; key: string }> = [];
  const action = (ra: unknown, field: string): void => {
    if (!isObj(ra)) return;
    arr(ra["weightedBackendServices"]).forEach((w, i) => {
      if (isObj(w) && w["backendService"] !== undefined) out.push({ field: `${field}.weightedBackendServices[${i}].backendService`, holder: w, key: "backendService" });
    });
    const m = ra["requestMirrorPolicy"];
    if (isObj(m) && m["backendService"] !== undefined) out.push({ field: `${field}.requestMirrorPolicy.backendService`, holder: m, key: "backendService" });
  };
  const direct = (o: Json, key: string, field: string): void => {
    if (o[key] !== undefined && o[key] !== "") out.push({ field: `${field}.${key}`, holder: o, key });
  };
  direct(map, "defaultService", "resource");
  action(map["defaultRouteAction"], "resource.defaultRouteAction");
  arr(map["pathMatchers"]).forEach((pm, i) => {
    if (!isObj(pm)) return;
    const f = `resource.pathMatchers[${i}]`;
    direct(pm, "defaultService", f);
    action(pm["defaultRouteAction"], `${f}.defaultRouteAction`);
    arr(pm["pathRules"]).forEach((r, j) => {
      if (!isObj(r)) return;
      direct(r, "service", `${f}.pathRules[${j}]`);
      action(r["routeAction"], `${f}.pathRules[${j}].routeAction`);
    });
    arr(pm["routeRules"]).forEach((r, j) => {
      if (!isObj(r)) return;
      direct(r, "service", `${f}.routeRules[${j}]`);
      action(r["routeAction"], `${f}.routeRules[${j}].routeAction`);
    });
  });
  return out;
}

/** The URL map's load-balancing scheme, from the backend services it references. */
interface SchemeInfo {
  scheme: string | undefined;
  regexAllowed: boolean;
  classic: boolean;
}

class Checker {
  constructor(private readonly info: SchemeInfo) {}

  /** One of service / urlRedirect / routeAction.weightedBackendServices (as the API words it). */
  target(o: Json, field: string, keys: { service: string; redirect: string; action: string }, need: boolean): void {
    const ra = o[keys.action];
    const wbs = isObj(ra) ? arr(ra["weightedBackendServices"]) : [];
    const set = [o[keys.service] !== undefined ? keys.service : "", o[keys.redirect] !== undefined ? keys.redirect : "", wbs.length ? `${keys.action}.weightedBackendServices` : ""].filter(Boolean);
    if (set.length > 1) throw new ApiError(400, `Invalid value for field '${field}': only one of ${keys.service}, ${keys.redirect} or ${keys.action}.weightedBackendServices can be set (found ${set.join(", ")}).`, "invalid");
    if (need && set.length === 0) throw new ApiError(400, `Invalid value for field '${field}': one of ${keys.service}, ${keys.redirect} or ${keys.action}.weightedBackendServices must be set.`, "invalid");
    if (o[keys.redirect] !== undefined) o[keys.redirect] = this.redirect(o[keys.redirect], `${field}.${keys.redirect}`);
    if (ra !== undefined) o[keys.action] = this.routeAction(ra, `${field}.${keys.action}`);
    if (o[keys.action] !== undefined && o[keys.redirect] !== undefined) throw invalidField(`${field}.${keys.action}`, "routeAction", `Cannot be set together with ${keys.redirect}.`);
  }

  routeAction(v: unknown, field: string): Json {
    if (!isObj(v)) throw invalidField(field, v, "Must be an HttpRouteAction.");
    const ra: Json = { ...v };
    if (this.info.classic) {
      const extra = Object.keys(ra).filter((k) => k !== "urlRewrite");
      if (extra.length) throw invalidField(`${field}.${extra[0]}`, ra[extra[0]!], "URL maps for classic Application Load Balancers (EXTERNAL) only support urlRewrite in a routeAction.");
    }
    if (ra["weightedBackendServices"] !== undefined) {
      const list = arr(ra["weightedBackendServices"]).map((w, i) => {
        const f = `${field}.weightedBackendServices[${i}]`;
        if (!isObj(w)) throw invalidField(f, w, "Must be a WeightedBackendService.");
        const out: Json = { ...w };
        const weight = num(out["weight"] ?? 0);
        if (weight === undefined || !Number.isInteger(weight) || weight < 0 || weight > 1000) throw invalidField(`${f}.weight`, out["weight"], "Must be from 0 to 1000.");
        out["weight"] = weight;
        if (out["headerAction"] !== undefined) out["headerAction"] = this.headerAction(out["headerAction"], `${f}.headerAction`);
        return out;
      });
      if (list.length && !list.some((w) => (w["weight"] as number) > 0)) {
        throw invalidField(`${field}.weightedBackendServices`, "all weights 0", "At least one weightedBackendService must have a non-zero weight.");
      }
      ra["weightedBackendServices"] = list;
    }
    const rw = ra["urlRewrite"];
    if (rw !== undefined) {
      if (!isObj(rw)) throw invalidField(`${field}.urlRewrite`, rw, "Must be a UrlRewrite.");
      if (rw["hostRewrite"] !== undefined) lengthIn(rw["hostRewrite"], `${field}.urlRewrite.hostRewrite`, 1, 255);
      if (rw["pathPrefixRewrite"] !== undefined) lengthIn(rw["pathPrefixRewrite"], `${field}.urlRewrite.pathPrefixRewrite`, 1, 1024);
      exactlyOne(rw, ["pathPrefixRewrite", "pathTemplateRewrite", "regexRewrite"], `${field}.urlRewrite`, true);
    }
    if (ra["timeout"] !== undefined) ra["timeout"] = checkDuration(ra["timeout"], `${field}.timeout`);
    if (ra["maxStreamDuration"] !== undefined && this.info.scheme !== "INTERNAL_SELF_MANAGED") {
      throw invalidField(`${field}.maxStreamDuration`, ra["maxStreamDuration"], "Only allowed with backend services whose loadBalancingScheme is INTERNAL_SELF_MANAGED.");
    }
    const rp = ra["retryPolicy"];
    if (rp !== undefined) {
      if (!isObj(rp)) throw invalidField(`${field}.retryPolicy`, rp, "Must be an HttpRetryPolicy.");
      const p: Json = { ...rp };
      const n = num(p["numRetries"] ?? 1);
      if (n === undefined || !Number.isInteger(n) || n < 1) throw invalidField(`${field}.retryPolicy.numRetries`, p["numRetries"], "Must be greater than 0.");
      p["numRetries"] = n;
      if (p["perTryTimeout"] !== undefined) p["perTryTimeout"] = checkDuration(p["perTryTimeout"], `${field}.retryPolicy.perTryTimeout`);
      arr(p["retryConditions"]).forEach((c, i) => {
        if (typeof c !== "string" || !RETRY_CONDITIONS.includes(c)) throw invalidField(`${field}.retryPolicy.retryConditions[${i}]`, c, `Must be one of [${RETRY_CONDITIONS.join(", ")}]`);
      });
      ra["retryPolicy"] = p;
    }
    const mp = ra["requestMirrorPolicy"];
    if (mp !== undefined) {
      if (!isObj(mp) || mp["backendService"] === undefined) throw required(`${field}.requestMirrorPolicy.backendService`);
      if (mp["mirrorPercent"] !== undefined) {
        const pct = num(mp["mirrorPercent"]);
        if (pct === undefined || pct < 0 || pct > 100) throw invalidField(`${field}.requestMirrorPolicy.mirrorPercent`, mp["mirrorPercent"], "Must be between 0.0 and 100.0.");
      }
    }
    return ra;
  }

  redirect(v: unknown, field: string): Json {
    if (!isObj(v)) throw invalidField(field, v, "Must be an HttpRedirectAction.");
    const r: Json = { ...v };
    if (r["hostRedirect"] !== undefined) lengthIn(r["hostRedirect"], `${field}.hostRedirect`, 1, 255);
    if (r["pathRedirect"] !== undefined) lengthIn(r["pathRedirect"], `${field}.pathRedirect`, 1, 1024);
    if (r["prefixRedirect"] !== undefined) lengthIn(r["prefixRedirect"], `${field}.prefixRedirect`, 1, 1024);
    if (r["pathRedirect"] !== undefined && r["prefixRedirect"] !== undefined) throw invalidField(`${field}.prefixRedirect`, r["prefixRedirect"], "pathRedirect cannot be supplied together with prefixRedirect.");
    const code = r["redirectResponseCode"] ?? "MOVED_PERMANENTLY_DEFAULT";
    if (typeof code !== "string" || !REDIRECT_CODES.includes(code)) throw invalidField(`${field}.redirectResponseCode`, code, `Must be one of [${REDIRECT_CODES.join(", ")}]`);
    r["redirectResponseCode"] = code;
    if (r["httpsRedirect"] === undefined) r["httpsRedirect"] = false;
    if (r["stripQuery"] === undefined) r["stripQuery"] = false;
    return r;
  }

  headerAction(v: unknown, field: string): Json {
    if (this.info.classic) throw invalidField(field, v, "headerAction is not supported for load balancers whose loadBalancingScheme is EXTERNAL.");
    if (!isObj(v)) throw invalidField(field, v, "Must be an HttpHeaderAction.");
    const h: Json = { ...v };
    for (const key of ["requestHeadersToAdd", "responseHeadersToAdd"]) {
      if (h[key] === undefined) continue;
      h[key] = arr(h[key]).map((o, i) => {
        const f = `${field}.${key}[${i}]`;
        if (!isObj(o)) throw invalidField(f, o, "Must be an HttpHeaderOption.");
        if (typeof o["headerName"] !== "string" || !HEADER_NAME.test(o["headerName"])) throw invalidField(`${f}.headerName`, o["headerName"], "Must be a valid HTTP header name.");
        return { ...o };
      });
    }
    for (const key of ["requestHeadersToRemove", "responseHeadersToRemove"]) {
      arr(h[key]).forEach((n, i) => {
        if (typeof n !== "string" || !HEADER_NAME.test(n)) throw invalidField(`${field}.${key}[${i}]`, n, "Must be a valid HTTP header name.");
      });
    }
    return h;
  }

  regex(value: unknown, field: string): void {
    if (!this.info.regexAllowed) {
      throw invalidField(field, value, "Regular expressions can only be used when the loadBalancingScheme is set to INTERNAL_SELF_MANAGED, EXTERNAL_MANAGED (regional scope) or INTERNAL_MANAGED.");
    }
    try {
      new RegExp(String(value));
    } catch {
      throw invalidField(field, value, "Invalid regular expression.");
    }
  }

  matchRule(v: unknown, field: string): Json {
    if (!isObj(v)) throw invalidField(field, v, "Must be an HttpRouteRuleMatch.");
    const m: Json = { ...v };
    const which = exactlyOne(m, ["prefixMatch", "fullPathMatch", "regexMatch", "pathTemplateMatch"], field);
    const val = m[which!];
    if (which === "prefixMatch" || which === "fullPathMatch" || which === "pathTemplateMatch") {
      lengthIn(val, `${field}.${which}`, 1, 1024);
      if (!String(val).startsWith("/")) throw invalidField(`${field}.${which}`, val, "Must begin with a /.");
    } else {
      this.regex(val, `${field}.regexMatch`);
      if (m["ignoreCase"] === true) throw invalidField(`${field}.ignoreCase`, true, "ignoreCase must not be used with regexMatch.");
    }
    if (m["headerMatches"] !== undefined) {
      m["headerMatches"] = arr(m["headerMatches"]).map((h, i) => {
        const f = `${field}.headerMatches[${i}]`;
        if (!isObj(h)) throw invalidField(f, h, "Must be an HttpHeaderMatch.");
        if (typeof h["headerName"] !== "string" || h["headerName"] === "") throw required(`${f}.headerName`);
        const kind = exactlyOne(h, ["exactMatch", "prefixMatch", "suffixMatch", "regexMatch", "presentMatch", "rangeMatch"], f);
        if (kind === "regexMatch") this.regex(h["regexMatch"], `${f}.regexMatch`);
        if (kind === "rangeMatch" && this.info.classic) throw invalidField(`${f}.rangeMatch`, h["rangeMatch"], "rangeMatch is not supported for load balancers whose loadBalancingScheme is EXTERNAL.");
        return { ...h };
      });
    }
    if (m["queryParameterMatches"] !== undefined) {
      m["queryParameterMatches"] = arr(m["queryParameterMatches"]).map((q, i) => {
        const f = `${field}.queryParameterMatches[${i}]`;
        if (!isObj(q)) throw invalidField(f, q, "Must be an HttpQueryParameterMatch.");
        if (typeof q["name"] !== "string" || q["name"] === "") throw required(`${f}.name`);
        const kind = exactlyOne(q, ["presentMatch", "exactMatch", "regexMatch"], f);
        if (kind === "regexMatch") this.regex(q["regexMatch"], `${f}.regexMatch`);
        return { ...q };
      });
    }
    return m;
  }

  pathMatcher(v: unknown, field: string): Json {
    if (!isObj(v)) throw invalidField(field, v, "Must be a PathMatcher.");
    const pm: Json = { ...v };
    if (!isValidName(pm["name"])) throw invalidField(`${field}.name`, pm["name"] ?? "", "Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'");
    this.target(pm, field, { service: "defaultService", redirect: "defaultUrlRedirect", action: "defaultRouteAction" }, false);
    if (pm["headerAction"] !== undefined) pm["headerAction"] = this.headerAction(pm["headerAction"], `${field}.headerAction`);
    const pathRules = arr(pm["pathRules"]);
    const routeRules = arr(pm["routeRules"]);
    if (pathRules.length && routeRules.length) throw invalidField(field, pm["name"], "Within a pathMatcher, only one of pathRules or routeRules can be set.");
    if (pm["pathRules"] !== undefined) {
      const paths = new Set<string>();
      pm["pathRules"] = pathRules.map((r, j) => {
        const f = `${field}.pathRules[${j}]`;
        if (!isObj(r)) throw invalidField(f, r, "Must be a PathRule.");
        const rule: Json = { ...r };
        const ps = arr(rule["paths"]);
        if (!ps.length) throw required(`${f}.paths`);
        ps.forEach((p, k) => {
          if (typeof p !== "string" || !p.startsWith("/") || /[?#]/.test(p) || (p.includes("*") && !(p.endsWith("/*") && p.indexOf("*") === p.length - 1))) {
            throw invalidField(`${f}.paths[${k}]`, p, "A path must start with /, may only contain * at the end following a /, and must not contain ? or #.");
          }
          if (paths.has(p)) throw invalidField(`${f}.paths[${k}]`, p, "Duplicate path in path matcher.");
          paths.add(p);
        });
        this.target(rule, f, { service: "service", redirect: "urlRedirect", action: "routeAction" }, true);
        return rule;
      });
    }
    if (pm["routeRules"] !== undefined) {
      const priorities = new Map<number, number>();
      pm["routeRules"] = routeRules.map((r, j) => {
        const f = `${field}.routeRules[${j}]`;
        if (!isObj(r)) throw invalidField(f, r, "Must be an HttpRouteRule.");
        const rule: Json = { ...r };
        if (rule["priority"] === undefined) throw required(`${f}.priority`);
        const prio = num(rule["priority"]);
        if (prio === undefined || !Number.isInteger(prio) || prio < 0 || prio > 2_147_483_647) throw invalidField(`${f}.priority`, rule["priority"], "Priority must be a number from 0 to 2147483647 inclusive.");
        const clash = priorities.get(prio);
        if (clash !== undefined) {
          throw invalidField(`${f}.priority`, prio, `Route rules within a path matcher must have unique priorities; routeRules[${clash}] has the same priority.`);
        }
        priorities.set(prio, j);
        rule["priority"] = prio;
        if (rule["matchRules"] !== undefined) rule["matchRules"] = arr(rule["matchRules"]).map((m, k) => this.matchRule(m, `${f}.matchRules[${k}]`));
        this.target(rule, f, { service: "service", redirect: "urlRedirect", action: "routeAction" }, true);
        if (rule["headerAction"] !== undefined) rule["headerAction"] = this.headerAction(rule["headerAction"], `${f}.headerAction`);
        if (rule["description"] !== undefined) lengthIn(rule["description"], `${f}.description`, 0, 1024);
        return rule;
      });
    }
    return pm;
  }
}

function schemeOf(ctx: PrepareCtx, services: Stored[]): SchemeInfo {
  const schemes = [...new Set(services.map((s) => String(s.resource["loadBalancingScheme"] ?? "EXTERNAL")))].sort();
  if (schemes.length > 1) {
    throw new ApiError(400, `Invalid value for field 'resource': '${ctx.name}'. All backend services referenced by a URL map must have the same loadBalancingScheme (found ${schemes.join(", ")}).`, "invalid");
  }
  const scheme = schemes[0] ?? (ctx.scope.type === "global" ? "EXTERNAL" : undefined);
  const regional = ctx.scope.type !== "global";
  return {
    scheme,
    regexAllowed: scheme === "INTERNAL_SELF_MANAGED" || scheme === "INTERNAL_MANAGED" || (regional && (scheme === "EXTERNAL_MANAGED" || scheme === undefined)),
    classic: scheme === "EXTERNAL",
  };
}

/** Whether any redirect in the map sets httpsRedirect (not allowed behind an HTTPS proxy). */
export function hasHttpsRedirect(map: Json): boolean {
  const found = (v: unknown): boolean => {
    if (Array.isArray(v)) return v.some(found);
    if (!isObj(v)) return false;
    if (v["httpsRedirect"] === true) return true;
    return Object.values(v).some(found);
  };
  return found(map);
}

/** The scheme of a stored URL map, from its backend services (undefined when it has none). */
export function urlMapScheme(map: Stored, lookup: (path: string) => Stored | undefined): string | undefined {
  for (const { holder, key } of serviceRefs(map.resource)) {
    const p = typeof holder[key] === "string" ? parseRef(holder[key], map.project)?.path : undefined;
    const bs = p ? lookup(p) : undefined;
    if (bs) return String(bs.resource["loadBalancingScheme"] ?? "EXTERNAL");
  }
  return undefined;
}

/** urlMaps / regionUrlMaps. */
export const urlMaps: KindSpec = {
  collection: "urlMaps",
  kind: "compute#urlMap",
  noun: "url_map",
  api: { global: "urlMaps", region: "regionUrlMaps" },
  aggregated: "urlMaps",
  fingerprint: true,
  patch: ["global", "region"],
  update: ["global", "region"],
  custom: [],
  quota: { metric: "URL_MAPS", name: "urlMaps" },
  prepare(ctx, input) {
    const body = stripOutputOnly(input);
    // 1. resolve every backend service reference (existence, scope) and canonicalize it
    const services: Stored[] = [];
    for (const { field, holder, key } of serviceRefs(body)) {
      const s = ctx.ref(holder[key], field, ["backendServices"], { scope: ctx.scope });
      services.push(s);
      holder[key] = selfLink(s.path);
    }
    // 2. validate the structure with the scheme those services give the map
    const c = new Checker(schemeOf(ctx, services));
    c.target(body, "resource", { service: "defaultService", redirect: "defaultUrlRedirect", action: "defaultRouteAction" }, true);
    if (body["headerAction"] !== undefined) body["headerAction"] = c.headerAction(body["headerAction"], "resource.headerAction");
    const names = new Set<string>();
    if (body["pathMatchers"] !== undefined) {
      body["pathMatchers"] = arr(body["pathMatchers"]).map((pm, i) => {
        const out = c.pathMatcher(pm, `resource.pathMatchers[${i}]`);
        const name = String(out["name"]);
        if (names.has(name)) throw invalidField(`resource.pathMatchers[${i}].name`, name, "Duplicate path matcher name.");
        names.add(name);
        return out;
      });
    }
    const hosts = new Set<string>();
    if (body["hostRules"] !== undefined) {
      body["hostRules"] = arr(body["hostRules"]).map((hr, i) => {
        const f = `resource.hostRules[${i}]`;
        if (!isObj(hr)) throw invalidField(f, hr, "Must be a HostRule.");
        const list = arr(hr["hosts"]);
        if (!list.length) throw required(`${f}.hosts`);
        list.forEach((h, k) => {
          if (typeof h !== "string" || !HOST.test(h)) throw invalidField(`${f}.hosts[${k}]`, h, "Must be a valid host name, optionally with a port, or a pattern starting with *.");
          if (hosts.has(h.toLowerCase())) throw invalidField(`${f}.hosts[${k}]`, h, "Duplicate host in host rules.");
          hosts.add(h.toLowerCase());
        });
        if (typeof hr["pathMatcher"] !== "string" || !names.has(hr["pathMatcher"])) {
          throw invalidField(`${f}.pathMatcher`, hr["pathMatcher"] ?? "", "The path matcher is not defined in pathMatchers.");
        }
        return { ...hr };
      });
    }
    return { resource: body };
  },
  refs(s) {
    const out: string[] = [];
    for (const { holder, key } of serviceRefs(s.resource)) {
      const p = typeof holder[key] === "string" ? parseRef(holder[key], "")?.path : undefined;
      if (p) out.push(p);
    }
    return [...new Set(out)];
  },
};
