// DesiredState → route-centric view for AWS VPC Lattice (one service per route and parent).
import { compareMatches, type RankedMatch } from "@gatehouse/graph";
import type { DesiredState, IRBackend, IRGateway, IRHTTPRoute, IRL4Route, IRListener } from "../types.js";
import { fitName } from "../names.js";
import { shortHash } from "../hash.js";
import { cmp, sourceIndices } from "../util.js";
import { scaleWeights } from "./weights.js";
import {
  LATTICE, type LatticeForward, type LatticeListener, type LatticeRule, type LatticeService, type LatticeTargetGroup,
  type LatticeTLSPassthroughListener, type LatticeUnsupported, type LatticeView,
} from "./lattice-types.js";

interface PortBucket {
  port: number; protocol: "HTTP" | "HTTPS"; certificates: Set<string>; sources: Set<string>; entries: Map<string, IRHTTPRoute>;
  /** ACM ARNs from the listeners' tls.options, and the HTTPS listeners without one. */
  arns: Set<string>; withoutArn: Set<string>;
}
/** A TLS Passthrough listener port of a TLSRoute: its rules (IR order) and the Gateway listeners. */
interface TLSPortBucket { port: number; sources: Set<string>; entries: Map<string, IRL4Route> }
interface ServiceBucket {
  route: string; gateway: IRGateway; hostnames: Set<string>; ports: Map<number, PortBucket>; tlsPorts: Map<number, TLSPortBucket>;
}

function bucketKey(route: string, gatewayKey: string): string { return `${route}|${gatewayKey}`; }

/** `<kind>/<ns>/<name>` → parts. */
function routeParts(route: string): { kind: string; namespace: string; name: string } {
  const [kind = "", namespace = "", name = ""] = route.split("/");
  return { kind, namespace, name };
}

function collect(ds: DesiredState, controllerName: string, unsupported: LatticeUnsupported[]): ServiceBucket[] {
  const buckets = new Map<string, ServiceBucket>();
  const bucket = (route: string, gw: IRGateway): ServiceBucket => {
    const key = bucketKey(route, gw.key);
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = { route, gateway: gw, hostnames: new Set(), ports: new Map(), tlsPorts: new Map() }));
    return b;
  };
  for (const gw of ds.gateways) {
    if (gw.controllerName !== controllerName) continue;
    for (const l of gw.listeners) {
      if (l.protocol === "TLS" && l.tls?.mode === "Passthrough") {
        collectPassthrough(gw, l, bucket);
        reportL4(gw, l, unsupported, l.tcp);
        continue;
      }
      if (l.protocol !== "HTTP" && l.protocol !== "HTTPS") {
        reportL4(gw, l, unsupported, [...l.tls_routes, ...l.tcp, ...l.udp]);
        continue;
      }
      for (const vh of l.virtualHosts) {
        for (const e of vh.routes) {
          if (e.fromHostname !== undefined) continue;
          const b = bucket(e.route, gw);
          b.hostnames.add(vh.hostname);
          let p = b.ports.get(l.port);
          if (!p) {
            b.ports.set(l.port, (p = {
              port: l.port, protocol: l.protocol, certificates: new Set(), sources: new Set(), entries: new Map(), arns: new Set(), withoutArn: new Set(),
            }));
          }
          p.sources.add(l.source);
          for (const c of l.tls?.certificates ?? []) p.certificates.add(c.source);
          if (l.protocol === "HTTPS") {
            const arn = l.tls?.options[LATTICE.certificateArnOption];
            if (arn) p.arns.add(arn); else p.withoutArn.add(l.source);
          }
          p.entries.set(e.source, e);
        }
      }
    }
  }
  return [...buckets.keys()].sort().map((k) => buckets.get(k)!);
}

/** The service's one ACM certificate; every HTTPS listener must name the same one. */
function certificateArn(b: ServiceBucket, svc: LatticeService, unsupported: LatticeUnsupported[]): string | undefined {
  const arns = new Set<string>(), missing: string[] = [];
  for (const p of b.ports.values()) {
    for (const a of p.arns) arns.add(a);
    missing.push(...p.withoutArn);
  }
  const note = (message: string) => unsupported.push({ source: b.route, route: b.route, gatewayKey: b.gateway.key, reason: "UnsupportedValue", message });
  for (const l of missing.sort()) {
    note(`HTTPS listener ${l}: VPC Lattice takes an ACM certificate ARN in tls.options["${LATTICE.certificateArnOption}"], not a Kubernetes Secret`);
  }
  if (arns.size > 1) note(`service ${svc.name}: HTTPS listeners name different ACM certificates (${[...arns].sort().join(", ")}); a Lattice service has one`);
  return arns.size === 1 ? [...arns][0] : undefined;
}

