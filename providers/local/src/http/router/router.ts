// createRouter: one BoundPort's listeners compiled into a routing table, and decide(), the
// per-request walk: listener (by host, most specific first) → virtual host → first route
// whose match matches → the rule's plan. decide() never throws and allocates only what the
// decision itself holds.
import type { IRHTTPRoute, IRListener } from "@gatehouse/ir";
import type { BoundPort } from "../../runtime/types.js";
import type { Decision, ForwardTarget, RequestView, RouteSite, Router } from "./types.js";
import { allowedOrigin, corsResponseEdits, preflightHeaders, preflightMethod } from "./cors.js";
import { HOST_EXACT, compileHost, hostMatches, routingHost, type HostPattern } from "./hostnames.js";
import { compileMatch, matchedPrefix, matches, type CompiledMatch } from "./match.js";
import { modifyPath } from "./path-modifier.js";
import { compilePlan, ruleKey, type RulePlan } from "./plan.js";
import { authority, redirectLocation } from "./redirect.js";
import { applyHeaderOps } from "./request-headers.js";
import { buildRouteIndex, candidates, type RouteIndex } from "./route-index.js";
import { noBackend, notFound, redirect, respond } from "./responses.js";
import type { SmoothPicker } from "./weighted.js";

interface CompiledRoute {
  route: IRHTTPRoute;
  match: CompiledMatch;
  /** The matched PathPrefix (stripped) for ReplacePrefixMatch; undefined for other path types. */
  prefix: string | undefined;
  plan: RulePlan;
  site: RouteSite;
}

interface CompiledVHost { host: HostPattern; routes: RouteIndex<CompiledRoute> }

interface CompiledListener {
  host: HostPattern;
  /** Exact-hostname virtual hosts (they come first in the IR order, so a lookup is the same as the scan). */
  exact: Map<string, CompiledVHost>;
  /** Wildcard and `*` virtual hosts, in order. */
  others: CompiledVHost[];
  /** The listener's 404s. */
  site: RouteSite;
}

/** Shared by every decision without mirrors: never mutate it. */
const NO_MIRRORS: ForwardTarget[] = Object.freeze([]) as unknown as ForwardTarget[];

/** Weighted picker state of each router, by rule key, for the next router of the same port. */
const pickerState = new WeakMap<Router, Map<string, SmoothPicker>>();

function arr<T>(v: readonly T[] | undefined): readonly T[] {
  return Array.isArray(v) ? v : [];
}

class PortRouter implements Router {
  constructor(
    private readonly listeners: CompiledListener[],
    private readonly random: () => number,
  ) {}

  decide(req: RequestView): Decision {
    try {
      return this.route(req);
    } catch {
      // Unreachable by design (fast-checked); a bug must still not kill the connection handler.
      return respond("error", 500, "internal routing error\n");
    }
  }

  private route(req: RequestView): Decision {
    const host = routingHost(req.host);
    let listener: CompiledListener | undefined;
    for (let i = 0; i < this.listeners.length; i++) {
      if (hostMatches(this.listeners[i]!.host, host)) { listener = this.listeners[i]; break; }
    }
    if (!listener) return notFound();
    let vhost = listener.exact.get(host);
    if (!vhost) {
      for (let i = 0; i < listener.others.length; i++) {
        if (hostMatches(listener.others[i]!.host, host)) { vhost = listener.others[i]; break; }
      }
      if (!vhost) return notFound(listener.site);
    }
    const url = typeof req.url === "string" && req.url !== "" ? req.url : "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method;
    const headers = req.headers ?? {};
    const routes = candidates(vhost.routes, path);
    for (let i = 0; i < routes.length; i++) {
      const r = routes[i]!;
      if (matches(r.match, method, path, url, q, headers)) return this.act(r, req, url, path, q);
    }
    return notFound(listener.site);
  }

