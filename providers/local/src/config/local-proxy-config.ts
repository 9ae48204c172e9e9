// LocalProxyConfig (gatehouse.dev/v1alpha1, namespaced): the GatewayClass parameters of the
// local backend. A pure parser: spec (untrusted JSON) → settings overrides, Service shape and
// address pool, plus one error per bad field naming its path. Fields are documented in
// providers/local/README.md (the CRD schema is written from it).
import { parseCIDR } from "../addresses/ipv4.js";
import type { ServiceType } from "../addresses/types.js";
import type { ProxySettings } from "../runtime/types.js";
import { parseBytes } from "./bytes.js";
import { parseDuration } from "./duration.js";
import { defaultTelemetry, type TelemetrySettings } from "../telemetry/settings.js";

export const LOCAL_PROXY_CONFIG = { group: "gatehouse.dev", version: "v1alpha1", kind: "LocalProxyConfig" } as const;

export const SERVICE_TYPES: readonly ServiceType[] = ["LoadBalancer", "NodePort", "ClusterIP"];

export interface LocalProxyConfig {
  /** Only the fields the spec sets; the rest keep the provider's defaults. */
  settings: Partial<ProxySettings>;
  service: { type: ServiceType; labels: Record<string, string>; annotations: Record<string, string> };
  /** CIDRs to take Gateway addresses from outside a cluster; [] = the provider's pool. */
  addresses: { pool: string[] };
  /** Access log and tracing (spec.accessLog, spec.tracing), defaults filled in. */
  telemetry: TelemetrySettings;
}

export interface ParsedLocalProxyConfig {
  config: LocalProxyConfig;
  /** `spec.timeouts.idle: "10x" is not a duration`; empty when the spec is valid. */
  errors: string[];
}

/** setTimeout's limit (2^31-1 ms): longer timers fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (v === undefined ? "undefined" : JSON.stringify(v) ?? String(v));

class Reader {
  readonly errors: string[] = [];

  /** The object at `path`, or undefined (absent, or an error when not an object). Unknown keys are errors. */
  section(parent: Obj, key: string, path: string, known: readonly string[]): Obj | undefined {
    const v = parent[key];
    if (v === undefined || v === null) return undefined;
    if (!isObj(v)) {
      this.errors.push(`${path}: must be an object`);
      return undefined;
    }
    this.unknown(v, path, known);
    return v;
  }

  unknown(o: Obj, path: string, known: readonly string[]): void {
    for (const k of Object.keys(o).sort()) {
      if (!known.includes(k)) this.errors.push(`${path}.${k}: unknown field (known: ${known.join(", ")})`);
    }
  }

  duration(o: Obj, key: string, path: string, min: number): number | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    const p = `${path}.${key}`;
    if (typeof v !== "string") return void this.errors.push(`${p}: ${show(v)} is not a duration (a string such as "10s", "1m", "500ms", "1h30m")`);
    const ms = parseDuration(v);
    if (ms === undefined) return void this.errors.push(`${p}: ${show(v)} is not a duration`);
    if (ms < min) return void this.errors.push(`${p}: ${show(v)} must be greater than 0s`);
    if (ms > MAX_TIMER_MS) return void this.errors.push(`${p}: ${show(v)} is too long (at most 596h)`);
    return ms;
  }

  bytes(o: Obj, key: string, path: string, min: number, max: number): number | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    const p = `${path}.${key}`;
    const n = parseBytes(v);
    if (n === undefined) return void this.errors.push(`${p}: ${show(v)} is not a byte size (an integer or a quantity such as "16Ki", "1Mi")`);
    if (n < min || n > max) return void this.errors.push(`${p}: ${show(v)} is not between ${min} and ${max}`);
    return n;
  }

  integer(o: Obj, key: string, path: string, min: number, max: number): number | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    const p = `${path}.${key}`;
    if (typeof v !== "number" || !Number.isInteger(v)) return void this.errors.push(`${p}: ${show(v)} is not an integer`);
    if (v < min || v > max) return void this.errors.push(`${p}: ${v} is not between ${min} and ${max}`);
    return v;
  }

  boolean(o: Obj, key: string, path: string): boolean | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "boolean") return void this.errors.push(`${path}.${key}: ${show(v)} is not true or false`);
    return v;
  }

  ratio(o: Obj, key: string, path: string): number | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    const p = `${path}.${key}`;
    if (typeof v !== "number" || !Number.isFinite(v)) return void this.errors.push(`${p}: ${show(v)} is not a number`);
    if (v < 0 || v > 1) return void this.errors.push(`${p}: ${v} is not between 0 and 1`);
    return v;
  }

  string(o: Obj, key: string, path: string): string | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string" || v === "") return void this.errors.push(`${path}.${key}: ${show(v)} is not a non-empty string`);
    return v;
  }

  stringMap(o: Obj, key: string, path: string, check: (k: string, v: string) => string | undefined): Record<string, string> {
    const v = o[key];
    const out: Record<string, string> = {};
    if (v === undefined || v === null) return out;
    const p = `${path}.${key}`;
    if (!isObj(v)) {
      this.errors.push(`${p}: must be a map of strings`);
      return out;
    }
    for (const k of Object.keys(v).sort()) {
      const val = v[k];
      if (typeof val !== "string") {
        this.errors.push(`${p}.${k}: ${show(val)} is not a string`);
        continue;
      }
      const bad = check(k, val);
      if (bad) this.errors.push(`${p}.${k}: ${bad}`);
      else out[k] = val;
    }
    return out;
  }
}

