// Desired state → the Compute resources it needs, as insert bodies keyed by path. Pure: the
// IR view names and orders everything; this adds locations (GCPConfig), references as full
// URLs, ownership descriptions/labels, NEG endpoints with their instances, and what a URL
// map cannot carry on this scheme (reported per rule, the rule itself answering 500).
import { GCP, fitName, gatewayCentricView, type DesiredState, type GcpRouteRule, type GcpUrlMap, type IRBackend, type IRGateway } from "@gatehouse/ir";
import { parseConfig, isCidr, type GcpConfig, type Scheme } from "./config.js";
import { compact, hashOf, isObj, type Json } from "./cloud/json.js";
import { API_BASE, byRank, linkOf, pathOf, type Collection, type Loc } from "./cloud/paths.js";

/** Google's health-check and (global external) proxy source ranges. */
export const HEALTH_CHECK_RANGES = ["130.211.0.0/22", "35.191.0.0/16"];
/** Listener tls.options key naming a Certificate Manager map instead of Secrets. */
export const CERTIFICATE_MAP_OPTION = "gatehouse.dev/gcp-certificate-map";

export interface Endpoint { instance: string; ipAddress: string; port: number }

export interface DesiredResource {
  path: string;
  collection: Collection;
  name: string;
  /** The insert body (references as full URLs); `description` carries `spec=<hash>`. */
  body: Json;
  hash: string;
  /** Gateways using it (sorted). */
  gateways: string[];
  sources: string[];
  /** Shared between Gateways (backend services, health checks, NEGs). */
  shared: boolean;
  /** NEGs: the endpoints to attach. */
  endpoints?: Endpoint[];
}

export interface GatewayModel {
  key: string;
  source: string;
  config?: GcpConfig;
  /** Config error: nothing of this Gateway is changed. */
  invalid?: string;
  /** Every resource the Gateway uses, sorted. */
  paths: string[];
  /** Our reserved address, or the user's address (literal or path). */
  address: { path?: string; literal?: string; ours: boolean };
  /** Non-fatal notes for the Gateway's message. */
  notes: string[];
  /** Programmed cannot be true (e.g. an HTTPS listener without certificates). */
  blocked?: string;
}

export interface RouteNote { route: string; gatewayKey: string; reason: string; message: string }

export interface DesiredModel {
  resources: Map<string, DesiredResource>;
  gateways: GatewayModel[];
  routeNotes: RouteNote[];
  /** Gateways whose config is invalid: their resources must not be touched. */
  held: string[];
}

export interface ModelOptions {
  controllerName: string;
  clusterName: string;
  project?: string;
}

const NAME = GCP.name;

function gname(parts: string[], identity: string): string {
  return fitName(["gh", ...parts], identity, NAME).name;
}

export function labelValue(v: string): string {
  return v.toLowerCase().replace(/[^-_a-z0-9]/g, "-").slice(0, 63);
}

/** `gatehouse: managed by …; cluster=c; owner=gateway/ns/name; spec=hash`. */
export function description(o: ModelOptions, owner: string, hash: string): string {
  return `gatehouse: managed by ${o.controllerName}; cluster=${o.clusterName}; owner=${owner}; spec=${hash}`;
}

export function ownership(desc: unknown): { cluster: string; owner: string; spec: string } | undefined {
  if (typeof desc !== "string" || !desc.startsWith("gatehouse:")) return undefined;
  const m = /cluster=([^;]*); owner=([^;]*); spec=([0-9a-f]*)/.exec(desc);
  return m ? { cluster: m[1]!, owner: m[2]!, spec: m[3]! } : undefined;
}

function foreign(value: string, project: string, collection: string, scope: string): string {
  if (value.startsWith("https://")) return value;
  if (value.startsWith("projects/")) return `${API_BASE}${value}`;
  if (value.includes("/")) return `${API_BASE}projects/${project}/${value}`;
  return `${API_BASE}projects/${project}/${scope}/${collection}/${value}`;
}

function routeOf(source: string): string | undefined {
  const m = /^((?:httproute|grpcroute|tlsroute|tcproute|udproute)\/[^/]+\/[^/]+)/.exec(source);
  return m?.[1];
}