  private act(r: CompiledRoute, req: RequestView, url: string, path: string, q: number): Decision {
    const plan = r.plan;
    const source = r.route.source;
    const site = r.site;
    const headers = req.headers ?? {};
    if (plan.redirect) {
      return redirect(source, plan.redirect.status,
        redirectLocation(plan.redirect, req.scheme, authority(routingHost(req.host), undefined), path, q < 0 ? "" : url.slice(q), r.prefix), site);
    }
    let origin: string | undefined;
    if (plan.cors) {
      origin = allowedOrigin(plan.cors, headers);
      const asked = preflightMethod(req.method, headers);
      // A preflight is the gateway's to answer: with the allow headers for an allowed origin,
      // without any for another (the browser then refuses the actual request).
      if (asked !== undefined) {
        return respond(source, 204, "", origin === undefined ? undefined : preflightHeaders(plan.cors, origin, asked, headers), site);
      }
    }
    if (plan.direct) return respond(source, plan.direct.status, "no valid backend for this route\n", undefined, site);
    const index = plan.picker.pick();
    const bp = index < 0 ? undefined : plan.backends[index];
    if (!bp || bp.backend.invalid) return noBackend(source, site);
    const target: ForwardTarget = {
      backend: bp.backend,
      path: plan.rewritePath ? modifyPath(plan.rewritePath, path, r.prefix) + (q < 0 ? "" : url.slice(q)) : url,
      authority: plan.rewriteHost ?? authority(req.host, req.hostPort),
      headers: applyHeaderOps(headers, bp.headerOps),
    };
    let mirrors = NO_MIRRORS;
    for (let i = 0; i < plan.mirrors.length; i++) {
      const m = plan.mirrors[i]!;
      if (m.percent >= 100 || (m.percent > 0 && this.random() * 100 < m.percent)) {
        if (mirrors === NO_MIRRORS) mirrors = [];
        mirrors.push({ backend: m.backend, path: target.path, authority: target.authority, headers: target.headers });
      }
    }
    return {
      type: "forward",
      source,
      route: r.route,
      target,
      mirrors,
      response: origin !== undefined && plan.cors ? corsResponseEdits(plan.cors, origin, bp.response) : bp.response,
      timeouts: r.route.timeouts,
      retry: r.route.retry,
      site,
      pick: index,
    };
  }
}

/** `httproute/ns/name/rule/2/match/0` → route `ns/name`, rule `2` (or the rule's name). */
export function routeSite(route: IRHTTPRoute, listener: string): RouteSite {
  const source = String(route.source);
  const parts = source.split("/");
  const name = typeof route.route === "string" ? route.route.split("/").slice(1).join("/") : `${parts[1] ?? ""}/${parts[2] ?? ""}`;
  const rule = typeof route.ruleName === "string" && route.ruleName !== "" ? route.ruleName : (parts[4] ?? "");
  return { listener: String(listener), source, route: name, rule, ids: null };
}

/**
 * Compiles a port's routing table. `previous` (the router this one replaces) hands over the
 * weighted pickers of rules whose backend list and weights did not change, so a hot reload
 * does not restart their round-robin cycle. `random` rolls mirror percentages.
 */
export function createRouter(port: BoundPort, previous?: Router, random: () => number = Math.random): Router {
  const oldPickers = previous ? pickerState.get(previous) : undefined;
  const pickers = new Map<string, SmoothPicker>();
  const plans = new Map<string, RulePlan>();
  const listenerPort = typeof port.listenerPort === "number" ? port.listenerPort : port.port;

  const compileRoute = (route: IRHTTPRoute, listener: string): CompiledRoute => {
    const key = ruleKey(route.source);
    let plan = plans.get(key);
    if (!plan) {
      plan = compilePlan(route, listenerPort, oldPickers?.get(key));
      plans.set(key, plan);
      pickers.set(key, plan.picker);
    }
    const match = compileMatch(route.match);
    return { route, match, prefix: matchedPrefix(match), plan, site: routeSite(route, listener) };
  };

  const listeners: CompiledListener[] = arr<IRListener>(port.listeners).map((l) => {
    const exact = new Map<string, CompiledVHost>();
    const others: CompiledVHost[] = [];
    for (const vh of arr(l.virtualHosts)) {
      const compiled: CompiledVHost = { host: compileHost(vh.hostname), routes: buildRouteIndex(arr(vh.routes).map((r) => compileRoute(r, l.name))) };
      if (compiled.host.kind === HOST_EXACT) {
        if (!exact.has(compiled.host.value)) exact.set(compiled.host.value, compiled);
      } else others.push(compiled);
    }
    return { host: compileHost(l.hostname), exact, others, site: { listener: String(l.name), source: "none", route: "", rule: "", ids: null } };
  });

  const router = new PortRouter(listeners, random);
  pickerState.set(router, pickers);
  return router;
}
