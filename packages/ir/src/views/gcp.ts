// DesiredState → gateway-centric view for GCP application load balancers.
import type { DesiredState, IRBackend, IRGateway, IRListener } from "../types.js";
import { fitName } from "../names.js";
import { shortHash } from "../hash.js";
import { cmp } from "../util.js";
import {
  GCP, type GcpBackendService, type GcpForwardingRule, type GcpGateway, type GcpNotFoundBackend, type GcpPathMatcher,
  type GcpTargetProxy, type GcpUnsupported, type GcpUrlMap, type GcpView,
} from "./gcp-types.js";
import { routeRules, type RuleContext } from "./gcp-rules.js";

function gcpName(parts: string[], identity: string): string {
  return fitName(["gh", ...parts], identity, GCP.name).name;
}

class BackendServices {
  private readonly byKey = new Map<string, GcpBackendService>();

  constructor(private readonly unsupported: GcpUnsupported[]) {}

  /** Registers `b` (merging sources) and returns its backend service name. */
  add(b: IRBackend, grpc: boolean, gatewayKey: string): string {
    let bs = this.byKey.get(b.id);
    if (!bs) {
      this.byKey.set(b.id, (bs = this.create(b, grpc, gatewayKey)));
    } else if (!bs.sources.includes(b.source)) {
      bs.sources = [...bs.sources, b.source].sort();
    }
    return bs.name;
  }

  private create(b: IRBackend, grpc: boolean, gatewayKey: string): GcpBackendService {
    const port = b.port ?? b.endpoints[0]?.port ?? 80;
    const name = gcpName([b.namespace, b.name, String(port)], b.id);
    const zones = new Map<string, Map<string, { ipAddress: string; port: number }>>();
    for (const e of b.invalid ? [] : b.endpoints) {
      if (!e.ready || e.family === "FQDN") continue;
      // Zonal NEGs need the endpoint's zone (EndpointSlice endpoints[].zone, set on GKE).
      const zone = e.zone;
      if (!zone) {
        this.unsupported.push({ source: b.source, gatewayKey, reason: "UnsupportedValue",
          message: `endpoint ${e.address}:${e.port} of ${b.id} has no zone; a GCP zonal NEG needs one (EndpointSlice endpoints[].zone)` });
        continue;
      }
      let m = zones.get(zone);
      if (!m) zones.set(zone, (m = new Map()));
      m.set(`${e.address}|${e.port}`, { ipAddress: e.address, port: e.port });
    }
    const negs = [...zones.keys()].sort().map((zone) => ({
      zone,
      name: gcpName([b.namespace, b.name, String(port), zone], `${b.id}|${zone}`),
      endpoints: [...zones.get(zone)!.values()].sort((x, y) => cmp(x.ipAddress, y.ipAddress) || x.port - y.port),
    }));
    const protocol: GcpBackendService["protocol"] =
      b.protocol === "https" ? (grpc ? "HTTP2" : "HTTPS") : b.protocol === "h2c" || grpc ? "H2C" : "HTTP";
    const out: GcpBackendService = { key: b.id, name, protocol, port, negs, sources: [b.source] };
    if (b.invalid) out.invalid = b.invalid;
    return out;
  }

  list(): GcpBackendService[] { return [...this.byKey.keys()].sort().map((k) => this.byKey.get(k)!); }
}

function reportNonHttp(gw: IRGateway, l: IRListener, unsupported: GcpUnsupported[]): void {
  unsupported.push({
    source: l.source, gatewayKey: gw.key, reason: "UnsupportedProtocol",
    message: `${l.protocol} listener ${l.name} cannot be served by a GCP application load balancer`,
  });
  for (const r of [...l.tls_routes, ...l.tcp, ...l.udp]) {
    unsupported.push({
      source: r.source, route: r.route, gatewayKey: gw.key, reason: "UnsupportedValue",
      message: `${r.kind} is not supported by GCP application load balancers`,
    });
  }
}