/** TLSRoutes of a TLS Passthrough listener: one bucket per (route, Gateway), a TLS port each. */
function collectPassthrough(gw: IRGateway, l: IRListener, bucket: (route: string, gw: IRGateway) => ServiceBucket): void {
  for (const r of l.tls_routes) {
    const b = bucket(r.route, gw);
    for (const h of r.hostnames) b.hostnames.add(h);
    let p = b.tlsPorts.get(l.port);
    if (!p) b.tlsPorts.set(l.port, (p = { port: l.port, sources: new Set(), entries: new Map() }));
    p.sources.add(l.source);
    p.entries.set(r.source, r);
  }
}

function reportL4(gw: IRGateway, l: IRListener, unsupported: LatticeUnsupported[], routes: IRL4Route[]): void {
  for (const r of routes) {
    const mode = l.protocol === "TLS" ? ` (tls.mode ${l.tls?.mode ?? "Terminate"}; VPC Lattice serves TLSRoutes on Passthrough listeners only)` : "";
    unsupported.push({
      source: r.source, route: r.route, gatewayKey: gw.key, reason: "UnsupportedValue",
      message: `${r.kind} on ${l.protocol} listener ${l.name} is not supported by VPC Lattice services${r.kind === "TLSRoute" ? mode : ""}`,
    });
  }
}

/** Entries of one route in precedence order (all from the same route: match specificity, then rule/match order). */
function ordered(entries: Iterable<IRHTTPRoute>): IRHTTPRoute[] {
  const rank = (e: IRHTTPRoute): RankedMatch => {
    const i = sourceIndices(e.source);
    return { match: e.match, creationTimestamp: "", routeKey: e.route, ruleIndex: i.rule, matchIndex: i.match };
  };
  return [...entries].sort((a, b) => compareMatches(rank(a), rank(b)) || cmp(a.source, b.source));
}

function targetGroupFor(serviceName: string, b: IRBackend, kind: "HTTPRoute" | "GRPCRoute" | "TLSRoute"): LatticeTargetGroup {
  const ready = b.endpoints.filter((e) => e.ready && e.family !== "FQDN");
  const v4 = ready.filter((e) => e.family === "IPv4");
  const v6 = ready.filter((e) => e.family === "IPv6");
  const family = v4.length === 0 && v6.length > 0 ? "IPV6" : "IPV4";
  const chosen = family === "IPV6" ? v6 : v4;
  const seen = new Set<string>();
  const targets = chosen
    .map((e) => ({ id: e.address, port: e.port }))
    .filter((t) => !seen.has(`${t.id}:${t.port}`) && seen.add(`${t.id}:${t.port}`))
    .sort((x, y) => cmp(x.id, y.id) || x.port - y.port);
  const tg: LatticeTargetGroup = {
    key: b.id,
    name: fitName([serviceName, b.name, b.namespace, String(b.port ?? "")], `${serviceName}|${b.id}`, LATTICE.targetGroupName).name,
    type: "IP",
    // TLS passthrough forwards the encrypted stream as is: a TCP group (no protocolVersion).
    config: kind === "TLSRoute"
      ? { port: b.port ?? chosen[0]?.port ?? 443, protocol: "TCP", ipAddressType: family }
      : {
        port: b.port ?? chosen[0]?.port ?? 80,
        protocol: b.protocol === "https" ? "HTTPS" : "HTTP",
        protocolVersion: kind === "GRPCRoute" ? "GRPC" : b.protocol === "h2c" ? "HTTP2" : "HTTP1",
        ipAddressType: family,
      },
    targets: b.invalid ? [] : targets,
    sources: [b.source],
  };
  if (b.invalid) tg.invalid = b.invalid;
  return tg;
}

/**
 * Lattice matches for one IR match. A Gateway API PathPrefix is segment-aware (`/foo`
 * matches `/foo` and `/foo/x`, not `/foobar`) while a Lattice prefix is a plain string
 * prefix, so a non-root prefix becomes two rules: exact `/foo` and prefix `/foo/`.
 */
function pathMatches(e: IRHTTPRoute): { suffix: string; pathMatch?: LatticeRule["match"]["httpMatch"]["pathMatch"] }[] {
  const p = e.match.path;
  if (p.type === "Exact") return [{ suffix: "", pathMatch: { caseSensitive: true, match: { exact: p.value } } }];
  const trimmed = p.value.replace(/\/+$/, "");
  if (trimmed === "") return [{ suffix: "", pathMatch: { caseSensitive: true, match: { prefix: "/" } } }];
  return [
    { suffix: "#exact", pathMatch: { caseSensitive: true, match: { exact: trimmed } } },
    { suffix: "#prefix", pathMatch: { caseSensitive: true, match: { prefix: `${trimmed}/` } } },
  ];
}