/** Endpoint address|port → node name (the instance a GCE_VM_IP_PORT endpoint needs). */
function nodeNames(gateways: readonly IRGateway[]): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (b: IRBackend) => {
    for (const e of b.endpoints) if (e.nodeName) out.set(`${e.address}|${e.port}`, e.nodeName);
    for (const f of b.filters) if (f.type === "RequestMirror") visit(f.backend);
  };
  for (const g of gateways) {
    for (const l of g.listeners) {
      for (const vh of l.virtualHosts) {
        for (const r of vh.routes) {
          r.backends.forEach(visit);
          for (const f of r.filters) if (f.type === "RequestMirror") visit(f.backend);
        }
      }
    }
  }
  return out;
}

class Builder {
  readonly resources = new Map<string, DesiredResource>();

  constructor(private readonly o: ModelOptions) {}

  /** Adds (or joins) a resource; the description's hash covers the body. */
  add(loc: Loc, collection: Collection, name: string, body: Json, owner: string, gatewayKey: string, sources: string[], extra?: Partial<DesiredResource>): string {
    const path = pathOf(loc, collection, name);
    const existing = this.resources.get(path);
    if (existing) {
      if (!existing.gateways.includes(gatewayKey)) existing.gateways = [...existing.gateways, gatewayKey].sort();
      existing.sources = [...new Set([...existing.sources, ...sources])].sort();
      if (extra?.endpoints && existing.endpoints) {
        const m = new Map(existing.endpoints.map((e) => [`${e.instance}|${e.ipAddress}|${e.port}`, e]));
        for (const e of extra.endpoints) m.set(`${e.instance}|${e.ipAddress}|${e.port}`, e);
        existing.endpoints = [...m.keys()].sort().map((k) => m.get(k)!);
      }
      return path;
    }
    const clean = compact({ name, ...body });
    const hash = hashOf(clean);
    this.resources.set(path, {
      path, collection, name, body: { ...clean, description: description(this.o, owner, hash) }, hash,
      gateways: [gatewayKey], sources: [...new Set(sources)].sort(), shared: owner === "shared", ...extra,
    });
    return path;
  }
}

const ABORT_404 = { faultInjectionPolicy: { abort: { httpStatus: 404, percentage: 100 } } };
const ABORT_500 = { faultInjectionPolicy: { abort: { httpStatus: 500, percentage: 100 } } };

function hasRegex(rule: GcpRouteRule): boolean {
  return rule.matchRules.some((m) => m.regexMatch !== undefined || m.headerMatches.some((h) => h.regexMatch !== undefined) ||
    m.queryParameterMatches.some((q) => q.regexMatch !== undefined));
}