function urlMapFor(gw: IRGateway, port: number, listeners: IRListener[], notFound: GcpNotFoundBackend,
  services: BackendServices, unsupported: GcpUnsupported[]): GcpUrlMap {
  const ctx: RuleContext = { gatewayKey: gw.key, notFound, backendService: (b, grpc) => services.add(b, grpc, gw.key), unsupported };
  const claimed = new Set<string>();
  const hostRules: GcpUrlMap["hostRules"] = [];
  const pathMatchers: GcpPathMatcher[] = [];
  // Listeners arrive most specific first: a host claimed by an earlier listener stays its
  // (listener isolation); a host rule may list each host only once.
  for (const l of listeners) {
    for (const vh of l.virtualHosts) {
      if (claimed.has(vh.hostname)) {
        unsupported.push({ source: l.source, gatewayKey: gw.key, reason: "HostnameConflict",
          message: `host ${vh.hostname} on port ${port} is already served by a more specific listener` });
        continue;
      }
      claimed.add(vh.hostname);
      const name = `pm-${shortHash(`${l.source}|${vh.hostname}`, 12)}`;
      let priority = 1;
      const rules = [];
      for (const e of vh.routes) {
        const rs = routeRules(e, priority, ctx);
        priority += rs.length;
        rules.push(...rs);
      }
      pathMatchers.push({ name, defaultService: notFound, routeRules: rules, sources: [l.source] });
      hostRules.push({ hosts: [vh.hostname], pathMatcher: name });
    }
  }
  return {
    name: gcpName([gw.namespace, gw.name, String(port)], `${gw.key}:${port}`),
    port,
    defaultService: notFound,
    hostRules,
    pathMatchers,
    sources: [gw.source, ...listeners.map((l) => l.source)],
  };
}

function gatewayFor(gw: IRGateway, services: BackendServices, unsupported: GcpUnsupported[]): GcpGateway {
  const byName = new Map(gw.listeners.map((l) => [l.name, l]));
  const notFound: GcpNotFoundBackend = { kind: "notFound", name: gcpName([gw.namespace, gw.name, "404"], `${gw.key}|404`) };
  const urlMaps: GcpUrlMap[] = [];
  const targetProxies: GcpTargetProxy[] = [];
  const forwardingRules: GcpForwardingRule[] = [];
  for (const p of gw.ports) {
    const listeners = p.listeners.map((n) => byName.get(n)).filter((l): l is IRListener => l !== undefined);
    const http = listeners.filter((l) => l.protocol === "HTTP" || l.protocol === "HTTPS");
    for (const l of listeners) if (!http.includes(l)) reportNonHttp(gw, l, unsupported);
    if (http.length === 0) continue;
    const urlMap = urlMapFor(gw, p.port, http, notFound, services, unsupported);
    urlMaps.push(urlMap);
    const sources = [gw.source, ...http.map((l) => l.source)];
    const https = http.some((l) => l.protocol === "HTTPS");
    const proxyName = gcpName([gw.namespace, gw.name, String(p.port), https ? "https" : "http"], `${gw.key}:${p.port}:proxy`);
    if (https) {
      const certs = new Map<string, { name: string; source: string }>();
      for (const l of http) {
        for (const c of l.tls?.certificates ?? []) {
          certs.set(c.source, { name: gcpName([c.source.split("/").slice(1).join("-")], c.source), source: c.source });
        }
      }
      targetProxies.push({ kind: "targetHttpsProxy", name: proxyName, port: p.port, urlMap: urlMap.name,
        sslCertificates: [...certs.keys()].sort().map((k) => certs.get(k)!), sources });
    } else {
      targetProxies.push({ kind: "targetHttpProxy", name: proxyName, port: p.port, urlMap: urlMap.name, sources });
    }
    forwardingRules.push({
      name: gcpName([gw.namespace, gw.name, String(p.port)], `${gw.key}:${p.port}:fr`).replace(/^gh-/, "fr-"),
      portRange: `${p.port}-${p.port}`,
      target: proxyName,
      IPProtocol: "TCP",
      loadBalancingScheme: "EXTERNAL_MANAGED",
      sources,
    });
  }
  return {
    key: gw.key,
    source: gw.source,
    urlMaps,
    targetProxies,
    forwardingRules,
    addresses: gw.addresses.map((a) => a.value).filter((v) => v !== ""),
    sources: [gw.source],
  };
}

/**
 * Per Gateway of `controllerName`: a URL map per HTTP(S) port (GCP URL maps cannot tell ports
 * apart, and listeners on different ports may carry different routes), the target proxy and
 * forwarding rule for it; backend services shared across the view, keyed by backend id.
 */
export function gatewayCentricView(ds: DesiredState, controllerName: string): GcpView {
  const unsupported: GcpUnsupported[] = [];
  const services = new BackendServices(unsupported);
  const gateways = ds.gateways
    .filter((g) => g.controllerName === controllerName)
    .sort((a, b) => cmp(a.key, b.key))
    .map((g) => gatewayFor(g, services, unsupported));
  const seen = new Set<string>();
  const notes = unsupported
    .filter((u) => { const k = `${u.gatewayKey}|${u.source}|${u.message}`; return !seen.has(k) && seen.add(k); })
    .sort((a, b) => cmp(a.gatewayKey, b.gatewayKey) || cmp(a.source, b.source) || cmp(a.message, b.message));
  return { controllerName, gateways, backendServices: services.list(), unsupported: notes };
}