function unsupportedParts(e: IRHTTPRoute): string[] {
  const why: string[] = [];
  if (e.match.path.type === "RegularExpression") why.push("path match type RegularExpression");
  if (e.match.headers.some((h) => h.type !== "Exact")) why.push("header match type RegularExpression");
  if (e.match.headers.length > LATTICE.maxHeaderMatches) why.push(`more than ${LATTICE.maxHeaderMatches} header matches`);
  if (e.match.queryParams.length > 0) why.push("query parameter matches");
  for (const f of e.filters) why.push(`filter ${f.type}`);
  for (const b of e.backends) for (const f of b.filters) why.push(`backend filter ${f.type}`);
  return why;
}

function buildListener(
  serviceName: string, route: string, gatewayKey: string, p: PortBucket,
  tgs: Map<string, LatticeTargetGroup>, unsupported: LatticeUnsupported[],
): LatticeListener {
  const rules: LatticeRule[] = [];
  for (const e of ordered(p.entries.values())) {
    const why = unsupportedParts(e);
    if (why.length > 0) {
      unsupported.push({ source: e.source, route, gatewayKey, reason: "UnsupportedValue", message: `VPC Lattice cannot express: ${why.join(", ")}` });
      if (e.match.path.type === "RegularExpression") continue;
    }
    const action = forwardAction(serviceName, e, tgs);
    for (const pm of pathMatches(e)) {
      const httpMatch: LatticeRule["match"]["httpMatch"] = {
        headerMatches: e.match.headers
          .filter((h) => h.type === "Exact")
          .slice(0, LATTICE.maxHeaderMatches)
          .map((h) => ({ name: h.name, caseSensitive: true, match: { exact: h.value } })),
      };
      if (pm.pathMatch) httpMatch.pathMatch = pm.pathMatch;
      if (e.match.method) httpMatch.method = e.match.method;
      rules.push({
        name: fitName(["r", shortHash(`${e.source}${pm.suffix}`, 10)], `${e.source}${pm.suffix}`, LATTICE.ruleName).name,
        priority: rules.length + 1,
        match: { httpMatch },
        action,
        sources: [e.source],
      });
    }
  }
  const over = rules.filter((r) => r.priority > LATTICE.maxRulePriority);
  if (over.length > 0) {
    unsupported.push({
      source: over[0]!.sources[0]!, route, gatewayKey, reason: "UnsupportedValue",
      message: `${rules.length} Lattice rules on port ${p.port} exceed the limit of ${LATTICE.maxRulePriority}`,
    });
  }
  const proto = p.protocol.toLowerCase();
  return {
    name: fitName([proto, String(p.port)], `${proto}-${p.port}`, LATTICE.listenerName).name,
    port: p.port,
    protocol: p.protocol,
    certificates: [...p.certificates].sort(),
    defaultAction: { fixedResponse: { statusCode: 404 } },
    rules,
    sources: [...p.sources].sort(),
  };
}

function forwardAction(serviceName: string, e: IRHTTPRoute, tgs: Map<string, LatticeTargetGroup>): LatticeRule["action"] {
  if (e.directResponse) return { fixedResponse: { statusCode: e.directResponse.status } };
  return { forward: forward(serviceName, e.backends, e.kind, tgs) };
}

/** Weighted forward to the backends' target groups (created in `tgs` on first use). */
function forward(serviceName: string, backends: IRBackend[], kind: "HTTPRoute" | "GRPCRoute" | "TLSRoute", tgs: Map<string, LatticeTargetGroup>): LatticeForward {
  // Lattice rejects a target group listed twice in one forward: merge repeated backends.
  const weights = new Map<string, number>();
  for (const b of backends) {
    let tg = tgs.get(b.id);
    if (!tg) tgs.set(b.id, (tg = targetGroupFor(serviceName, b, kind)));
    else if (!tg.sources.includes(b.source)) tg.sources = [...tg.sources, b.source].sort();
    weights.set(b.id, (weights.get(b.id) ?? 0) + b.weight);
  }
  const ids = [...weights.keys()];
  const scaled = scaleWeights(ids.map((id) => weights.get(id)!), LATTICE.maxWeight);
  return { targetGroups: ids.map((id, i) => ({ targetGroupKey: id, targetGroupName: tgs.get(id)!.name, weight: scaled[i]! })) };
}

/**
 * The TLS_PASSTHROUGH listener of one port: Lattice takes no rules there, so the route's
 * first rule is the default action; further rules (nothing in a TLSRoute rule tells them
 * apart) and backends past 10 are reported.
 */