export function buildModel(ds: DesiredState, o: ModelOptions): DesiredModel {
  const gatewaysIn = (Array.isArray(ds?.gateways) ? ds.gateways : []).filter((g) => g?.controllerName === o.controllerName);
  const view = gatewayCentricView({ ...ds, gateways: gatewaysIn }, o.controllerName);
  const irByKey = new Map(gatewaysIn.map((g) => [g.key, g]));
  const services = new Map(view.backendServices.map((b) => [b.key, b]));
  const nodes = nodeNames(gatewaysIn);
  const b = new Builder(o);
  const gateways: GatewayModel[] = [];
  const routeNotes: RouteNote[] = [];
  const held: string[] = [];
  const unsupported = [...view.unsupported];

  for (const vg of view.gateways) {
    const ir = irByKey.get(vg.key)!;
    const gm: GatewayModel = { key: vg.key, source: vg.source, paths: [], address: { ours: false }, notes: [] };
    gateways.push(gm);
    const parsed = parseConfig(ir.parameters?.spec, o.project !== undefined ? { project: o.project } : {});
    if (!parsed.ok) {
      const p = ir.parameters;
      gm.invalid = p ? `${p.kind} ${p.namespace ? `${p.namespace}/` : ""}${p.name}: ${parsed.message}` : parsed.message;
      held.push(vg.key);
      continue;
    }
    const cfg = parsed.config;
    gm.config = cfg;
    const loc: Loc = cfg.region ? { project: cfg.project, region: cfg.region } : { project: cfg.project };
    const scheme: Scheme = cfg.loadBalancingScheme;
    const external = scheme === "EXTERNAL_MANAGED";
    const regexAllowed = !(external && !cfg.region);
    const owner = vg.source;
    const networkLink = foreign(cfg.network, cfg.project, "networks", "global");
    const subnetLink = cfg.subnetwork ? foreign(cfg.subnetwork, cfg.project, "subnetworks", `regions/${cfg.region ?? ""}`) : undefined;
    const labels = { ...cfg.labels, "gatehouse-cluster": labelValue(o.clusterName), "gatehouse-managed": "true" };
    const paths = new Set<string>();
    const add = (coll: Collection, name: string, body: Json, sources: string[], shared = false, at: Loc = loc, extra?: Partial<DesiredResource>) => {
      const p = b.add(at, coll, name, body, shared ? "shared" : owner, vg.key, sources, extra);
      paths.add(p);
      return p;
    };

    // Rules this scheme or the view cannot express: reported per rule; the rule answers 500
    // (or, for a regex match the scheme rejects, is left out).
    const bad = new Set<string>();
    const dropped = new Set<string>();
    for (const u of unsupported) if (u.gatewayKey === vg.key && u.route && /\/rule\/\d+/.test(u.source)) bad.add(u.source);
    for (const um of vg.urlMaps) {
      for (const pm of um.pathMatchers) {
        for (const r of pm.routeRules) {
          if (regexAllowed || !hasRegex(r)) continue;
          for (const s of r.sources) {
            dropped.add(s);
            unsupported.push({ source: s, route: routeOf(s) ?? s, gatewayKey: vg.key, reason: "UnsupportedValue",
              message: "regular expression matches are not available on the global external Application Load Balancer (use a regional class)" });
          }
        }
      }
    }

    // Backend services this Gateway's URL maps reference, in the Gateway's location.
    const bsName = (viewName: string) =>
      scheme === (cfg.region ? "INTERNAL_MANAGED" : "EXTERNAL_MANAGED") ? viewName : fitName([viewName, "s"], `${viewName}|${scheme}`, NAME, true).name;
    const bsLinks = new Map<string, string>();
    const endpointPorts = new Set<number>();
    const backendService = (key: string): string => {
      const known = bsLinks.get(key);
      if (known) return known;
      const bs = services.get(key)!;
      const name = bsName(bs.name);
      const hcType = bs.protocol === "HTTPS" ? "HTTPS" : bs.protocol === "HTTP2" ? "HTTP2" : "HTTP";
      const hcKey = hcType === "HTTPS" ? "httpsHealthCheck" : hcType === "HTTP2" ? "http2HealthCheck" : "httpHealthCheck";
      const hc = add("healthChecks", name, { type: hcType, [hcKey]: { portSpecification: "USE_SERVING_PORT", requestPath: "/" } }, bs.sources, true);
      const negLinks: string[] = [];
      for (const neg of bs.negs) {
        if (cfg.region && !neg.zone.startsWith(`${cfg.region}-`)) {
          gm.notes.push(`endpoints of ${bs.key} in zone ${neg.zone} are outside region ${cfg.region} and are not served`);
          continue;
        }
        if (cfg.zones.length > 0 && !cfg.zones.includes(neg.zone)) {
          gm.notes.push(`endpoints of ${bs.key} in zone ${neg.zone} are outside the GCPConfig zones and are not served`);
          continue;
        }
        const endpoints: Endpoint[] = [];
        for (const e of neg.endpoints) {
          const instance = nodes.get(`${e.ipAddress}|${e.port}`);
          if (!instance) {
            gm.notes.push(`endpoint ${e.ipAddress}:${e.port} of ${bs.key} has no node name; a GCE_VM_IP_PORT NEG needs the instance`);
            continue;
          }
          endpoints.push({ instance, ipAddress: e.ipAddress, port: e.port });
          endpointPorts.add(e.port);
        }
        const negBody: Json = { networkEndpointType: "GCE_VM_IP_PORT", network: networkLink, defaultPort: bs.port };
        if (subnetLink) negBody["subnetwork"] = subnetLink;
        const p = add("networkEndpointGroups", neg.name, negBody, bs.sources, true, { project: cfg.project, zone: neg.zone }, { endpoints });
        negLinks.push(linkOf(p));
      }
      const body: Json = {
        loadBalancingScheme: scheme, protocol: bs.protocol, timeoutSec: 30, healthChecks: [linkOf(hc)],
        backends: negLinks.sort().map((group) => ({ group, balancingMode: "RATE", maxRatePerEndpoint: 1000 })),
      };
      const link = linkOf(add("backendServices", name, body, bs.sources, true));
      bsLinks.set(key, link);
      return link;
    };
    // The URL maps' default: a backend service without backends behind a 404 abort.
    const nf = vg.urlMaps[0]?.defaultService.name;
    const notFound = nf ? linkOf(add("backendServices", nf, { loadBalancingScheme: scheme, protocol: "HTTP", timeoutSec: 30 }, [vg.source])) : "";

    const urlMapLinks = new Map<number, string>();
    for (const um of vg.urlMaps) urlMapLinks.set(um.port, linkOf(add("urlMaps", um.name, urlMapBody(um, notFound, backendService, bad, dropped), um.sources)));

    // Target proxies (with certificates) and one forwarding rule per port.
    const proxyLinks = new Map<string, string>();
    for (const tp of vg.targetProxies) {
      const urlMap = urlMapLinks.get(tp.port)!;
      if (tp.kind === "targetHttpProxy") {
        proxyLinks.set(tp.name, linkOf(add("targetHttpProxies", tp.name, { urlMap }, tp.sources)));
        continue;
      }
      const listeners = ir.listeners.filter((l) => l.port === tp.port && l.protocol === "HTTPS");
      const mapName = listeners.map((l) => l.tls?.options[CERTIFICATE_MAP_OPTION]).find((v) => typeof v === "string" && v !== "") ?? cfg.certificateMap;
      const body: Json = { urlMap };
      if (mapName) {
        if (cfg.region) gm.blocked = `listener port ${tp.port}: certificate maps work only with the global scope`;
        body["certificateMap"] = mapName.startsWith("//") ? mapName : `//certificatemanager.googleapis.com/${mapName}`;
      } else {
        const certs: string[] = [];
        for (const c of tp.sslCertificates) {
          const ic = listeners.flatMap((l) => l.tls?.certificates ?? []).find((x) => x.source === c.source);
          if (!ic) continue;
          const name = fitName([c.name.slice(0, 40)], `${c.source}|${hashOf(ic.certificatePem)}`, NAME, true).name;
          certs.push(linkOf(add("sslCertificates", name, { type: "SELF_MANAGED", certificate: ic.certificatePem, privateKey: ic.privateKeyPem }, [c.source])));
        }
        if (certs.length === 0) gm.blocked = `HTTPS listener port ${tp.port} has no certificate (TLS Secret, ${CERTIFICATE_MAP_OPTION} option or GCPConfig certificateMap)`;
        if (certs.length > 15) gm.blocked = `HTTPS listener port ${tp.port} has ${certs.length} certificates; a target proxy takes at most 15`;
        body["sslCertificates"] = certs.sort().slice(0, 15);
      }
      proxyLinks.set(tp.name, linkOf(add("targetHttpsProxies", tp.name, body, tp.sources)));
    }

    // The address: the Gateway's spec.addresses[0], else one we reserve.
    const requested = ir.addresses.filter((a) => a.value !== "");
    if (requested.length > 1) gm.notes.push(`only the first of ${requested.length} spec.addresses is used (one IP per Gateway)`);
    const first = requested[0];
    let ipAddress: string;
    if (first && (first.type === "IPAddress" || first.type === "")) {
      gm.address = { literal: first.value, ours: false };
      ipAddress = first.value;
    } else if (first) {
      const p = pathOf(loc, "addresses", first.value);
      gm.address = { path: p, ours: false };
      ipAddress = linkOf(p);
    } else {
      const body: Json = external
        ? { addressType: "EXTERNAL", ipVersion: "IPV4", ...(cfg.region ? {} : { networkTier: "PREMIUM" }), labels }
        : { addressType: "INTERNAL", subnetwork: subnetLink, purpose: "SHARED_LOADBALANCER_VIP", labels };
      const p = add("addresses", gname([ir.namespace, ir.name], `${vg.key}|address`), body, [vg.source]);
      gm.address = { path: p, ours: true };
      ipAddress = linkOf(p);
    }
    for (const fr of vg.forwardingRules) {
      const body: Json = {
        loadBalancingScheme: scheme, IPProtocol: "TCP", portRange: fr.portRange, target: proxyLinks.get(fr.target)!, IPAddress: ipAddress, labels,
      };
      if (external) body["networkTier"] = "PREMIUM";
      else { body["network"] = networkLink; body["subnetwork"] = subnetLink; }
      add("forwardingRules", fr.name, body, fr.sources);
    }

    // Firewall: health checks and the proxies reach the endpoints' ports.
    if (endpointPorts.size > 0) {
      const ranges = [...HEALTH_CHECK_RANGES];
      if (cfg.proxyOnlySubnetwork && isCidr(cfg.proxyOnlySubnetwork)) ranges.push(cfg.proxyOnlySubnetwork);
      add("firewalls", gname([ir.namespace, ir.name, "lb"], `${vg.key}|firewall`), {
        network: networkLink, direction: "INGRESS", priority: 1000,
        allowed: [{ IPProtocol: "tcp", ports: [...endpointPorts].sort((x, y) => x - y).map(String) }],
        sourceRanges: ranges.sort(),
      }, [vg.source], false, { project: cfg.project });
    }
    gm.paths = [...paths].sort(byRank);
  }

  for (const u of unsupported) {
    if (held.includes(u.gatewayKey)) continue;
    const route = u.route ?? routeOf(u.source);
    if (route) routeNotes.push({ route, gatewayKey: u.gatewayKey, reason: u.reason, message: `${u.source}: ${u.message}` });
    else gateways.find((g) => g.key === u.gatewayKey)?.notes.push(`${u.source}: ${u.message}`);
  }
  const seen = new Set<string>();
  const notes = routeNotes.filter((n) => { const k = `${n.route}|${n.gatewayKey}|${n.message}`; return !seen.has(k) && seen.add(k); });
  for (const g of gateways) g.notes = [...new Set(g.notes)].sort();
  return { resources: b.resources, gateways, routeNotes: notes, held };
}

