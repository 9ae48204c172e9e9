// Flags of `gatehouse standalone`, validated: each bad value is a one-line UsageError naming
// its flag (main() prints it and exits 2).
import { UsageError } from "../errors.js";

export interface StandaloneOptions {
  /** Config file (controllerName + manifests), a manifest file, or a directory of manifests. */
  config: string;
  /** Added to every listener port, so port 80 can be served unprivileged as 8080. */
  portOffset: number;
  /** Proxy worker threads; undefined: the provider's default (one per CPU). */
  workers: number | undefined;
  /** CIDRs Gateways without spec.addresses get their address from; undefined: the provider's default. */
  addressPool: string[] | undefined;
  /** Quiet time after the last file change before re-reading. */
  debounceMs: number;
  logLevel: string;
}

export interface RawStandaloneFlags {
  config?: string;
  portOffset?: string;
  workers?: string;
  /** Repeatable, each may be comma-separated. */
  addressPool?: string[];
}

export function parseStandaloneOptions(raw: RawStandaloneFlags, logLevel: string): StandaloneOptions {
  if (!raw.config) throw new UsageError("standalone: -c, --config <file-or-dir> is required (see examples/standalone.yaml)");
  if (raw.config.trim() === "") throw new UsageError("--config: \"\" is empty");
  const portOffset = raw.portOffset === undefined ? 0 : integer("--port-offset", raw.portOffset, 0, 65535);
  const workers = raw.workers === undefined ? undefined : integer("--workers", raw.workers, 1, 256);
  const pool = raw.addressPool?.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
  if (pool && pool.length === 0) throw new UsageError("--address-pool: names no CIDR");
  const addressPool = pool?.map((v) => cidr("--address-pool", v));
  return { config: raw.config, portOffset, workers, addressPool, debounceMs: 100, logLevel };
}

function integer(flag: string, v: string, min: number, max: number): number {
  const n = /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag}: ${JSON.stringify(v)} is not a whole number from ${min} to ${max}`);
  }
  return n;
}

/** An IPv4 CIDR (`127.1.0.0/16`); a bare address means that one address (/32). */
export function cidr(flag: string, v: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(v.trim());
  const octets = m ? [m[1], m[2], m[3], m[4]].map(Number) : [];
  const bits = m?.[5] === undefined ? 32 : Number(m[5]);
  if (!m || octets.some((o) => o > 255) || bits > 32 || bits < 8) {
    throw new UsageError(`${flag}: ${JSON.stringify(v)} is not an IPv4 CIDR like 127.1.0.0/16 (prefix length 8 to 32)`);
  }
  return `${octets.join(".")}/${bits}`;
}
