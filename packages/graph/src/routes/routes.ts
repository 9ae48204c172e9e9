import type { Capabilities, RouteKind, Snapshot } from "@gatehouse/model";
import { COND, REASON, ROUTE_KINDS, cond, generationOf, keyOf, nameOf, namespaceOf, sourceOf } from "@gatehouse/model";
import type { NodeCondition } from "@gatehouse/model";
import type { BackendNode, GatewayClassNode, GatewayNode, ParentNode, RouteNode, RuleNode } from "../types.js";
import type { ReferenceGrants } from "../refs.js";
import type { BackendTLSPolicies } from "../backends/backendtlspolicies.js";
import { Backends } from "../backends/backends.js";
import { isValidHostname } from "../hostnames.js";
import { arr, cmp, obj, show, str, stringMap } from "../json.js";
import { attach, parentCandidates, type ParentCandidate } from "./parents.js";
import { buildRule } from "./rules.js";
import { servedKeys } from "./listener-conflicts.js";
import { Caps } from "./validate.js";

export interface BuildRoutesInput {
  snapshot: Snapshot;
  gateways: readonly GatewayNode[];
  gatewayClasses: readonly GatewayClassNode[];
  grants: ReferenceGrants;
  tlsPolicies: BackendTLSPolicies;
}

/**
 * Builds every route with a parentRef to one of our Gateways (others are not in the
 * graph and get no status), attaches it to listeners, resolves backends and validates
 * matches/filters against the capabilities of the classes it attaches through.
 * listener.attachedRoutes is counted afterwards by countAttachedRoutes (one pass over the
 * built routes), so that one route can be rebuilt alone (see CoreSession).
 * Output: by kind (ROUTE_KINDS order), then key; rules in spec order.
 */
export function buildAllRoutes(snapshot: Snapshot, ctx: RouteContext): BuiltRoute[] {
  const out: BuiltRoute[] = [];
  for (const kind of ROUTE_KINDS) {
    for (const o of routeObjects(snapshot, kind)) {
      const built = buildRoute(kind, o, ctx);
      if (built) out.push(built);
    }
  }
  return out;
}

/** buildAllRoutes, adding each route's attachments to the given listeners' attachedRoutes (in place). */
export function buildRoutes(input: BuildRoutesInput): RouteNode[] {
  const built = buildAllRoutes(input.snapshot, routeContext(input));
  const counted = withAttachedRoutes(input.gateways, countKeys(built, "attached"));
  input.gateways.forEach((g, i) => g.listeners.forEach((l, j) => {
    l.attachedRoutes += counted[i]!.listeners[j]!.attachedRoutes;
  }));
  return built.map((b) => b.node);
}

export type RouteObject = { metadata?: unknown; spec?: unknown };

/** The route objects of one kind that have a name, by key. */
export function routeObjects(snapshot: Snapshot, kind: RouteKind): RouteObject[] {
  const list = arr((snapshot as unknown as Record<string, unknown>)[kind])
    .filter((o): o is RouteObject => !!obj(o) && !!nameOf(o as never));
  // A normalized snapshot is already in key order: check in O(n) before sorting.
  const keys = list.map((o) => keyOf(o as never));
  for (let i = 1; i < keys.length; i++) {
    if (!(keys[i - 1]! < keys[i]!)) return list.map((o, j) => [keys[j]!, o] as const).sort((a, b) => cmp(a[0], b[0])).map((e) => e[1]);
  }
  return list;
}

/** Everything a route node depends on besides its own object. */
export function routeContext(input: BuildRoutesInput): RouteContext {
  const gateways = new Map(input.gateways.map((g) => [g.key, g]));
  const classes = new Map<string, Capabilities>(input.gatewayClasses.map((c) => [c.name, c.capabilities]));
  const labels = new Map<string, Record<string, string>>();
  for (const ns of input.snapshot.Namespace) labels.set(nameOf(ns), stringMap(ns.metadata?.labels));
  const namespaceLabels = (ns: string) => labels.get(ns);
  const backends = new Backends(input.snapshot, input.grants, input.tlsPolicies);
  return { gateways, classes, namespaceLabels, backends };
}

