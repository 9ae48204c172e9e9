// Desired state → the Lattice resources gatehouse wants, keyed by stable resource keys:
//   sn/<gateway key>, snva/<gateway key>, ap/<gateway key>     (per Gateway; ap = auth policy)
//   svc/<service>, snsa/<service>, lis/<service>/<listener>,
//   rule/<service>/<listener>/<rule>, tg/<target group name>    (per route × parent Gateway)
// Pure: names come from the IR's routeCentricView; specs carry everything a create sends.
import {
  fitName, routeCentricView, shortHash, type DesiredState, type IRGateway, type LatticeForward, type LatticeHTTPTargetGroupConfig,
  type LatticeListener, type LatticeService, type LatticeTarget, type LatticeTCPTargetGroupConfig, type LatticeUnsupported,
} from "@gatehouse/ir";
import { policyFingerprint } from "./auth-policy.js";
import { defaultConfig, parseLatticeConfig, type HealthCheckConfig, type LatticeConfigSpec } from "./config.js";
import { specHash, stableJson } from "./hash.js";
import { ownershipTags } from "./tags.js";

export interface ModelContext {
  controllerName: string;
  clusterName: string;
  /** Region when the LatticeConfig names none. */
  region: string;
  /** VPC when the LatticeConfig names none (provider option). */
  vpcIdentifier?: string;
}

export interface GatewayModel {
  key: string;
  source: string;
  owner: string;
  region: string;
  /** Set when the LatticeConfig is invalid or incomplete: nothing is programmed for this Gateway. */
  invalid?: string;
  config: LatticeConfigSpec;
  sn: { key: string; name: string; create: boolean; authType: "NONE" | "AWS_IAM"; tags: Record<string, string>; hash: string };
  snva?: { key: string; vpcIdentifier: string; securityGroupIds: string[]; tags: Record<string, string>; hash: string };
  /** The service network's auth policy: `key` always (what we know of it), text and hash when the config sets one. */
  authPolicy: { key: string; text?: string; hash?: string };
  /** Service keys of this Gateway's routes. */
  services: string[];
}

export interface TargetGroupModel {
  key: string;
  name: string;
  /** Backend id from the view (`Service/ns/name:port`). */
  backend: string;
  /** HTTP/HTTPS (HTTPRoute, GRPCRoute) or TCP (TLSRoute, behind TLS_PASSTHROUGH; no health check: Lattice's default is off). */
  config: (LatticeHTTPTargetGroupConfig | LatticeTCPTargetGroupConfig) & { vpcIdentifier: string; healthCheck?: HealthCheckConfig };
  tags: Record<string, string>;
  /** Hash of the updatable part (health check). */
  hash: string;
  targets: LatticeTarget[];
  targetsHash: string;
  sources: string[];
}

export type RuleAction =
  | { forward: { targetGroups: { tg: string; weight: number }[] } }
  | { fixedResponse: { statusCode: number } };

export interface RuleModel {
  key: string;
  name: string;
  priority: number;
  match: Extract<LatticeListener, { protocol: "HTTP" | "HTTPS" }>["rules"][number]["match"];
  action: RuleAction;
  /** Hash of match and action (priority is tracked on its own). */
  hash: string;
  tags: Record<string, string>;
  sources: string[];
}

export interface ListenerModel {
  key: string;
  name: string;
  port: number;
  protocol: LatticeListener["protocol"];
  /** Fixed 404 (HTTP, HTTPS) or a weighted forward to TCP groups (TLS_PASSTHROUGH, which takes no rules). */
  defaultAction: RuleAction;
  hash: string;
  tags: Record<string, string>;
  rules: RuleModel[];
  sources: string[];
}

export interface ServiceModel {
  key: string;
  name: string;
  route: string;
  gatewayKey: string;
  region: string;
  owner: string;
  spec: { customDomainName?: string; certificateArn?: string };
  /** Hash of what cannot change in place (custom domain): a change replaces the service. */
  immutableHash: string;
  /** Hash of what UpdateService changes (certificate). */
  hash: string;
  tags: Record<string, string>;
  snsaKey: string;
  snKey: string;
  listeners: ListenerModel[];
  targetGroups: TargetGroupModel[];
  sources: string[];
}

export interface DesiredModel {
  gateways: GatewayModel[];
  services: ServiceModel[];
  unsupported: LatticeUnsupported[];
}

const SN_RULES = { min: 3, max: 63, reservedPrefixes: [] as string[] };
const TG_RULES = { min: 3, max: 128, reservedPrefixes: ["tg-"] };

/** `gateway/<ns>/<name>` from an IR gateway. */
function gatewayOwner(gw: IRGateway): string {
  return gw.source;
}

