// Backends of an L4 route: weighted choice between backends, round robin over each backend's
// ready endpoints, and passive health (an endpoint that failed a connect is skipped for a while).
import type { IRBackend, IRL4Route } from "@gatehouse/ir";
import { WeightedPicker } from "./weighted-picker.js";

export interface L4Endpoint {
  host: string;
  port: number;
  /** `host:port`, the ejection key (precomputed: no string building per connection). */
  key: string;
  /** The backend it belongs to (connect errors are counted on its metric series). */
  owner?: L4Backend;
}

export interface L4Backend {
  id: string;
  source: string;
  /** Set for an invalid reference: connections that pick this backend are refused. */
  invalid?: string;
  endpoints: L4Endpoint[];
  /** Round-robin cursor over endpoints. */
  next: number;
  /** Metric series id in this worker (-1: not looked up yet; ../telemetry). */
  series: number;
}

export interface L4Route {
  source: string;
  route: string;
  backends: WeightedPicker<L4Backend>;
  /** Telemetry labels: the listener it serves, `ns/name`, the rule's name or index. */
  listener: string;
  name: string;
  rule: string;
}

export function compileRoute(r: IRL4Route, listener = ""): L4Route {
  const entries = (Array.isArray(r.backends) ? r.backends : []).map((b) => ({ item: compileBackend(b), weight: b.weight }));
  const parts = String(r.source).split("/");
  const name = typeof r.route === "string" && r.route.includes("/") ? r.route.split("/").slice(1).join("/") : `${parts[1] ?? ""}/${parts[2] ?? ""}`;
  return { source: r.source, route: r.route, backends: new WeightedPicker(entries), listener, name, rule: parts[4] ?? "" };
}

function compileBackend(b: IRBackend): L4Backend {
  const endpoints: L4Endpoint[] = [];
  for (const e of Array.isArray(b.endpoints) ? b.endpoints : []) {
    if (!e || e.ready !== true || typeof e.address !== "string" || !Number.isInteger(e.port)) continue;
    if (e.port <= 0 || e.port > 65535) continue;
    endpoints.push({ host: e.address, port: e.port, key: `${e.address}:${e.port}` });
  }
  const out: L4Backend = { id: b.id, source: b.source, endpoints, next: 0, series: -1 };
  for (const e of endpoints) e.owner = out;
  if (b.invalid) out.invalid = `${b.invalid.reason}: ${b.invalid.message}`;
  return out;
}

/** Endpoints that failed recently, by `host:port`; kept across config updates. */
export class Ejections {
  private readonly until = new Map<string, number>();

  eject(key: string, ms: number): void {
    if (ms > 0) this.until.set(key, Date.now() + ms);
  }

  /** A successful connect ends an ejection early. */
  clear(key: string): void {
    if (this.until.size > 0) this.until.delete(key);
  }

  isEjected(key: string, now: number): boolean {
    const t = this.until.get(key);
    if (t === undefined) return false;
    if (t > now) return true;
    this.until.delete(key);
    return false;
  }
}

/**
 * The endpoints to try for one connection, in order: round robin from the backend's cursor,
 * healthy ones first, then ejected ones (better a likely failure than no attempt at all).
 */
export function endpointOrder(b: L4Backend, ejections: Ejections): L4Endpoint[] {
  const eps = b.endpoints;
  const n = eps.length;
  if (n === 0) return eps;
  const start = b.next % n;
  b.next = (start + 1) % n;
  if (n === 1) return eps;
  const now = Date.now();
  const healthy: L4Endpoint[] = [];
  let ejected: L4Endpoint[] | undefined;
  for (let i = 0; i < n; i++) {
    const e = eps[(start + i) % n]!;
    if (ejections.isEjected(e.key, now)) (ejected ??= []).push(e);
    else healthy.push(e);
  }
  return ejected ? healthy.concat(ejected) : healthy;
}