/**
 * A route node; the listeners (`gatewayKey` NUL listener index) it counts towards
 * attachedRoutes on; and the listeners it is served on, by kind (`kind` NUL `gatewayKey/listener`,
 * see listener-conflicts.ts), so that callers can keep running totals of both.
 */
export interface BuiltRoute { node: RouteNode; attached: string[]; served: string[] }

/** Key (see BuiltRoute.attached or .served) → number of routes. */
export function countKeys(routes: readonly BuiltRoute[], of: "attached" | "served"): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of routes) for (const k of r[of]) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

/**
 * Sets listener.attachedRoutes from the counts, on copies of the gateway nodes (the inputs
 * are not mutated, so gateway nodes can be shared between builds).
 */
export function withAttachedRoutes(gateways: readonly GatewayNode[], counts: ReadonlyMap<string, number>): GatewayNode[] {
  return gateways.map((g) => ({
    ...g,
    listeners: g.listeners.map((l, i) => ({ ...l, attachedRoutes: counts.get(`${g.key}\u0000${i}`) ?? 0 })),
  }));
}

/** By position: listener names are not guaranteed unique in untrusted input. */
function listenerId(g: GatewayNode, l: GatewayNode["listeners"][number]): string {
  return `${g.key}\u0000${g.listeners.indexOf(l)}`;
}

export interface RouteContext {
  gateways: ReadonlyMap<string, GatewayNode>;
  classes: ReadonlyMap<string, Capabilities>;
  namespaceLabels: (ns: string) => Record<string, string> | undefined;
  backends: Backends;
}

/** One route node; undefined when the route names none of our Gateways. */
export function buildRoute(kind: RouteKind, o: RouteObject, ctx: RouteContext): BuiltRoute | undefined {
  const meta = o as never;
  const namespace = namespaceOf(meta);
  const candidates = parentCandidates(o.spec, namespace, ctx.gateways, ctx.classes);
  if (candidates.length === 0) return undefined;
  const spec = obj(o.spec) ?? {};
  const source = sourceOf(kind, meta);
  const caps = capsOf(candidates);

  // spec.hostnames: invalid entries reject the route (never silently ignored).
  const routeErrors: string[] = []; // route-wide errors: the route is not accepted
  const hostnames: string[] = [];
  if (spec.hostnames !== undefined && !Array.isArray(spec.hostnames)) {
    routeErrors.push(`spec.hostnames: must be a list of hostnames, got ${show(spec.hostnames)}`);
  } else if (kind !== "TCPRoute" && kind !== "UDPRoute") {
    arr(spec.hostnames).forEach((h, i) => {
      if (isValidHostname(h)) hostnames.push(h);
      else routeErrors.push(`spec.hostnames[${i}]: ${show(h)} is not a valid hostname`);
    });
  }

  // HTTPRoute/GRPCRoute rules default to one rule matching every request.
  const maxHosts = caps.limit("hostnamesPerRoute");
  if (maxHosts && hostnames.length > maxHosts.value) {
    routeErrors.push(`spec.hostnames: ${hostnames.length} hostnames exceed the ${maxHosts.value} per route supported by ${maxHosts.controller}`);
  }
  if (spec.rules !== undefined && !Array.isArray(spec.rules)) {
    routeErrors.push(`spec.rules: must be a list of rules, got ${show(spec.rules)}`);
  }
  const rawRules = spec.rules === undefined && (kind === "HTTPRoute" || kind === "GRPCRoute") ? [{}] : arr(spec.rules);
  const rules = rawRules.map((r, i) => buildRule(r, i, { kind, namespace, source, caps, backends: ctx.backends }));
  applyRuleLimit(rules, caps, kind);

  const facts = { kind, namespace, hostnames: [...new Set(hostnames.map((h) => h.toLowerCase()))].sort() };
  const invalidRules = rules.filter((r) => r.invalid);
  const allInvalid = rules.length > 0 && invalidRules.length === rules.length;
  const resolvedRefs = resolvedRefsCondition(rules);
  const attached = new Set<string>();
  const parents: ParentNode[] = candidates.map((c) => {
    const a = attach(c, facts, ctx.namespaceLabels);
    for (const { listener } of a.listeners) attached.add(listenerId(c.gateway, listener));
    let accepted: NodeCondition;
    if (a.failure) accepted = cond(COND.Accepted, false, a.failure.reason, a.failure.message);
    else if (routeErrors.length) accepted = cond(COND.Accepted, false, REASON.UnsupportedValue, routeErrors.join("; "));
    else if (allInvalid) accepted = cond(COND.Accepted, false, invalidRules[0]!.invalid!.reason, `All rules are invalid: ${ruleMessages(invalidRules)}`);
    else accepted = cond(COND.Accepted, true, REASON.Accepted, "Route is accepted");
    const ok = accepted.status === "True";
    const conditions = [accepted, resolvedRefs];
    if (ok && invalidRules.length) {
      conditions.push(cond(COND.PartiallyInvalid, true, REASON.UnsupportedValue, `Dropped Rule(s): ${ruleMessages(invalidRules)}`));
    }
    return {
      index: c.index, ref: c.ref, gatewayKey: c.gateway.key, controllerName: c.capabilities.controllerName,
      accepted: ok,
      listeners: ok ? a.listeners.map((x) => ({ name: x.listener.name, hostnames: x.hostnames })) : [],
      conditions,
    };
  });

  const m = obj((o as { metadata?: unknown }).metadata) ?? {};
  const node: RouteNode = {
    kind, key: keyOf(meta), namespace, name: nameOf(meta), source,
    // The whole object: status needs the old status (other controllers' parents, transition times).
    object: o,
    generation: generationOf(meta),
    creationTimestamp: str(m.creationTimestamp) ?? "",
    hostnames: facts.hostnames,
    parents,
    rules,
  };
  return { node, attached: [...attached], served: servedKeys(node) };
}