function buildPassthroughListener(
  serviceName: string, route: string, gatewayKey: string, p: TLSPortBucket,
  tgs: Map<string, LatticeTargetGroup>, unsupported: LatticeUnsupported[],
): LatticeTLSPassthroughListener | undefined {
  const entries = [...p.entries.values()].sort((a, b) => sourceIndices(a.source).rule - sourceIndices(b.source).rule || cmp(a.source, b.source));
  const note = (source: string, message: string) => unsupported.push({ source, route, gatewayKey, reason: "UnsupportedValue", message });
  for (const extra of entries.slice(1)) {
    note(extra.source, `a VPC Lattice TLS_PASSTHROUGH listener has only its default action: rule ${sourceIndices(extra.source).rule} is not programmed (port ${p.port} uses rule ${sourceIndices(entries[0]!.source).rule})`);
  }
  const first = entries[0];
  if (!first) return undefined;
  if (first.backends.length === 0) {
    note(first.source, `a VPC Lattice TLS_PASSTHROUGH listener must forward to at least one target group; the rule has no backendRefs`);
    return undefined;
  }
  const ids = [...new Set(first.backends.map((b) => b.id))];
  if (ids.length > LATTICE.maxForwardTargetGroups) {
    note(first.source, `more than ${LATTICE.maxForwardTargetGroups} backends: only the first ${LATTICE.maxForwardTargetGroups} are programmed`);
  }
  const keep = new Set(ids.slice(0, LATTICE.maxForwardTargetGroups));
  return {
    name: fitName(["tls", String(p.port)], `tls-${p.port}`, LATTICE.listenerName).name,
    port: p.port,
    protocol: "TLS_PASSTHROUGH",
    certificates: [],
    defaultAction: { forward: forward(serviceName, first.backends.filter((b) => keep.has(b.id)), "TLSRoute", tgs) },
    rules: [],
    sources: [...p.sources].sort(),
  };
}

function serviceName(route: string, gatewayKey: string, forceHash: boolean): string {
  const { namespace, name } = routeParts(route);
  return fitName([name, namespace], `${route}|${gatewayKey}`, LATTICE.serviceName, forceHash).name;
}

/**
 * One Lattice service per (route, parent Gateway of `controllerName`), named
 * `<route>-<namespace>`; when a route has several such parents (or two identities would
 * give the same name) every colliding service gets a stable hash suffix.
 */
export function routeCentricView(ds: DesiredState, controllerName: string): LatticeView {
  const unsupported: LatticeUnsupported[] = [];
  const buckets = collect(ds, controllerName, unsupported);
  const plain = buckets.map((b) => serviceName(b.route, b.gateway.key, false));
  const counts = new Map<string, number>();
  for (const n of plain) counts.set(n, (counts.get(n) ?? 0) + 1);
  const services: LatticeService[] = [];
  buckets.forEach((b, i) => {
    const name = counts.get(plain[i]!)! > 1 ? serviceName(b.route, b.gateway.key, true) : plain[i]!;
    const tgs = new Map<string, LatticeTargetGroup>();
    const hostnames = [...b.hostnames].sort();
    const exact = hostnames.find((h) => !h.startsWith("*"));
    if (b.tlsPorts.size > 0 && exact === undefined) {
      // TLS passthrough matches the SNI against the service's custom domain: no exact hostname, no service.
      unsupported.push({
        source: b.route, route: b.route, gatewayKey: b.gateway.key, reason: "UnsupportedValue",
        message: `VPC Lattice TLS passthrough needs an exact hostname for the service's custom domain name (SNI match); the route has ${hostnames.length ? `only ${hostnames.join(", ")}` : "none"} on this Gateway`,
      });
      return;
    }
    const listeners: LatticeListener[] = [];
    for (const port of [...new Set([...b.ports.keys(), ...b.tlsPorts.keys()])].sort((x, y) => x - y)) {
      const http = b.ports.get(port);
      if (http) listeners.push(buildListener(name, b.route, b.gateway.key, http, tgs, unsupported));
      const tls = b.tlsPorts.get(port);
      const l = tls && buildPassthroughListener(name, b.route, b.gateway.key, tls, tgs, unsupported);
      if (l) listeners.push(l);
    }
    if (listeners.length === 0) return;
    const svc: LatticeService = {
      name,
      route: b.route,
      gatewayKey: b.gateway.key,
      hostnames,
      listeners,
      targetGroups: [...tgs.keys()].sort().map((k) => tgs.get(k)!),
      sources: [b.route, b.gateway.source],
    };
    if (exact !== undefined) svc.customDomainName = exact;
    const arn = certificateArn(b, svc, unsupported);
    if (arn !== undefined) svc.certificateArn = arn;
    services.push(svc);
  });
  services.sort((a, b) => cmp(a.name, b.name) || cmp(a.route, b.route) || cmp(a.gatewayKey, b.gatewayKey));
  unsupported.sort((a, b) => cmp(a.gatewayKey, b.gatewayKey) || cmp(a.source, b.source) || cmp(a.message, b.message));
  return { controllerName, services, unsupported };
}
