// The JSON shapes of Get*/List* responses, built from the records (member names as in the
// API model; absent optional members are left out, as the service does).
import { iso } from "./clock.js";
import type {
  ListenerRec,
  RuleRec,
  ServiceAssociationRec,
  ServiceNetworkRec,
  ServiceRec,
  TargetGroupRec,
  TargetRec,
  TargetStatus,
  VpcAssociationRec,
} from "./model.js";
import type { Store } from "./store.js";
import type { Json } from "./validate.js";

/** Drops undefined members. */
export function compact(o: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

export function serviceNetworkView(s: Store, sn: ServiceNetworkRec): Json {
  return compact({
    id: sn.id,
    name: sn.name,
    arn: sn.arn,
    createdAt: iso(sn.createdAt),
    lastUpdatedAt: iso(sn.lastUpdatedAt),
    authType: sn.authType,
    sharingConfig: clone(sn.sharingConfig),
    numberOfAssociatedVPCs: [...s.vpcAssociations.values()].filter((a) => a.snId === sn.id).length,
    numberOfAssociatedServices: [...s.serviceAssociations.values()].filter((a) => a.snId === sn.id).length,
  });
}

export function serviceNetworkSummary(s: Store, sn: ServiceNetworkRec): Json {
  const v = serviceNetworkView(s, sn);
  return compact({
    id: v["id"],
    name: v["name"],
    arn: v["arn"],
    createdAt: v["createdAt"],
    lastUpdatedAt: v["lastUpdatedAt"],
    numberOfAssociatedVPCs: v["numberOfAssociatedVPCs"],
    numberOfAssociatedServices: v["numberOfAssociatedServices"],
    numberOfAssociatedResourceConfigurations: 0,
  });
}

export function serviceView(svc: ServiceRec): Json {
  return compact({
    id: svc.id,
    name: svc.name,
    arn: svc.arn,
    createdAt: iso(svc.createdAt),
    lastUpdatedAt: iso(svc.lastUpdatedAt),
    dnsEntry: { ...svc.dnsEntry },
    customDomainName: svc.customDomainName,
    certificateArn: svc.certificateArn,
    status: svc.status,
    authType: svc.authType,
  });
}

export function serviceSummary(svc: ServiceRec): Json {
  return compact({
    id: svc.id,
    name: svc.name,
    arn: svc.arn,
    createdAt: iso(svc.createdAt),
    lastUpdatedAt: iso(svc.lastUpdatedAt),
    dnsEntry: { ...svc.dnsEntry },
    customDomainName: svc.customDomainName,
    status: svc.status,
  });
}

export function vpcAssociationView(s: Store, a: VpcAssociationRec): Json {
  const sn = s.serviceNetworks.get(a.snId);
  return compact({
    id: a.id,
    status: a.status,
    arn: a.arn,
    createdBy: s.opts.accountId,
    createdAt: iso(a.createdAt),
    serviceNetworkId: a.snId,
    serviceNetworkName: sn?.name,
    serviceNetworkArn: sn?.arn,
    vpcId: a.vpcId,
    securityGroupIds: [...a.securityGroupIds],
    privateDnsEnabled: a.privateDnsEnabled,
    dnsOptions: clone(a.dnsOptions),
    lastUpdatedAt: iso(a.lastUpdatedAt),
  });
}

export function vpcAssociationSummary(s: Store, a: VpcAssociationRec): Json {
  const v = vpcAssociationView(s, a);
  delete v["securityGroupIds"];
  return v;
}

export function serviceAssociationView(s: Store, a: ServiceAssociationRec): Json {
  const sn = s.serviceNetworks.get(a.snId);
  const svc = s.services.get(a.svcId);
  return compact({
    id: a.id,
    status: a.status,
    arn: a.arn,
    createdBy: s.opts.accountId,
    createdAt: iso(a.createdAt),
    serviceId: a.svcId,
    serviceName: svc?.name,
    serviceArn: svc?.arn,
    serviceNetworkId: a.snId,
    serviceNetworkName: sn?.name,
    serviceNetworkArn: sn?.arn,
    dnsEntry: svc ? { ...svc.dnsEntry } : undefined,
    customDomainName: svc?.customDomainName,
  });
}

export function listenerView(s: Store, l: ListenerRec): Json {
  return {
    arn: l.arn,
    id: l.id,
    name: l.name,
    protocol: l.protocol,
    port: l.port,
    serviceArn: s.arns.service(l.svcId),
    serviceId: l.svcId,
    defaultAction: clone(l.defaultAction),
    createdAt: iso(l.createdAt),
    lastUpdatedAt: iso(l.lastUpdatedAt),
  };
}

export function listenerSummary(l: ListenerRec): Json {
  return {
    arn: l.arn,
    id: l.id,
    name: l.name,
    protocol: l.protocol,
    port: l.port,
    createdAt: iso(l.createdAt),
    lastUpdatedAt: iso(l.lastUpdatedAt),
  };
}

export function ruleView(r: RuleRec): Json {
  return {
    arn: r.arn,
    id: r.id,
    name: r.name,
    isDefault: false,
    match: clone(r.match),
    priority: r.priority,
    action: clone(r.action),
    createdAt: iso(r.createdAt),
    lastUpdatedAt: iso(r.lastUpdatedAt),
  };
}

/** The default rule of a listener: its default action, no match, no priority. */
export function defaultRuleView(s: Store, l: ListenerRec): Json {
  return {
    arn: s.arns.rule(l.svcId, l.id, l.defaultRuleId),
    id: l.defaultRuleId,
    name: "default",
    isDefault: true,
    action: clone(l.defaultAction),
    createdAt: iso(l.createdAt),
    lastUpdatedAt: iso(l.lastUpdatedAt),
  };
}

export function ruleSummary(v: Json): Json {
  return compact({
    arn: v["arn"],
    id: v["id"],
    name: v["name"],
    isDefault: v["isDefault"],
    priority: v["priority"],
    createdAt: v["createdAt"],
    lastUpdatedAt: v["lastUpdatedAt"],
  });
}

export function targetGroupView(s: Store, tg: TargetGroupRec): Json {
  const serviceArns = s.servicesUsing(tg.id).map((id) => s.arns.service(id));
  return compact({
    id: tg.id,
    arn: tg.arn,
    name: tg.name,
    type: tg.type,
    config: clone(tg.config),
    createdAt: iso(tg.createdAt),
    lastUpdatedAt: iso(tg.lastUpdatedAt),
    status: tg.status,
    serviceArns: serviceArns.length ? serviceArns : undefined,
  });
}

export function targetGroupSummary(s: Store, tg: TargetGroupRec): Json {
  const serviceArns = s.servicesUsing(tg.id).map((id) => s.arns.service(id));
  const c = tg.config;
  return compact({
    id: tg.id,
    arn: tg.arn,
    name: tg.name,
    type: tg.type,
    createdAt: iso(tg.createdAt),
    port: c["port"],
    protocol: c["protocol"],
    ipAddressType: c["ipAddressType"],
    vpcIdentifier: c["vpcIdentifier"],
    lastUpdatedAt: iso(tg.lastUpdatedAt),
    status: tg.status,
    serviceArns: serviceArns.length ? serviceArns : undefined,
    lambdaEventStructureVersion: c["lambdaEventStructureVersion"],
  });
}

/** Health of a registered target, as ListTargets reports it. */
export function targetStatus(s: Store, tg: TargetGroupRec, t: TargetRec): { status: TargetStatus; reasonCode?: string } {
  if (t.drainUntil !== undefined) return { status: "DRAINING", reasonCode: "Target.Deregistering" };
  if (t.forced) return { status: t.forced };
  if (s.servicesUsing(tg.id).length === 0) return { status: "UNUSED", reasonCode: "TargetGroup.NotInUse" };
  const hc = tg.config["healthCheck"] as Json | undefined;
  if (tg.type === "LAMBDA" || hc?.["enabled"] === false) return { status: "UNAVAILABLE", reasonCode: "HealthCheck.Disabled" };
  if (s.now() < t.registeredAt + s.opts.delays.targetHealthCheck) return { status: "INITIAL", reasonCode: "Target.InitialHealthChecking" };
  return { status: "HEALTHY" };
}

export function targetView(s: Store, tg: TargetGroupRec, t: TargetRec): Json {
  const st = targetStatus(s, tg, t);
  return compact({ id: t.id, port: t.port, status: st.status, reasonCode: st.reasonCode });
}
