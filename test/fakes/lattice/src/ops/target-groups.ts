// CreateTargetGroup, GetTargetGroup, ListTargetGroups, UpdateTargetGroup, DeleteTargetGroup.
// A target group used by a listener or rule cannot be deleted (ConflictException).
import { conflict, invalid, quotaExceeded } from "../errors.js";
import { QUOTA_CODES } from "../options.js";
import { GONE, type Store } from "../store.js";
import {
  Check,
  HC_PROTOCOL_VERSIONS,
  IP_ADDRESS_TYPES,
  LAMBDA_EVENT_VERSIONS,
  P,
  TG_PROTOCOL_VERSIONS,
  TG_PROTOCOLS,
  TG_TYPES,
  type Json,
} from "../validate.js";
import { compact, targetGroupSummary, targetGroupView } from "../views.js";
import { clientToken, label, params, type Handler } from "./common.js";

/** Parses a HealthCheckConfig (model ranges), returning only the members given. */
function parseHealthCheck(c: Check, name: string, value: unknown, required: boolean): Json | undefined {
  const o = c.obj(name, value, required);
  if (!o) return undefined;
  const m = o["matcher"];
  let matcher: Json | undefined;
  const mu = c.union(`${name}.matcher`, m, ["httpCode"]);
  if (mu) {
    const code = c.str(`${name}.matcher.httpCode`, mu[1], { min: 0, max: 2000, pattern: P.httpCodeMatcher });
    if (code !== undefined) matcher = { httpCode: code };
  }
  return compact({
    enabled: c.bool(`${name}.enabled`, o["enabled"]),
    protocol: c.str(`${name}.protocol`, o["protocol"], { enum: TG_PROTOCOLS }),
    protocolVersion: c.str(`${name}.protocolVersion`, o["protocolVersion"], { enum: HC_PROTOCOL_VERSIONS }),
    port: c.int(`${name}.port`, o["port"], { min: 0, max: 65535 }),
    path: c.str(`${name}.path`, o["path"], { min: 0, max: 2048, pattern: P.healthCheckPath }),
    healthCheckIntervalSeconds: c.int(`${name}.healthCheckIntervalSeconds`, o["healthCheckIntervalSeconds"], { min: 0, max: 300 }),
    healthCheckTimeoutSeconds: c.int(`${name}.healthCheckTimeoutSeconds`, o["healthCheckTimeoutSeconds"], { min: 0, max: 120 }),
    healthyThresholdCount: c.int(`${name}.healthyThresholdCount`, o["healthyThresholdCount"], { min: 0, max: 10 }),
    unhealthyThresholdCount: c.int(`${name}.unhealthyThresholdCount`, o["unhealthyThresholdCount"], { min: 0, max: 10 }),
    matcher,
  });
}

/** The documented ranges the service enforces beyond the model's (interval 5–300 s, …). */
function checkHealthCheck(hc: Json, field: string): void {
  const range = (k: string, lo: number, hi: number) => {
    const v = hc[k];
    if (typeof v === "number" && (v < lo || v > hi)) throw invalid(`${field}.${k} must be between ${lo} and ${hi}; got ${v}.`, `${field}.${k}`);
  };
  range("healthCheckIntervalSeconds", 5, 300);
  range("healthCheckTimeoutSeconds", 1, 120);
  range("healthyThresholdCount", 2, 10);
  range("unhealthyThresholdCount", 2, 10);
  const interval = hc["healthCheckIntervalSeconds"];
  const timeout = hc["healthCheckTimeoutSeconds"];
  if (typeof interval === "number" && typeof timeout === "number" && timeout >= interval) {
    throw invalid(`${field}.healthCheckTimeoutSeconds must be less than healthCheckIntervalSeconds.`, `${field}.healthCheckTimeoutSeconds`);
  }
}

/** Health check defaults Lattice reports for a group of this protocol. */
function defaultHealthCheck(protocol: string | undefined): Json {
  if (protocol === "TCP") return { enabled: false };
  return {
    enabled: true,
    protocol: protocol ?? "HTTP",
    protocolVersion: "HTTP1",
    path: "/",
    healthCheckIntervalSeconds: 30,
    healthCheckTimeoutSeconds: 5,
    healthyThresholdCount: 5,
    unhealthyThresholdCount: 2,
    matcher: { httpCode: "200" },
  };
}

