// Per-worker registry of upstream endpoints and their connection pools, shared by every
// port in the worker: keyed by protocol + address:port + TLS identity (+ pool settings).
// Reference-counted by the port configurations that use them; the last release closes the pool.
import type { EndpointNode, IRBackend } from "@gatehouse/ir";
import type { ProxySettings } from "../../runtime/types.js";
import { backendTlsKey, backendTlsOptions } from "./backend-tls.js";
import { H1Transport } from "./h1-transport.js";
import { H2Transport } from "./h2-transport.js";
import type { Transport } from "./types.js";

/** `h2tls`: HTTP/2 over TLS (ALPN h2), for gRPC to a backend with a BackendTLSPolicy. */
export type WireProtocol = "http" | "h2c" | "https" | "h2tls";

/**
 * How requests reach a backend's endpoints: ws backends speak HTTP/1.1 outside upgrades;
 * gRPC needs HTTP/2, so a GRPCRoute backend made `https` by a BackendTLSPolicy speaks h2 over TLS.
 */
export function wireProtocol(backend: IRBackend, grpc: boolean): WireProtocol {
  switch (backend.protocol) {
    case "h2c": return "h2c";
    case "https": return grpc ? "h2tls" : "https";
    default: return "http";
  }
}

export class Endpoint {
  refs = 0;
  /** Passive health: skipped until this time (ms since epoch) after a connect failure. */
  ejectedUntil = 0;
  /** The fast path's raw HTTP/1.1 pool (../fast/upstream-pool.ts), created there on first use; closed with the endpoint. */
  rawPool: { close(): void } | null = null;
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
    if (this.protocol === "h2c" || this.protocol === "h2tls") {
      const tls = this.protocol === "h2tls";
      return new H2Transport({
        origin: `${tls ? "https" : "http"}://${host}:${this.port}`,
        ...(tls ? { tls: { ...backendTlsOptions(this.backend), ALPNProtocols: ["h2"] } } : {}),
        connectTimeoutMs: s.upstreamConnectTimeoutMs,
        idleTimeoutMs: s.upstreamIdleTimeoutMs,
      });
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
    this.rawPool?.close();
    this.rawPool = null;
  }
}

const registry = new Map<string, Endpoint>();

export function endpointKey(proto: WireProtocol, backend: IRBackend, ep: EndpointNode, settings: ProxySettings): string {
  const tls = proto === "https" || proto === "h2tls" ? backendTlsKey(backend) : "";
  return `${proto}|${ep.address}|${ep.port}|${tls}|${settings.upstreamConnectTimeoutMs}|${settings.upstreamIdleTimeoutMs}|${settings.maxConnectionsPerEndpoint}`;
}

export function acquireEndpoint(backend: IRBackend, grpc: boolean, ep: EndpointNode, settings: ProxySettings): Endpoint {
  const proto = wireProtocol(backend, grpc);
  const key = endpointKey(proto, backend, ep, settings);
  let e = registry.get(key);
  if (!e) {
    const label = ep.address.includes(":") ? `[${ep.address}]:${ep.port}` : `${ep.address}:${ep.port}`;
    e = new Endpoint(key, proto, ep.address, ep.port, label, backend, settings);
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
