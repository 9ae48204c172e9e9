// What the desired state means for the sockets: each Gateway's settings (its class's
// LocalProxyConfig), its address(es) and the BoundPorts every worker binds. Pure apart from
// the address allocator's memory (skipped with dryRun, so plan() changes nothing).
import type { IRGateway, IRListener, IRPort } from "@gatehouse/ir";
import { allocateInternalPorts, type PortRange } from "../addresses/internal-ports.js";
import type { AddressAllocator, AddressRequest } from "../addresses/loopback.js";
import { AddressPool } from "../addresses/pool.js";
import type { ExposedPort, GatewayExposure } from "../addresses/types.js";
import { LOCAL_PROXY_CONFIG, defaultLocalProxyConfig, parseLocalProxyConfig, type LocalProxyConfig } from "../config/local-proxy-config.js";
import { resolveSettings, sameSettings } from "./settings.js";
import { DEFAULT_TELEMETRY, sameTelemetry, type TelemetrySettings } from "../telemetry/settings.js";
import type { BoundPort, ProxySettings } from "./types.js";

/** A Gateway's LocalProxyConfig, resolved: what the last valid one was stays in use while a new one is invalid. */
export interface GatewayConfig {
  config: LocalProxyConfig;
  settings: ProxySettings;
}

export interface GatewayLayout {
  gateway: IRGateway;
  /** Invalid LocalProxyConfig (message names the object and field). */
  invalid?: string;
  /** The settings its ports use (the last valid ones when `invalid`); absent: not served. */
  config?: GatewayConfig;
  /** Why no address could be given (AddressNotUsable). */
  addressError?: string;
  /** Bound addresses (outside a cluster). */
  addresses: string[];
  ports: BoundPort[];
  /** Ports that cannot be bound at all, by `<host>:<listener port>`: offset out of range, taken by another Gateway, no internal port. */
  portErrors: { listenerPort: number; message: string }[];
  /** In a cluster: what the operator's Service must expose. */
  exposure?: GatewayExposure;
}

export interface LayoutInput {
  gateways: readonly IRGateway[];
  base: ProxySettings;
  /** Last valid config per Gateway key (read only here). */
  lastGood: ReadonlyMap<string, GatewayConfig>;
  mode: { kind: "loopback"; allocator: AddressAllocator; portOffset: number } | { kind: "cluster"; portRange: PortRange };
  dryRun: boolean;
}

const CLUSTER_HOST = "0.0.0.0";

export function portId(host: string, port: number, protocol: IRPort["protocol"]): string {
  const h = host.includes(":") ? `[${host}]` : host;
  return `${h}:${port}/${protocol === "UDP" ? "udp" : "tcp"}`;
}

/** A Gateway's class parameters → its config, or why they are invalid. */
export function gatewayConfig(g: IRGateway, base: ProxySettings): GatewayConfig | { invalid: string } {
  const p = g.parameters;
  if (!p) return { config: defaultLocalProxyConfig(), settings: { ...base } };
  const what = `${p.kind} ${p.namespace ? `${p.namespace}/` : ""}${p.name}`;
  if (p.group !== LOCAL_PROXY_CONFIG.group || p.kind !== LOCAL_PROXY_CONFIG.kind) {
    return { invalid: `parametersRef ${p.group}/${what}: the local proxy takes a ${LOCAL_PROXY_CONFIG.group} ${LOCAL_PROXY_CONFIG.kind}` };
  }
  const { config, errors } = parseLocalProxyConfig(p.spec);
  if (errors.length > 0) return { invalid: `${what}: ${errors.join("; ")}` };
  return { config, settings: resolveSettings(config.settings, base) };
}

/** One socket's worth of an IRPort: its protocol and listeners (in IRPort order). */
interface Socket { port: number; protocol: IRPort["protocol"]; listeners: IRListener[] }

/**
 * The sockets of a Gateway's ports. An IRPort normally is one socket, but TCP/TLS/HTTP(S)
 * and UDP listeners on one port number are two sockets (a TCP one and a UDP one), which the
 * IR reports as one port: split them here.
 */
export function socketsOf(g: IRGateway): Socket[] {
  const byName = new Map(g.listeners.map((l) => [l.name, l]));
  const out: Socket[] = [];
  for (const p of g.ports) {
    const listeners = p.listeners.flatMap((n) => {
      const l = byName.get(n);
      return l ? [l] : [];
    });
    const udp = listeners.filter((l) => l.protocol === "UDP");
    const stream = listeners.filter((l) => l.protocol !== "UDP");
    if (udp.length === 0 || stream.length === 0) {
      out.push({ port: p.port, protocol: p.protocol, listeners });
      continue;
    }
    const kinds = new Set(stream.map((l) => l.protocol));
    const protocol = kinds.size === 1 ? stream[0]!.protocol : kinds.has("TLS") ? "TLS" : stream[0]!.protocol;
    out.push({ port: p.port, protocol, listeners: stream }, { port: p.port, protocol: "UDP", listeners: udp });
  }
  return out;
}