function gatewayModel(gw: IRGateway, ctx: ModelContext): GatewayModel {
  let config = defaultConfig();
  let invalid: string | undefined;
  if (gw.parameters) {
    if (gw.parameters.kind !== "LatticeConfig") invalid = `parametersRef kind ${gw.parameters.kind} is not LatticeConfig`;
    else {
      const r = parseLatticeConfig(gw.parameters.spec);
      if (r.ok) config = r.spec;
      else invalid = `LatticeConfig ${gw.parameters.namespace ?? ""}/${gw.parameters.name}: ${r.message}`;
    }
  }
  const vpc = config.vpcIdentifier ?? ctx.vpcIdentifier;
  if (!invalid && vpc === undefined) {
    invalid = gw.parameters
      ? `LatticeConfig ${gw.parameters.namespace ?? ""}/${gw.parameters.name}: spec.vpcIdentifier: required (target groups and the service network's VPC association need the cluster's VPC)`
      : "no LatticeConfig: the GatewayClass needs a parametersRef to a LatticeConfig with spec.vpcIdentifier (target groups and the VPC association need the cluster's VPC)";
  }
  const owner = gatewayOwner(gw);
  const tags = ownershipTags(ctx.clusterName, owner, ctx.controllerName, config.tags);
  const snName = config.serviceNetwork.name ?? fitName([gw.name, gw.namespace], gw.key, SN_RULES).name;
  const create = gw.parameters ? config.serviceNetwork.create : true;
  const snSpec = { name: snName, create, authType: config.serviceNetwork.authType };
  const m: GatewayModel = {
    key: gw.key, source: gw.source, owner, region: config.region ?? ctx.region, config,
    sn: { key: `sn/${gw.key}`, ...snSpec, tags, hash: specHash({ authType: snSpec.authType }) },
    authPolicy: { key: `ap/${gw.key}` },
    services: [],
  };
  const doc = config.serviceNetwork.authPolicy;
  if (doc) m.authPolicy = { ...m.authPolicy, text: stableJson(doc), hash: policyFingerprint(doc) };
  if (invalid) m.invalid = invalid;
  if (vpc !== undefined) {
    m.snva = {
      key: `snva/${gw.key}`, vpcIdentifier: vpc, securityGroupIds: config.securityGroupIds, tags,
      hash: specHash({ sgs: config.securityGroupIds }),
    };
  }
  return m;
}

function targetGroupName(viewName: string, immutable: unknown): string {
  // The immutable config is part of the name: a changed port/protocol/version is a new group
  // (created before the old one is released), never an in-place conflict.
  const h = shortHash(specHash(immutable), 6);
  return fitName([viewName, h], `${viewName}|${h}`, TG_RULES).name;
}

function serviceModel(svc: LatticeService, gw: GatewayModel, ctx: ModelContext): ServiceModel {
  const tags = ownershipTags(ctx.clusterName, svc.route, ctx.controllerName, gw.config.tags);
  const tgByBackend = new Map<string, TargetGroupModel>();
  const targetGroups = svc.targetGroups.map((tg): TargetGroupModel => {
    const config: TargetGroupModel["config"] = { ...tg.config, vpcIdentifier: gw.snva!.vpcIdentifier };
    // The LatticeConfig health check is an HTTP one; TCP groups keep Lattice's default (off).
    if (gw.config.healthCheck && config.protocol !== "TCP") config.healthCheck = { ...gw.config.healthCheck };
    const { healthCheck, ...immutable } = config;
    const name = targetGroupName(tg.name, immutable);
    const m: TargetGroupModel = {
      key: `tg/${name}`, name, backend: tg.key, config, tags,
      hash: specHash({ healthCheck }),
      targets: tg.targets, targetsHash: specHash(tg.targets.map((t) => `${t.id}:${t.port}`)),
      sources: tg.sources,
    };
    tgByBackend.set(tg.key, m);
    return m;
  });
  const forward = (f: LatticeForward): RuleAction =>
    ({ forward: { targetGroups: f.targetGroups.map((g) => ({ tg: tgByBackend.get(g.targetGroupKey)!.key, weight: g.weight })) } });
  const listeners = svc.listeners.map((l): ListenerModel => {
    const key = `lis/${svc.name}/${l.name}`;
    const rules = (l.protocol === "TLS_PASSTHROUGH" ? [] : l.rules).map((r): RuleModel => {
      const action: RuleAction = "forward" in r.action
        ? forward(r.action.forward)
        : { fixedResponse: { statusCode: r.action.fixedResponse.statusCode } };
      return {
        key: `rule/${svc.name}/${l.name}/${r.name}`, name: r.name, priority: r.priority, match: r.match, action,
        hash: specHash({ match: r.match, action }), tags, sources: r.sources,
      };
    });
    const defaultAction: RuleAction = "forward" in l.defaultAction
      ? forward(l.defaultAction.forward)
      : { fixedResponse: { statusCode: l.defaultAction.fixedResponse.statusCode } };
    return {
      key, name: l.name, port: l.port, protocol: l.protocol, defaultAction,
      hash: specHash({ defaultAction }), tags, rules, sources: l.sources,
    };
  });
  const spec: ServiceModel["spec"] = {};
  if (svc.customDomainName !== undefined) spec.customDomainName = svc.customDomainName;
  if (svc.certificateArn !== undefined) spec.certificateArn = svc.certificateArn;
  return {
    key: `svc/${svc.name}`, name: svc.name, route: svc.route, gatewayKey: svc.gatewayKey, region: gw.region, owner: svc.route,
    spec, immutableHash: specHash({ customDomainName: spec.customDomainName }), hash: specHash({ certificateArn: spec.certificateArn }),
    tags, snsaKey: `snsa/${svc.name}`, snKey: gw.sn.key, listeners, targetGroups, sources: svc.sources,
  };
}

export function buildModel(ds: DesiredState, ctx: ModelContext): DesiredModel {
  const gateways = ds.gateways.filter((g) => g.controllerName === ctx.controllerName).map((g) => gatewayModel(g, ctx));
  const byKey = new Map(gateways.map((g) => [g.key, g]));
  const view = routeCentricView(ds, ctx.controllerName);
  const services: ServiceModel[] = [];
  for (const s of view.services) {
    const gw = byKey.get(s.gatewayKey);
    if (!gw || gw.invalid || !gw.snva) continue;
    gw.services.push(`svc/${s.name}`);
    services.push(serviceModel(s, gw, ctx));
  }
  return { gateways, services, unsupported: view.unsupported };
}
