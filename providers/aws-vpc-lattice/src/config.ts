// LatticeConfig (GatewayClass parametersRef, gatehouse.dev/v1alpha1): untrusted JSON →
// resolved settings, or the first bad field with its path (the Gateway's Programmed=False
// message names it). Defaults are documented in ../README.md.
import { checkAuthPolicy } from "./auth-policy.js";

export interface HealthCheckConfig {
  enabled?: boolean;
  path?: string;
  protocol?: "HTTP" | "HTTPS";
  protocolVersion?: "HTTP1" | "HTTP2";
  port?: number;
  healthCheckIntervalSeconds?: number;
  healthCheckTimeoutSeconds?: number;
  healthyThresholdCount?: number;
  unhealthyThresholdCount?: number;
  matcher?: { httpCode: string };
}

export interface LatticeConfigSpec {
  region?: string;
  vpcIdentifier?: string;
  accountId?: string;
  serviceNetwork: {
    name?: string;
    create: boolean;
    authType: "NONE" | "AWS_IAM";
    /** IAM policy document (validated; keys sorted), only with authType AWS_IAM. */
    authPolicy?: Record<string, unknown>;
  };
  securityGroupIds: string[];
  tags: Record<string, string>;
  adoptUntagged: boolean;
  healthCheck?: HealthCheckConfig;
}

export type ConfigResult = { ok: true; spec: LatticeConfigSpec } | { ok: false; field: string; message: string };

/** Without a LatticeConfig: a service network named after the Gateway, created by us. */
export function defaultConfig(): LatticeConfigSpec {
  return { serviceNetwork: { create: true, authType: "NONE" }, securityGroupIds: [], tags: {}, adoptUntagged: false };
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const VPC = /^vpc-(([0-9a-z]{8})|([0-9a-z]{17}))$/;
const SG = /^sg-(([0-9a-z]{8})|([0-9a-z]{17}))$/;
const ACCOUNT = /^\d{12}$/;
const SN_NAME = /^(?!-)(?!.*-$)(?!.*--)[a-z0-9-]{3,63}$/;
const HC_PATH = /^(\/[a-zA-Z0-9@:%_+.~#?&/=-]*){1,2048}$/;
const HTTP_CODE = /^[0-9-,]+$/;

class Bad extends Error {
  constructor(readonly field: string, message: string) { super(message); }
}

const show = (v: unknown) => (v === undefined ? "undefined" : JSON.stringify(v) ?? String(v));

function obj(v: unknown, field: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) throw new Bad(field, `must be an object, got ${show(v)}`);
  return v as Record<string, unknown>;
}

function str(v: unknown, field: string, pattern?: RegExp, what?: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new Bad(field, `must be a string, got ${show(v)}`);
  if (pattern && !pattern.test(v)) throw new Bad(field, `${show(v)} is not ${what ?? `a value matching ${pattern.source}`}`);
  return v;
}

function bool(v: unknown, field: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw new Bad(field, `must be true or false, got ${show(v)}`);
  return v;
}

function int(v: unknown, field: string, min: number, max: number): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw new Bad(field, `${show(v)} is not an integer from ${min} to ${max}`);
  return v;
}

function oneOf<T extends string>(v: unknown, field: string, values: readonly T[]): T | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string" || !values.includes(v as T)) throw new Bad(field, `${show(v)} is not one of ${values.join(", ")}`);
  return v as T;
}

function tags(v: unknown, field: string): Record<string, string> {
  const o = obj(v, field);
  if (!o) return {};
  const keys = Object.keys(o).sort();
  // 50 per resource in Lattice; 3 are ours.
  if (keys.length > 47) throw new Bad(field, `${keys.length} tags exceed the 47 that fit beside gatehouse's 3 ownership tags`);
  const out: Record<string, string> = {};
  for (const k of keys) {
    const f = `${field}.${k}`;
    if (k.length < 1 || k.length > 128) throw new Bad(f, "tag keys are 1 to 128 characters");
    if (k.toLowerCase().startsWith("aws:")) throw new Bad(f, "tag keys starting with aws: are reserved by AWS");
    if (k.startsWith("gatehouse.dev/")) throw new Bad(f, "tag keys starting with gatehouse.dev/ are gatehouse's ownership tags");
    const val = o[k];
    if (typeof val !== "string") throw new Bad(f, `must be a string, got ${show(val)}`);
    if (val.length > 256) throw new Bad(f, "tag values are at most 256 characters");
    out[k] = val;
  }
  return out;
}