// Kubernetes label/annotation key: optional DNS-subdomain prefix + "/" + name (63 chars).
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkKey(k: string): string | undefined {
  const slash = k.lastIndexOf("/");
  const prefix = slash >= 0 ? k.slice(0, slash) : undefined;
  const name = slash >= 0 ? k.slice(slash + 1) : k;
  if (prefix !== undefined && (prefix.length > 253 || !SUBDOMAIN.test(prefix))) return "the key's prefix is not a DNS subdomain";
  if (!NAME.test(name)) return "the key is not a valid label/annotation name (alphanumerics, '-', '_', '.', at most 63 characters)";
  return undefined;
}

const checkLabel = (k: string, v: string): string | undefined =>
  checkKey(k) ?? (v === "" || NAME.test(v) ? undefined : `${show(v)} is not a valid label value (alphanumerics, '-', '_', '.', at most 63 characters)`);
const checkAnnotation = (k: string): string | undefined => checkKey(k);

const SPEC_FIELDS = ["limits", "timeouts", "upstream", "service", "addresses", "accessLog", "tracing"] as const;

/** Characters allowed in a service.name (printable ASCII, no quotes or backslashes: it is written into JSON as is). */
const SERVICE_NAME = /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/;

function checkLogPath(v: string): string | undefined {
  if (v === "stdout" || v === "stderr") return undefined;
  if (!v.startsWith("/")) return `${show(v)} is not stdout, stderr or an absolute file path`;
  if (v.includes("\0") || v.endsWith("/")) return `${show(v)} is not a file path`;
  return undefined;
}

function checkEndpoint(v: string): string | undefined {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return `${show(v)} is not a URL`;
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return `${show(v)} is not an http or https URL`;
  if (u.username !== "" || u.password !== "") return `${show(v)} must not carry credentials`;
  return undefined;
}

export function defaultLocalProxyConfig(): LocalProxyConfig {
  return { settings: {}, service: { type: "LoadBalancer", labels: {}, annotations: {} }, addresses: { pool: [] }, telemetry: defaultTelemetry() };
}

