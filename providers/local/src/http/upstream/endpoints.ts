// Per-worker registry of upstream endpoints and their connection pools, shared by every
// port in the worker: keyed by protocol + address:port + TLS identity (+ pool settings).
// Reference-counted by the port configurations that use them; the last release closes the pool.
import type { EndpointNode, IRBackend } from "@gatehouse/ir";
import type { ProxySettings } from "../../runtime/types.js";
import { backendTlsKey, backendTlsOptions } from "./backend-tls.js";
import { H1Transport } from "./h1-transport.js";
import { H2Transport } from "./h2-transport.js";
import type { Transport } from "./types.js";

export type WireProtocol = "http" | "h2c" | "https";

/** How requests reach a backend's endpoints: ws backends speak HTTP/1.1 outside upgrades. */
export function wireProtocol(backend: IRBackend): WireProtocol {
  return backend.protocol === "h2c" ? "h2c" : backend.protocol === "https" ? "https" : "http";
}

export class Endpoint {
  refs = 0;
  /** Passive health: skipped until this time (ms since epoch) after a connect failure. */
  ejectedUntil = 0;
  private transportInstance: Transport | null = null;

  constructor(
    readonly key: string,
    readonly protocol: WireProtocol,
    readonly address: string,
    readonly port: number,
    /** `address:port` for logs and error texts. */
    readonly label: string,
    private readonly backend: IRBackend,
    private readonly settings: ProxySettings,
  ) {}

  /** The pool, created on first use. */
  get transport(): Transport {
    return this.transportInstance ??= this.createTransport();
  }

  /** The backend this endpoint was first acquired for (TLS settings for upgrades). */
  get tlsBackend(): IRBackend { return this.backend; }

  private createTransport(): Transport {
    const s = this.settings;
    const host = this.address.includes(":") ? `[${this.address}]` : this.address;
    if (this.protocol === "h2c") {
      return new H2Transport({ origin: `http://${host}:${this.port}`, connectTimeoutMs: s.upstreamConnectTimeoutMs, idleTimeoutMs: s.upstreamIdleTimeoutMs });
    }
    return new H1Transport({
      origin: `${this.protocol === "https" ? "https" : "http"}://${host}:${this.port}`,
      ...(this.protocol === "https" ? { tls: backendTlsOptions(this.backend) } : {}),
      connectTimeoutMs: s.upstreamConnectTimeoutMs,
      idleTimeoutMs: s.upstreamIdleTimeoutMs,
      maxConnections: s.maxConnectionsPerEndpoint,
    });
  }

  close(): void {
    this.transportInstance?.close();
    this.transportInstance = null;
  }
}

const registry = new Map<string, Endpoint>();

export function endpointKey(backend: IRBackend, ep: EndpointNode, settings: ProxySettings): string {
  const proto = wireProtocol(backend);
  const tls = proto === "https" ? backendTlsKey(backend) : "";
  return `${proto}|${ep.address}|${ep.port}|${tls}|${settings.upstreamConnectTimeoutMs}|${settings.upstreamIdleTimeoutMs}|${settings.maxConnectionsPerEndpoint}`;
}

export function acquireEndpoint(backend: IRBackend, ep: EndpointNode, settings: ProxySettings): Endpoint {
  const key = endpointKey(backend, ep, settings);
  let e = registry.get(key);
  if (!e) {
    const label = ep.address.includes(":") ? `[${ep.address}]:${ep.port}` : `${ep.address}:${ep.port}`;
    e = new Endpoint(key, wireProtocol(backend), ep.address, ep.port, label, backend, settings);
    registry.set(key, e);
  }
  e.refs++;
  return e;
}

export function releaseEndpoint(e: Endpoint): void {
  if (--e.refs > 0) return;
  if (registry.get(e.key) === e) registry.delete(e.key);
  e.close();
}

/** For tests: how many endpoints the worker holds. */
export function endpointCount(): number {
  return registry.size;
}