function healthCheck(v: unknown, field: string): HealthCheckConfig | undefined {
  const o = obj(v, field);
  if (!o) return undefined;
  const hc: HealthCheckConfig = {};
  const set = <K extends keyof HealthCheckConfig>(k: K, val: HealthCheckConfig[K] | undefined) => { if (val !== undefined) hc[k] = val; };
  set("enabled", bool(o.enabled, `${field}.enabled`));
  set("path", str(o.path, `${field}.path`, HC_PATH, "an absolute path"));
  set("protocol", oneOf(o.protocol, `${field}.protocol`, ["HTTP", "HTTPS"] as const));
  set("protocolVersion", oneOf(o.protocolVersion, `${field}.protocolVersion`, ["HTTP1", "HTTP2"] as const));
  set("port", int(o.port, `${field}.port`, 1, 65535));
  set("healthCheckIntervalSeconds", int(o.intervalSeconds ?? o.healthCheckIntervalSeconds, `${field}.intervalSeconds`, 5, 300));
  set("healthCheckTimeoutSeconds", int(o.timeoutSeconds ?? o.healthCheckTimeoutSeconds, `${field}.timeoutSeconds`, 1, 120));
  set("healthyThresholdCount", int(o.healthyThresholdCount, `${field}.healthyThresholdCount`, 2, 10));
  set("unhealthyThresholdCount", int(o.unhealthyThresholdCount, `${field}.unhealthyThresholdCount`, 2, 10));
  const code = str(o.matcher, `${field}.matcher`, HTTP_CODE, "an HTTP code list such as 200 or 200-299");
  if (code !== undefined) hc.matcher = { httpCode: code };
  if (hc.healthCheckIntervalSeconds !== undefined && hc.healthCheckTimeoutSeconds !== undefined && hc.healthCheckTimeoutSeconds >= hc.healthCheckIntervalSeconds) {
    throw new Bad(`${field}.timeoutSeconds`, `${hc.healthCheckTimeoutSeconds} must be less than intervalSeconds (${hc.healthCheckIntervalSeconds})`);
  }
  return hc;
}

/** Validates a LatticeConfig spec (any JSON). */
export function parseLatticeConfig(raw: unknown): ConfigResult {
  try {
    const o = obj(raw, "spec") ?? {};
    const spec = defaultConfig();
    const region = str(o.region, "spec.region", REGION, "an AWS region such as us-west-2");
    if (region !== undefined) spec.region = region;
    const vpc = str(o.vpcIdentifier, "spec.vpcIdentifier", VPC, "a VPC id such as vpc-0123456789abcdef0");
    if (vpc !== undefined) spec.vpcIdentifier = vpc;
    const account = str(o.accountId, "spec.accountId", ACCOUNT, "a 12-digit AWS account id");
    if (account !== undefined) spec.accountId = account;
    const sn = obj(o.serviceNetwork, "spec.serviceNetwork") ?? {};
    const name = str(sn.name, "spec.serviceNetwork.name", SN_NAME, "a service network name (3-63 of a-z, 0-9, -; no leading, trailing or double hyphen)");
    if (name !== undefined) spec.serviceNetwork.name = name;
    spec.serviceNetwork.create = bool(sn.create, "spec.serviceNetwork.create") ?? false;
    spec.serviceNetwork.authType = oneOf(sn.authType, "spec.serviceNetwork.authType", ["NONE", "AWS_IAM"] as const) ?? "NONE";
    if (sn.authPolicy !== undefined && sn.authPolicy !== null) {
      const ap = checkAuthPolicy(sn.authPolicy, "spec.serviceNetwork.authPolicy");
      if (!ap.ok) throw new Bad(ap.field, ap.message.slice(ap.field.length + 2));
      if (spec.serviceNetwork.authType !== "AWS_IAM") {
        throw new Bad("spec.serviceNetwork.authPolicy", `needs spec.serviceNetwork.authType: AWS_IAM (with ${spec.serviceNetwork.authType} Lattice does not evaluate an auth policy)`);
      }
      spec.serviceNetwork.authPolicy = ap.doc;
    }
    if (o.securityGroupIds !== undefined && o.securityGroupIds !== null) {
      if (!Array.isArray(o.securityGroupIds)) throw new Bad("spec.securityGroupIds", `must be a list, got ${show(o.securityGroupIds)}`);
      if (o.securityGroupIds.length > 5) throw new Bad("spec.securityGroupIds", `${o.securityGroupIds.length} security groups exceed the 5 a VPC association takes`);
      spec.securityGroupIds = o.securityGroupIds.map((g, i) => str(g, `spec.securityGroupIds[${i}]`, SG, "a security group id such as sg-0123456789abcdef0") ?? "");
      if (spec.securityGroupIds.some((g) => g === "")) throw new Bad("spec.securityGroupIds", "entries must not be null");
      spec.securityGroupIds = [...new Set(spec.securityGroupIds)].sort();
    }
    spec.tags = tags(o.tags, "spec.tags");
    spec.adoptUntagged = bool(o.adoptUntagged, "spec.adoptUntagged") ?? false;
    const hc = healthCheck(o.healthCheck, "spec.healthCheck");
    if (hc) spec.healthCheck = hc;
    if (spec.securityGroupIds.length > 0 && spec.vpcIdentifier === undefined) {
      throw new Bad("spec.securityGroupIds", "security groups apply to the VPC association: set spec.vpcIdentifier too");
    }
    return { ok: true, spec };
  } catch (e) {
    if (e instanceof Bad) return { ok: false, field: e.field, message: `${e.field}: ${e.message}` };
    return { ok: false, field: "spec", message: `spec: ${String(e)}` };
  }
}
