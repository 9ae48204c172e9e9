// Data-plane defaults; a LocalProxyConfig (see ../config) overrides any of them per Gateway class.
import type { ProxySettings } from "./types.js";

export const DEFAULT_PROXY_SETTINGS: Readonly<ProxySettings> = Object.freeze({
  maxRequestHeaderBytes: 16 * 1024,
  maxRequestBodyBytes: 0,
  requestHeadersTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
  upstreamConnectTimeoutMs: 5_000,
  upstreamIdleTimeoutMs: 30_000,
  maxConnectionsPerEndpoint: 1024,
  ejectionMs: 5_000,
  drainTimeoutMs: 30_000,
  streamIdleTimeoutMs: 3_600_000,
  udpIdleTimeoutMs: 60_000,
});

/** Defaults with the given overrides applied (undefined fields keep the default). */
export function resolveSettings(overrides: Partial<ProxySettings> = {}, base: Readonly<ProxySettings> = DEFAULT_PROXY_SETTINGS): ProxySettings {
  const out: ProxySettings = { ...base };
  for (const k of Object.keys(overrides) as (keyof ProxySettings)[]) {
    const v = overrides[k];
    if (typeof v === "number") out[k] = v;
  }
  return out;
}

export function sameSettings(a: Readonly<ProxySettings>, b: Readonly<ProxySettings>): boolean {
  for (const k of Object.keys(a) as (keyof ProxySettings)[]) if (a[k] !== b[k]) return false;
  return true;
}