/** Distinct capabilities of the classes the route's parents belong to, by controllerName. */
function capsOf(candidates: readonly ParentCandidate[]): Caps {
  const byController = new Map<string, Capabilities>();
  for (const c of candidates) byController.set(c.capabilities.controllerName, c.capabilities);
  return new Caps([...byController.entries()].sort((a, b) => cmp(a[0], b[0])).map((e) => e[1]));
}

/** capabilities.limits.rulesPerRoute counts rules after match expansion; later rules over it are dropped. */
function applyRuleLimit(rules: RuleNode[], caps: Caps, kind: RouteKind): void {
  const limit = caps.limit("rulesPerRoute");
  if (!limit) return;
  let used = 0;
  for (const r of rules) {
    if (r.invalid) continue;
    const n = kind === "HTTPRoute" || kind === "GRPCRoute" ? Math.max(1, r.matches.length) : 1;
    if (used + n > limit.value) {
      r.invalid = {
        reason: REASON.UnsupportedValue,
        message: `spec.rules[${r.index}]: exceeds the ${limit.value} rules per route (counting each match as a rule) supported by ${limit.controller}`,
      };
    } else used += n;
  }
}

function ruleMessages(rules: readonly RuleNode[]): string {
  return rules.map((r) => r.invalid!.message).join("; ");
}

/** ResolvedRefs for the whole route: the first failing reason, every failure in the message. */
function resolvedRefsCondition(rules: readonly RuleNode[]): NodeCondition {
  const bad: { reason?: string | undefined; message?: string | undefined }[] = [];
  for (const r of rules) {
    for (const b of r.backends) if (!b.valid) bad.push(b);
    for (const f of r.filters) {
      if (f.type === "RequestMirror" && !f.mirror.valid) bad.push(f.mirror);
      if (f.type === "ExtensionRef") bad.push(f.unresolved);
    }
  }
  if (bad.length === 0) return cond(COND.ResolvedRefs, true, REASON.ResolvedRefs, "All references are resolved");
  return cond(COND.ResolvedRefs, false, bad[0]!.reason ?? REASON.BackendNotFound, bad.map((b) => b.message).join("; "));
}


