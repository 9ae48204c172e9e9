// RegisterTargets, DeregisterTargets (≤ 100 targets a call, per-target failures), ListTargets
// with health: UNUSED while no service forwards to the group, INITIAL → HEALTHY with health
// checks, UNAVAILABLE without, DRAINING for a while after deregistration, then gone.
import { isIPv4, isIPv6 } from "node:net";
import { quotaExceeded } from "../errors.js";
import type { TargetGroupRec } from "../model.js";
import { QUOTA_CODES } from "../options.js";
import { Check, P, type Json } from "../validate.js";
import { compact, targetView } from "../views.js";
import { label, type Handler } from "./common.js";

interface T {
  id: string;
  port?: number;
}

function parseTargets(c: Check, value: unknown, max: number, required: boolean): T[] {
  const list = c.list("targets", value, { required, min: required ? 1 : 0, max });
  const out: T[] = [];
  (list ?? []).forEach((item, i) => {
    const at = `targets.${i + 1}.member`;
    const o = c.obj(at, item, true);
    if (!o) return;
    const id = c.str(`${at}.id`, o["id"], { required: true, min: 1, max: 200 });
    const port = c.int(`${at}.port`, o["port"], { min: 1, max: 65535 });
    if (id !== undefined) out.push(port === undefined ? { id } : { id, port });
  });
  return out;
}

/** Why the target cannot be in this group, or undefined. */
function targetProblem(tg: TargetGroupRec, t: T): string | undefined {
  switch (tg.type) {
    case "IP": {
      const v6 = tg.config["ipAddressType"] === "IPV6";
      if (v6 ? !isIPv6(t.id) : !isIPv4(t.id)) return `'${t.id}' is not an ${v6 ? "IPv6" : "IPv4"} address.`;
      return undefined;
    }
    case "INSTANCE":
      return /^i-[0-9a-f]{8}([0-9a-f]{9})?$/.test(t.id) ? undefined : `'${t.id}' is not an instance id.`;
    case "LAMBDA":
      return /^arn:aws[a-z-]*:lambda:/.test(t.id) ? undefined : `'${t.id}' is not a Lambda function ARN.`;
    case "ALB":
      return /^arn:aws[a-z-]*:elasticloadbalancing:.*:loadbalancer\/app\//.test(t.id) ? undefined : `'${t.id}' is not an Application Load Balancer ARN.`;
    default:
      return undefined;
  }
}

function key(id: string, port: number | undefined): string {
  return `${id}:${port ?? ""}`;
}

function portFor(tg: TargetGroupRec, t: T): number | undefined {
  return tg.type === "LAMBDA" ? undefined : t.port ?? (tg.config["port"] as number | undefined);
}

export const registerTargets: Handler = (s, r) => {
  const c = new Check();
  const id = label(c, r, "targetGroupIdentifier", P.targetGroupId, 17);
  const targets = parseTargets(c, r.body["targets"], 100, true);
  c.done();
  const tg = s.targetGroup(id);
  s.requireActive("TARGET_GROUP", tg, "target group");
  const current = s.targets.get(tg.id) ?? new Map();
  s.targets.set(tg.id, current);
  const fresh = targets.filter((t) => !current.has(key(t.id, portFor(tg, t))) && !targetProblem(tg, t)).length;
  const live = [...current.values()].filter((t) => t.drainUntil === undefined).length;
  const limit = tg.type === "LAMBDA" ? 1 : s.opts.limits.targetsPerTargetGroup;
  if (live + fresh > limit) {
    throw quotaExceeded("TARGET", QUOTA_CODES.targetsPerTargetGroup, `A ${tg.type} target group can have at most ${limit} target(s).`, tg.id);
  }
  const successful: Json[] = [];
  const unsuccessful: Json[] = [];
  for (const t of targets) {
    const problem = targetProblem(tg, t);
    const port = portFor(tg, t);
    if (problem) {
      unsuccessful.push(compact({ id: t.id, port: t.port, failureCode: "InvalidTarget", failureMessage: problem }));
      continue;
    }
    const k = key(t.id, port);
    const prior = current.get(k);
    if (prior && prior.drainUntil === undefined) {
      // Already registered: nothing changes.
    } else {
      current.set(k, { id: t.id, ...(port !== undefined ? { port } : {}), registeredAt: s.now(), seq: s.seq() });
    }
    successful.push(compact({ id: t.id, port }));
  }
  return { successful, unsuccessful };
};

export const deregisterTargets: Handler = (s, r) => {
  const c = new Check();
  const id = label(c, r, "targetGroupIdentifier", P.targetGroupId, 17);
  const targets = parseTargets(c, r.body["targets"], 100, true);
  c.done();
  const tg = s.targetGroup(id);
  const current = s.targets.get(tg.id) ?? new Map();
  const successful: Json[] = [];
  for (const t of targets) {
    const port = portFor(tg, t);
    const prior = current.get(key(t.id, port));
    // Deregistration is idempotent: unknown or already draining targets succeed too.
    if (prior && prior.drainUntil === undefined) {
      prior.drainUntil = s.now() + s.opts.delays.targetDrain;
      delete prior.forced;
    }
    successful.push(compact({ id: t.id, port }));
  }
  return { successful, unsuccessful: [] };
};

export const listTargets: Handler = (s, r) => {
  const c = new Check();
  const id = label(c, r, "targetGroupIdentifier", P.targetGroupId, 17);
  const filter = parseTargets(c, r.body["targets"], 20, false);
  c.done();
  const tg = s.targetGroup(id);
  let items = [...(s.targets.get(tg.id)?.values() ?? [])];
  if (filter.length) {
    items = items.filter((t) => filter.some((f) => f.id === t.id && (f.port === undefined || f.port === t.port)));
  }
  const page = s.page(`targets:${tg.id}`, items, r.query);
  return compact({ items: page.items.map((t) => targetView(s, tg, t)), nextToken: page.nextToken });
};