function boundPort(g: IRGateway, p: Socket, host: string, port: number, c: GatewayConfig, base: ProxySettings): BoundPort {
  const b: BoundPort = {
    id: portId(host, port, p.protocol), gateway: g.key, host, port, listenerPort: p.port, protocol: p.protocol, listeners: p.listeners,
  };
  if (!sameSettings(c.settings, base)) b.settings = c.settings;
  const t: TelemetrySettings | undefined = c.config.telemetry;
  if (t !== undefined && !sameTelemetry(t, DEFAULT_TELEMETRY)) b.telemetry = t;
  return b;
}

function exposedPorts(g: IRGateway, internal: ReadonlyMap<number, number | string>): ExposedPort[] {
  const out: ExposedPort[] = [];
  for (const p of socketsOf(g)) {
    const target = internal.get(p.port);
    if (typeof target !== "number") continue;
    const protocol = p.protocol === "UDP" ? "UDP" : "TCP";
    if (!out.some((e) => e.port === p.port && e.protocol === protocol)) out.push({ port: p.port, protocol, targetPort: target });
  }
  return out.sort((a, b) => a.port - b.port || (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0));
}

/** Every Gateway's layout, in key order. */
export function layoutGateways(input: LayoutInput): GatewayLayout[] {
  const gateways = [...input.gateways].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const layouts: GatewayLayout[] = gateways.map((g) => {
    const c = gatewayConfig(g, input.base);
    if ("invalid" in c) {
      const last = input.lastGood.get(g.key);
      return { gateway: g, invalid: c.invalid, ...(last ? { config: last } : {}), addresses: [], ports: [], portErrors: [] };
    }
    return { gateway: g, config: c, addresses: [], ports: [], portErrors: [] };
  });
  const served = layouts.filter((l): l is GatewayLayout & { config: GatewayConfig } => l.config !== undefined);

  if (input.mode.kind === "cluster") {
    const internal = allocateInternalPorts(served.map((l) => ({ key: l.gateway.key, ports: l.gateway.ports.map((p) => p.port) })), input.mode.portRange);
    for (const l of served) {
      const g = l.gateway;
      const ports = internal.get(g.key) ?? new Map<number, number | string>();
      for (const p of socketsOf(g)) {
        const target = ports.get(p.port);
        if (typeof target === "number") l.ports.push(boundPort(g, p, CLUSTER_HOST, target, l.config, input.base));
        else l.portErrors.push({ listenerPort: p.port, message: `port ${p.port}: ${target ?? "no internal port"}` });
      }
      l.exposure = {
        gateway: g.key, namespace: g.namespace, name: g.name, ports: exposedPorts(g, ports),
        serviceType: l.config.config.service.type,
        // The Gateway's own infrastructure labels/annotations win over the class-wide ones.
        labels: { ...l.config.config.service.labels, ...g.infrastructure?.labels },
        annotations: { ...l.config.config.service.annotations, ...g.infrastructure?.annotations },
      };
    }
    return layouts;
  }

  const { allocator, portOffset } = input.mode;
  const requests: AddressRequest[] = served.map((l) => {
    const pool = l.config.config.addresses.pool;
    const r: AddressRequest = { key: l.gateway.key, requested: l.gateway.addresses };
    if (pool.length > 0) r.pool = AddressPool.of(pool);
    return r;
  });
  const assigned = allocator.allocate(requests, { dryRun: input.dryRun });
  // Two Gateways asking for the same address and port: the first in key order binds it.
  const owner = new Map<string, string>();
  for (const l of served) {
    const a = assigned.get(l.gateway.key);
    if (!a) continue;
    if ("error" in a) {
      l.addressError = a.error;
      continue;
    }
    l.addresses = a.addresses;
    for (const host of a.addresses) {
      for (const p of socketsOf(l.gateway)) {
        const port = p.port + portOffset;
        if (port < 1 || port > 65535) {
          l.portErrors.push({ listenerPort: p.port, message: `${host}:${port}: port ${p.port} + offset ${portOffset} is out of range` });
          continue;
        }
        const b = boundPort(l.gateway, p, host, port, l.config, input.base);
        // Clients reach a loopback Gateway on the shifted port: redirects and X-Forwarded-Port say so.
        b.listenerPort = port;
        const other = owner.get(b.id);
        if (other !== undefined) {
          l.portErrors.push({ listenerPort: p.port, message: `${b.id} is already used by Gateway ${other}` });
          continue;
        }
        owner.set(b.id, l.gateway.key);
        l.ports.push(b);
      }
    }
  }
  return layouts;
}
