// The routing table of one L4 port, compiled from its BoundPort. A new config builds a new
// table and swaps the reference: a connection keeps the table (and the route) it started with.
import type { IRL4Route, IRListener } from "@gatehouse/ir";
import type { BoundPort } from "../runtime/types.js";
import { compileRoute, type L4Route } from "./backends.js";
import { normalizeHostname } from "./client-hello.js";
import { hostnameMatches } from "./hostname-match.js";
import type { ListenerCert, SecureContextCache } from "./tls-contexts.js";

/** TLSRoutes of a listener, indexed by SNI hostname. */
interface SniRoutes {
  exact: Map<string, L4Route>;
  /** `*.suffix` hostnames, longest suffix first (then route order). */
  wildcards: { suffix: string; route: L4Route }[];
  /** First route with no hostnames (any SNI, or none). */
  any: L4Route | undefined;
}

export interface L4Listener {
  name: string;
  source: string;
  /** Lower case; undefined = any hostname (and connections without SNI). */
  hostname: string | undefined;
  terminate: boolean;
  certs: ListenerCert[];
  sni: SniRoutes;
  /** TCPRoute / UDPRoute: the first route is the one that serves (IR order). */
  stream: L4Route | undefined;
}

export interface L4Table {
  port: BoundPort;
  listeners: L4Listener[];
}

export function buildTable(port: BoundPort, kind: "tls" | "tcp" | "udp", certs?: SecureContextCache): L4Table {
  const listeners: L4Listener[] = [];
  for (const l of Array.isArray(port.listeners) ? port.listeners : []) {
    if (!l) continue;
    listeners.push(compileListener(l, kind, certs));
  }
  certs?.sweep();
  return { port, listeners };
}

function compileListener(l: IRListener, kind: "tls" | "tcp" | "udp", cache: SecureContextCache | undefined): L4Listener {
  const hostname = typeof l.hostname === "string" && l.hostname !== "" && l.hostname !== "*"
    ? (l.hostname.startsWith("*.") ? `*.${normalizeHostname(l.hostname.slice(2)) ?? l.hostname.slice(2)}` : normalizeHostname(l.hostname) ?? l.hostname)
    : undefined;
  const terminate = kind === "tls" && l.tls?.mode === "Terminate";
  const certs: ListenerCert[] = [];
  if (terminate && cache) {
    for (const c of Array.isArray(l.tls?.certificates) ? l.tls.certificates : []) {
      const lc = cache.get(c);
      if (lc) certs.push(lc);
    }
  }
  const routes = kind === "tls" ? l.tls_routes : kind === "tcp" ? l.tcp : l.udp;
  const list: IRL4Route[] = Array.isArray(routes) ? routes.filter((r) => r && typeof r === "object") : [];
  const sni: SniRoutes = { exact: new Map(), wildcards: [], any: undefined };
  let stream: L4Route | undefined;
  if (kind === "tls") {
    for (const r of list) {
      const route = compileRoute(r, String(l.name));
      const hostnames = Array.isArray(r.hostnames) ? r.hostnames.filter((h) => typeof h === "string") : [];
      if (hostnames.length === 0) {
        sni.any ??= route;
        continue;
      }
      for (const h of hostnames) {
        if (h.startsWith("*.")) {
          const base = normalizeHostname(h.slice(2));
          if (base) sni.wildcards.push({ suffix: `.${base}`, route });
        } else {
          const name = normalizeHostname(h);
          if (name && !sni.exact.has(name)) sni.exact.set(name, route);
        }
      }
    }
    // Stable: equal lengths keep route order.
    sni.wildcards.sort((a, b) => b.suffix.length - a.suffix.length);
  } else if (list[0]) {
    stream = compileRoute(list[0], String(l.name));
  }
  return { name: l.name, source: l.source, hostname, terminate, certs, sni, stream };
}

/** The first listener (most specific first) whose hostname covers the SNI. */
export function selectListener(t: L4Table, sni: string | undefined): L4Listener | undefined {
  for (const l of t.listeners) {
    if (l.hostname === undefined) return l;
    if (sni !== undefined && hostnameMatches(l.hostname, sni)) return l;
  }
  return undefined;
}

/** The TLSRoute for an SNI: exact hostname, then the longest matching wildcard, then any. */
export function selectSniRoute(l: L4Listener, sni: string | undefined): L4Route | undefined {
  if (sni !== undefined) {
    const exact = l.sni.exact.get(sni);
    if (exact) return exact;
    for (const w of l.sni.wildcards) {
      if (sni.length > w.suffix.length && sni.endsWith(w.suffix)) return w.route;
    }
  }
  return l.sni.any;
}

/** TCP / UDP: the route of the first listener that has one. */
export function streamRoute(t: L4Table): L4Route | undefined {
  for (const l of t.listeners) if (l.stream) return l.stream;
  return undefined;
}