function headerAction(h: unknown): Json | undefined {
  const c = compact(h);
  return isObj(c) && Object.keys(c).length > 0 ? c : undefined;
}

function urlMapBody(um: GcpUrlMap, notFound: string, backendService: (key: string) => string, bad: Set<string>, dropped: Set<string>): Json {
  const rule = (r: GcpRouteRule): Json | undefined => {
    if (r.sources.some((s) => dropped.has(s))) return undefined;
    const out: Json = {
      priority: r.priority,
      description: r.sources.join(" ").slice(0, 1024),
      matchRules: r.matchRules.map((m) => compact({ ...m })),
    };
    if (r.sources.some((s) => bad.has(s))) {
      out["service"] = notFound;
      out["routeAction"] = ABORT_500;
      return out;
    }
    if (r.urlRedirect) out["urlRedirect"] = compact({ ...r.urlRedirect });
    else if (r.service) {
      out["service"] = notFound;
      out["routeAction"] = compact({ faultInjectionPolicy: r.routeAction?.faultInjectionPolicy ?? ABORT_500.faultInjectionPolicy });
    } else if (r.routeAction) {
      const ra = r.routeAction;
      const action: Json = {
        weightedBackendServices: ra.weightedBackendServices.map((w) =>
          compact({ backendService: backendService(w.backendKey), weight: w.weight, headerAction: headerAction(w.headerAction) })),
        urlRewrite: ra.urlRewrite,
        timeout: ra.timeout,
        retryPolicy: ra.retryPolicy,
        corsPolicy: ra.corsPolicy,
      };
      if (ra.requestMirrorPolicy) {
        action["requestMirrorPolicy"] = { backendService: backendService(ra.requestMirrorPolicy.backendKey), mirrorPercent: ra.requestMirrorPolicy.mirrorPercent };
      }
      out["routeAction"] = compact(action);
    }
    const ha = headerAction(r.headerAction);
    if (ha) out["headerAction"] = ha;
    return out;
  };
  return {
    defaultService: notFound,
    defaultRouteAction: ABORT_404,
    hostRules: um.hostRules.map((h) => ({ hosts: h.hosts, pathMatcher: h.pathMatcher })),
    pathMatchers: um.pathMatchers.map((pm) => ({
      name: pm.name,
      defaultService: notFound,
      defaultRouteAction: ABORT_404,
      routeRules: pm.routeRules.map(rule).filter((x): x is Json => x !== undefined),
    })),
  };
}