/** Parses a LocalProxyConfig spec. Never throws; invalid fields are reported and left out. */
export function parseLocalProxyConfig(spec: unknown): ParsedLocalProxyConfig {
  const config = defaultLocalProxyConfig();
  const r = new Reader();
  if (spec === undefined || spec === null) return { config, errors: [] };
  if (!isObj(spec)) return { config, errors: ["spec: must be an object"] };
  r.unknown(spec, "spec", SPEC_FIELDS);
  const s: Partial<ProxySettings> = {};
  const set = <K extends keyof ProxySettings>(k: K, v: number | undefined) => { if (v !== undefined) s[k] = v; };

  const limits = r.section(spec, "limits", "spec.limits", ["maxRequestHeaderBytes", "maxRequestBodyBytes"]);
  if (limits) {
    set("maxRequestHeaderBytes", r.bytes(limits, "maxRequestHeaderBytes", "spec.limits", 1024, 1024 * 1024));
    set("maxRequestBodyBytes", r.bytes(limits, "maxRequestBodyBytes", "spec.limits", 0, Number.MAX_SAFE_INTEGER));
  }

  const timeouts = r.section(spec, "timeouts", "spec.timeouts",
    ["requestHeaders", "idle", "upstreamConnect", "upstreamIdle", "drain", "streamIdle", "udpIdle"]);
  if (timeouts) {
    const p = "spec.timeouts";
    set("requestHeadersTimeoutMs", r.duration(timeouts, "requestHeaders", p, 1));
    set("idleTimeoutMs", r.duration(timeouts, "idle", p, 1));
    set("upstreamConnectTimeoutMs", r.duration(timeouts, "upstreamConnect", p, 1));
    set("upstreamIdleTimeoutMs", r.duration(timeouts, "upstreamIdle", p, 1));
    set("drainTimeoutMs", r.duration(timeouts, "drain", p, 0));
    set("streamIdleTimeoutMs", r.duration(timeouts, "streamIdle", p, 1));
    set("udpIdleTimeoutMs", r.duration(timeouts, "udpIdle", p, 1));
  }

  const upstream = r.section(spec, "upstream", "spec.upstream", ["maxConnectionsPerEndpoint", "ejection"]);
  if (upstream) {
    set("maxConnectionsPerEndpoint", r.integer(upstream, "maxConnectionsPerEndpoint", "spec.upstream", 1, 1_000_000));
    set("ejectionMs", r.duration(upstream, "ejection", "spec.upstream", 0));
  }

  const service = r.section(spec, "service", "spec.service", ["type", "labels", "annotations"]);
  if (service) {
    const t = service.type;
    if (t !== undefined && t !== null) {
      if (typeof t === "string" && (SERVICE_TYPES as readonly string[]).includes(t)) config.service.type = t as ServiceType;
      else r.errors.push(`spec.service.type: ${show(t)} is not one of ${SERVICE_TYPES.join(", ")}`);
    }
    config.service.labels = r.stringMap(service, "labels", "spec.service", checkLabel);
    config.service.annotations = r.stringMap(service, "annotations", "spec.service", checkAnnotation);
  }

  const addresses = r.section(spec, "addresses", "spec.addresses", ["pool"]);
  if (addresses && addresses.pool !== undefined && addresses.pool !== null) {
    const pool = addresses.pool;
    if (!Array.isArray(pool)) r.errors.push("spec.addresses.pool: must be a list of CIDRs");
    else if (pool.length === 0) r.errors.push("spec.addresses.pool: must not be empty (leave it out for the default pool)");
    else {
      pool.forEach((c, i) => {
        const range = parseCIDR(c);
        if (typeof range === "string") r.errors.push(`spec.addresses.pool[${i}]: ${range}`);
        else config.addresses.pool.push(range.cidr);
      });
    }
  }

  const log = r.section(spec, "accessLog", "spec.accessLog", ["enabled", "sampleRatio", "path"]);
  if (log) {
    const p = "spec.accessLog";
    const a = config.telemetry.accessLog;
    a.enabled = r.boolean(log, "enabled", p) ?? a.enabled;
    a.sampleRatio = r.ratio(log, "sampleRatio", p) ?? a.sampleRatio;
    const path = r.string(log, "path", p);
    if (path !== undefined) {
      const bad = checkLogPath(path);
      if (bad) r.errors.push(`${p}.path: ${bad}`);
      else a.path = path;
    }
  }

  const tracing = r.section(spec, "tracing", "spec.tracing", ["enabled", "sampleRatio", "otlpEndpoint", "serviceName"]);
  if (tracing) {
    const p = "spec.tracing";
    const t = config.telemetry.tracing;
    t.enabled = r.boolean(tracing, "enabled", p) ?? t.enabled;
    t.sampleRatio = r.ratio(tracing, "sampleRatio", p) ?? t.sampleRatio;
    const endpoint = r.string(tracing, "otlpEndpoint", p);
    if (endpoint !== undefined) {
      const bad = checkEndpoint(endpoint);
      if (bad) r.errors.push(`${p}.otlpEndpoint: ${bad}`);
      else t.otlpEndpoint = endpoint;
    }
    const name = r.string(tracing, "serviceName", p);
    if (name !== undefined) {
      if (!SERVICE_NAME.test(name)) r.errors.push(`${p}.serviceName: ${show(name)} must be 1–128 printable ASCII characters without quotes or backslashes`);
      else t.serviceName = name;
    }
  }

  config.settings = s;
  return { config, errors: r.errors };
}