function parseConfig(c: Check, type: string | undefined, value: unknown): Json | undefined {
  const o = c.obj("config", value, type !== undefined && type !== "LAMBDA");
  if (!o) return undefined;
  return compact({
    port: c.int("config.port", o["port"], { min: 1, max: 65535 }),
    protocol: c.str("config.protocol", o["protocol"], { enum: TG_PROTOCOLS }),
    protocolVersion: c.str("config.protocolVersion", o["protocolVersion"], { enum: TG_PROTOCOL_VERSIONS }),
    ipAddressType: c.str("config.ipAddressType", o["ipAddressType"], { enum: IP_ADDRESS_TYPES }),
    vpcIdentifier: c.str("config.vpcIdentifier", o["vpcIdentifier"], { min: 5, max: 50, pattern: P.vpcId }),
    healthCheck: parseHealthCheck(c, "config.healthCheck", o["healthCheck"], false),
    lambdaEventStructureVersion: c.str("config.lambdaEventStructureVersion", o["lambdaEventStructureVersion"], { enum: LAMBDA_EVENT_VERSIONS }),
  });
}

/** The service's rules for a config of this type; returns the config with defaults filled in. */
function normalizeConfig(type: string, cfg: Json | undefined): Json {
  if (type === "LAMBDA") {
    const extra = Object.keys(cfg ?? {}).filter((k) => k !== "lambdaEventStructureVersion");
    if (extra.length) throw invalid(`A LAMBDA target group takes only config.lambdaEventStructureVersion; got ${extra.join(", ")}.`, `config.${extra[0]}`);
    return { lambdaEventStructureVersion: (cfg?.["lambdaEventStructureVersion"] as string | undefined) ?? "V1" };
  }
  const c = cfg ?? {};
  for (const k of ["port", "protocol", "vpcIdentifier"]) {
    if (c[k] === undefined) throw invalid(`A ${type} target group needs config.${k}.`, `config.${k}`);
  }
  if (c["lambdaEventStructureVersion"] !== undefined) throw invalid("lambdaEventStructureVersion is only for LAMBDA target groups.", "config.lambdaEventStructureVersion");
  const protocol = String(c["protocol"]);
  const out: Json = { port: c["port"], protocol };
  if (protocol === "TCP") {
    if (c["protocolVersion"] !== undefined) throw invalid("A TCP target group has no protocolVersion.", "config.protocolVersion");
  } else {
    const pv = (c["protocolVersion"] as string | undefined) ?? "HTTP1";
    if (type === "ALB" && pv === "GRPC") throw invalid("An ALB target group supports HTTP1 and HTTP2 only.", "config.protocolVersion");
    out["protocolVersion"] = pv;
  }
  if (type === "IP") out["ipAddressType"] = c["ipAddressType"] ?? "IPV4";
  else if (c["ipAddressType"] !== undefined) throw invalid("ipAddressType is only for IP target groups.", "config.ipAddressType");
  out["vpcIdentifier"] = c["vpcIdentifier"];
  if (type !== "ALB") {
    const hc = { ...defaultHealthCheck(protocol), ...((c["healthCheck"] as Json | undefined) ?? {}) };
    checkHealthCheck(hc, "config.healthCheck");
    out["healthCheck"] = hc;
  } else if (c["healthCheck"] !== undefined) {
    throw invalid("ALB target groups do not take health check settings.", "config.healthCheck");
  }
  return out;
}

export const createTargetGroup: Handler = (s, r) => {
  const c = new Check();
  const name = c.str("name", r.body["name"], { required: true, min: 3, max: 128, pattern: P.targetGroupName });
  const type = c.str("type", r.body["type"], { required: true, enum: TG_TYPES });
  const cfg = parseConfig(c, type, r.body["config"]);
  const tags = c.tags("tags", r.body["tags"]);
  const token = clientToken(c, r);
  c.done();
  const config = normalizeConfig(type!, cfg);
  return s.idempotent("CreateTargetGroup", token, params(r), () => {
    for (const tg of s.targetGroups.values()) {
      if (tg.name === name) throw conflict("TARGET_GROUP", tg.id, `A target group named '${name}' already exists.`);
    }
    if (s.targetGroups.size >= s.opts.limits.targetGroupsPerRegion) {
      throw quotaExceeded("TARGET_GROUP", QUOTA_CODES.targetGroupsPerRegion, `You have reached the quota of ${s.opts.limits.targetGroupsPerRegion} target groups.`);
    }
    const id = s.ids.id("tg");
    const now = s.now();
    const tg = { id, arn: s.arns.targetGroup(id), seq: s.seq(), createdAt: now, lastUpdatedAt: now, status: "", name: name!, type: type!, config };
    s.transition(tg, "CREATE_IN_PROGRESS", "ACTIVE", s.opts.delays.targetGroupCreate);
    s.targetGroups.set(id, tg);
    s.setTags(tg.arn, tags);
    const render = () => shortView(s, tg.id) ?? { id, arn: tg.arn, name: tg.name, type: tg.type, config: tg.config, status: "DELETE_IN_PROGRESS" };
    return { result: render(), replay: render };
  });
};

function shortView(s: Store, id: string): Json | undefined {
  const tg = s.targetGroups.get(id);
  if (!tg) return undefined;
  return { id: tg.id, arn: tg.arn, name: tg.name, type: tg.type, config: JSON.parse(JSON.stringify(tg.config)) as Json, status: tg.status };
}

export const getTargetGroup: Handler = (s, r) => {
  const c = new Check();
  const id = label(c, r, "targetGroupIdentifier", P.targetGroupId, 17);
  c.done();
  return targetGroupView(s, s.targetGroup(id));
};

export const listTargetGroups: Handler = (s, r) => {
  const c = new Check();
  const vpc = c.str("vpcIdentifier", r.query.get("vpcIdentifier") ?? undefined, { min: 5, max: 50, pattern: P.vpcId });
  const type = c.str("targetGroupType", r.query.get("targetGroupType") ?? undefined, { enum: TG_TYPES });
  c.done();
  const items = [...s.targetGroups.values()].filter(
    (tg) => (vpc === undefined || tg.config["vpcIdentifier"] === vpc) && (type === undefined || tg.type === type),
  );
  const page = s.page("targetgroups", items, r.query);
  return compact({ items: page.items.map((tg) => targetGroupSummary(s, tg)), nextToken: page.nextToken });
};

export const updateTargetGroup: Handler = (s, r) => {
  const c = new Check();
  const id = label(c, r, "targetGroupIdentifier", P.targetGroupId, 17);
  const hc = parseHealthCheck(c, "healthCheck", r.body["healthCheck"], true);
  c.done();
  const tg = s.targetGroup(id);
  s.requireActive("TARGET_GROUP", tg, "target group");
  if (tg.type === "LAMBDA" || tg.type === "ALB") throw invalid(`${tg.type} target groups do not take health check settings.`, "healthCheck");
  const merged = { ...((tg.config["healthCheck"] as Json | undefined) ?? {}), ...hc };
  checkHealthCheck(merged, "healthCheck");
  tg.config = { ...tg.config, healthCheck: merged };
  tg.lastUpdatedAt = s.now();
  return shortView(s, tg.id);
};

export const deleteTargetGroup: Handler = (s, r) => {
  const c = new Check();
  const id = label(c, r, "targetGroupIdentifier", P.targetGroupId, 17);
  c.done();
  const tg = s.targetGroup(id);
  if (tg.status !== "DELETE_IN_PROGRESS") {
    const users = s.servicesUsing(tg.id);
    if (users.length) {
      throw conflict("TARGET_GROUP", tg.id, `The target group '${tg.id}' is used by a listener or rule of ${users.join(", ")}.`);
    }
    s.requireActive("TARGET_GROUP", tg, "target group");
    s.transition(tg, "DELETE_IN_PROGRESS", GONE, s.opts.delays.targetGroupDelete);
    tg.lastUpdatedAt = s.now();
  }
  return { id: tg.id, arn: tg.arn, status: tg.status };
};
