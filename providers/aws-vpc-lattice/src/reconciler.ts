// One pass over the desired model against what we know: in dry mode it only lists the
// changes (plan), in apply mode it makes them, in dependency order:
//   service networks (auth policies) → VPC associations → target groups, services → (wait for ACTIVE) →
//   targets, service associations, listeners, rules → stale rules/listeners/target groups →
//   stale services (association, service, target groups) → stale Gateways.
// Every create carries a client token derived from the resource identity and parameters, so
// a retried or restarted create returns the resource made before instead of a second one.
import {
  CreateListenerCommand, CreateRuleCommand, CreateServiceCommand, CreateServiceNetworkCommand,
  CreateServiceNetworkServiceAssociationCommand, CreateServiceNetworkVpcAssociationCommand, CreateTargetGroupCommand,
  DeleteAuthPolicyCommand, DeleteListenerCommand, DeleteRuleCommand, DeleteServiceCommand, DeleteServiceNetworkCommand,
  DeleteServiceNetworkServiceAssociationCommand, DeleteServiceNetworkVpcAssociationCommand, DeleteTargetGroupCommand,
  DeregisterTargetsCommand, GetAuthPolicyCommand, GetServiceCommand, GetServiceNetworkCommand, GetServiceNetworkServiceAssociationCommand,
  GetServiceNetworkVpcAssociationCommand, GetTargetGroupCommand, ListListenersCommand, ListRulesCommand,
  ListServiceNetworksCommand, ListServicesCommand, ListTagsForResourceCommand, ListTargetGroupsCommand, ListTargetsCommand,
  PutAuthPolicyCommand, RegisterTargetsCommand, TagResourceCommand, UpdateListenerCommand, UpdateRuleCommand, UpdateServiceCommand,
  UpdateServiceNetworkCommand, UpdateServiceNetworkVpcAssociationCommand, UpdateTargetGroupCommand,
  type RuleAction as SdkRuleAction,
} from "@aws-sdk/client-vpc-lattice";
import type { PlannedChange } from "@gatehouse/provider-api";
import { storedFingerprint } from "./auth-policy.js";
import { cloudMessage, errorName, isCloudError, isTransient, type LatticeClients } from "./client.js";
import { clientToken, specHash } from "./hash.js";
import type { Known, KnownMap } from "./known.js";
import type { DesiredModel, GatewayModel, ListenerModel, RuleModel, ServiceModel, TargetGroupModel } from "./model.js";
import { ownershipOf, TAG } from "./tags.js";

export interface ReconcileContext {
  clients: LatticeClients;
  clusterName: string;
  controllerName: string;
  /** Region for stale resources whose Gateway is gone. */
  defaultRegion: string;
  /** How long one apply waits for resources in transient states before reporting Pending. */
  waitMs: number;
  /** First poll interval while waiting (doubles up to 2 s). */
  pollMs: number;
  log: (level: "debug" | "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;
}

export interface Problem { reason: string; message: string }

/** Thrown inside one unit's work to stop it; recorded as that unit's problem. */
class Stop extends Error {
  constructor(readonly problem: Problem) { super(problem.message); }
}

const IN_PROGRESS = new Set(["CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS", "DELETE_IN_PROGRESS"]);
const pending = (message: string): Stop => new Stop({ reason: "Pending", message });
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const isNotFound = (e: unknown) => isCloudError(e) && e.name === "ResourceNotFoundException";
const isConflict = (e: unknown) => isCloudError(e) && e.name === "ConflictException";

/** Cloud errors become the unit's problem (transient ones and conflicts: Pending, we retry). */
function asStop(e: unknown, what: string): Stop {
  if (e instanceof Stop) return e;
  if (!isCloudError(e)) throw e;
  const transient = isTransient(e) || isConflict(e);
  return new Stop({ reason: transient ? "Pending" : "Invalid", message: `${what}: ${cloudMessage(e)}` });
}

function sdkAction(a: RuleModel["action"] | ListenerModel["defaultAction"], tgId: (key: string) => string): SdkRuleAction {
  if ("forward" in a) {
    return { forward: { targetGroups: a.forward.targetGroups.map((g) => ({ targetGroupIdentifier: tgId(g.tg), weight: g.weight })) } };
  }
  return { fixedResponse: { statusCode: a.fixedResponse.statusCode } };
}

/** The view's match as the API takes it: an empty headerMatches list is a ValidationException (min 1). */
function sdkMatch(m: RuleModel["match"]): RuleModel["match"] {
  const { headerMatches, ...rest } = m.httpMatch;
  return { httpMatch: headerMatches.length ? m.httpMatch : (rest as RuleModel["match"]["httpMatch"]) };
}

export class Reconciler {
  readonly changes: PlannedChange[] = [];
  /** Problems per unit (service name or Gateway key). */
  readonly problems = new Map<string, Problem>();
  private readonly deadline: number;

  constructor(
    private readonly ctx: ReconcileContext,
    /** Mutated in apply mode; a copy in dry mode. */
    readonly known: KnownMap,
    private readonly dry: boolean,
  ) {
    this.deadline = Date.now() + ctx.waitMs;
  }

  // ---- bookkeeping -------------------------------------------------------------------

  private change(op: PlannedChange["op"], resource: string, id: string, sources: string[], summary: string): void {
    this.changes.push({ op, resource: `lattice:${resource}`, id, sources, summary });
  }

  private set(key: string, k: Known): void { this.known.set(key, k); }

  private ownedBy(unit: string, prefix: string): [string, Known][] {
    return [...this.known.entries()].filter(([k, v]) => v.o === unit && k.startsWith(prefix)).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }

  private async call<T>(region: string, command: object): Promise<T> {
    return this.ctx.clients.send<T>(region, command as { constructor: { name: string } });
  }

  /** Runs one unit's step; a failure stops the unit (recorded) but not the others. */
  private async unit(unit: string, f: () => Promise<void>): Promise<boolean> {
    if (this.problems.has(unit)) return false;
    try {
      await f();
      return true;
    } catch (e) {
      const stop = asStop(e, "VPC Lattice");
      this.problems.set(unit, stop.problem);
      this.ctx.log(stop.problem.reason === "Pending" ? "info" : "warn", "lattice: unit not programmed", { unit, ...stop.problem });
      return false;
    }
  }

  /** Polls until `get` reports a final status (or the resource is gone); Pending past the deadline. */
  private async settle(what: string, get: () => Promise<string | undefined>, initial: string | undefined, until: "active" | "gone"): Promise<string | undefined> {
    let status = initial;
    let delay = this.ctx.pollMs;
    let polled = false;
    for (;;) {
      if (until === "active" ? status === undefined || !IN_PROGRESS.has(status) : status === undefined) return status;
      if (status?.endsWith("FAILED")) return status;
      // The first look is immediate (the status we hold may be old); later ones back off.
      if (polled) {
        if (Date.now() + delay > this.deadline) throw pending(`${what} is ${status ?? "in progress"}; will retry`);
        await sleep(delay);
        delay = Math.min(2000, delay * 2);
      }
      polled = true;
      try {
        status = await get();
      } catch (e) {
        if (isNotFound(e)) status = undefined;
        else throw asStop(e, what);
        if (until === "active") throw pending(`${what} disappeared while being created; will recreate`);
      }
    }
  }

  // ---- creates with client tokens and adoption ----------------------------------------

  /**
   * A top-level create: walks client-token salts past tokens whose resource was deleted since,
   * and on a name conflict adopts the existing resource when its tags say it is ours (or it
   * is untagged and adoptUntagged is set).
   */
  private async create<R extends { id?: string; arn?: string; status?: string }>(
    what: string, identity: string, params: Record<string, unknown>, startSalt: number,
    send: (token: string) => Promise<R>,
    adopt: (e: Error & { resourceId?: string }) => Promise<R | undefined>,
  ): Promise<{ r: R; salt: number }> {
    for (let salt = startSalt; salt < startSalt + 8; salt++) {
      let r: R;
      try {
        r = await send(clientToken(identity, params, salt));
      } catch (e) {
        if (isConflict(e) && (e as { resourceType?: string }).resourceType === "RESOURCE") continue; // token reused with other params
        if (isConflict(e)) {
          const got = await adopt(e as Error & { resourceId?: string });
          if (got) return { r: got, salt };
        }
        throw asStop(e, `create ${what}`);
      }
      if (r.status === "DELETE_IN_PROGRESS" || r.status === "DELETE_FAILED") continue; // a replay of a deleted resource
      return { r, salt };
    }
    throw new Stop({ reason: "Pending", message: `create ${what}: client tokens exhausted` });
  }

  /** Decides whether an existing resource (by ARN) may be taken over. */
  private async mayAdopt(region: string, arn: string | undefined, what: string, adoptUntagged: boolean, tags: Record<string, string>): Promise<void> {
    if (!arn) throw new Stop({ reason: "Invalid", message: `${what} exists and cannot be inspected` });
    const t = await this.call<{ tags?: Record<string, string> }>(region, new ListTagsForResourceCommand({ resourceArn: arn }));
    const own = ownershipOf(t.tags, this.ctx.clusterName, this.ctx.controllerName);
    if (own === "foreign") {
      throw new Stop({ reason: "Invalid", message: `${what} already exists and belongs to another cluster or controller (tags ${TAG.cluster}/${TAG.controller}); not touching it` });
    }
    if (own === "untagged") {
      if (!adoptUntagged) {
        throw new Stop({ reason: "Invalid", message: `${what} already exists without gatehouse ownership tags; set spec.adoptUntagged in the LatticeConfig to take it over` });
      }
      await this.call(region, new TagResourceCommand({ resourceArn: arn, tags }));
    }
  }

  // ---- Gateways ------------------------------------------------------------------------

  private async gateway(g: GatewayModel): Promise<void> {
    await this.unit(g.key, async () => {
      await this.serviceNetwork(g);
      // A policy Lattice refuses is the Gateway's error, but does not hold up the VPC association.
      let policyFailed: unknown;
      try {
        await this.authPolicy(g);
      } catch (e) {
        if (!(e instanceof Stop) && !isCloudError(e)) throw e;
        policyFailed = e;
      }
      await this.vpcAssociation(g);
      if (policyFailed !== undefined) throw policyFailed;
    });
  }

  private async serviceNetwork(g: GatewayModel): Promise<void> {
    const k = this.known.get(g.sn.key);
    if (k && (k.c ?? false) === g.sn.create) {
      if (g.sn.create && k.h !== g.sn.hash) {
        this.change("update", "serviceNetwork", k.id, [g.source], `service network ${g.sn.name}: authType ${g.sn.authType}`);
        if (!this.dry) {
          await this.call(g.region, new UpdateServiceNetworkCommand({ serviceNetworkIdentifier: k.id, authType: g.sn.authType }));
          this.set(g.sn.key, { ...k, h: g.sn.hash });
        }
      }
      return;
    }
    if (!g.sn.create) {
      this.change("update", "serviceNetwork", g.sn.name, [g.source], `adopt existing service network ${g.sn.name} (not created, never deleted by gatehouse)`);
      if (this.dry) return;
      const found = await this.findServiceNetwork(g.region, g.sn.name);
      if (!found) throw new Stop({ reason: "Invalid", message: `service network ${g.sn.name} not found (serviceNetwork.create is false: it must exist)` });
      this.set(g.sn.key, { id: found.id, arn: found.arn, o: g.key, c: false, h: g.sn.hash });
      return;
    }
    this.change("create", "serviceNetwork", g.sn.name, [g.source], `service network ${g.sn.name} (authType ${g.sn.authType})`);
    if (this.dry) return;
    const params = { name: g.sn.name, authType: g.sn.authType, tags: g.sn.tags };
    let adopted = false;
    const { r, salt } = await this.create(`service network ${g.sn.name}`, `sn|${g.sn.name}`, params, k?.s ?? 0,
      async (clientToken) => {
        const r = await this.call<{ id: string; arn: string }>(g.region, new CreateServiceNetworkCommand({ ...params, clientToken }));
        // Service networks have no status: make sure a token replay is not a deleted one.
        try {
          await this.call(g.region, new GetServiceNetworkCommand({ serviceNetworkIdentifier: r.id }));
          return r;
        } catch (e) {
          if (isNotFound(e)) return { ...r, status: "DELETE_IN_PROGRESS" };
          throw e;
        }
      },
      async (e) => {
        adopted = true;
        const found = e.resourceId?.startsWith("sn-") ? { id: e.resourceId, arn: undefined as string | undefined } : await this.findServiceNetwork(g.region, g.sn.name);
        if (!found) return undefined;
        const got = await this.call<{ id: string; arn: string }>(g.region, new GetServiceNetworkCommand({ serviceNetworkIdentifier: found.id }));
        await this.mayAdopt(g.region, got.arn, `service network ${g.sn.name}`, g.config.adoptUntagged, g.sn.tags);
        return got;
      });
    this.set(g.sn.key, { id: r.id!, arn: r.arn!, o: g.key, c: true, h: g.sn.hash, s: salt });
    if (!adopted) this.snCreatedNow.add(g.sn.key);
  }

  /** Service networks this apply created (or replayed by client token): their auth policy is put without reading it first. */
  private readonly snCreatedNow = new Set<string>();

  /**
   * The service network's auth policy. Set in the config: put unless what Lattice holds is
   * already the same document (read once when we know nothing of it, compared normalized).
   * Not set: on a network gatehouse created, a policy it knows of is deleted; on an adopted
   * network nothing is touched (gatehouse forgets the policy; it stays as it is).
   */
  private async authPolicy(g: GatewayModel): Promise<void> {
    const ap = g.authPolicy;
    const sn = this.known.get(g.sn.key);
    const k = this.known.get(ap.key);
    const created = sn ? sn.c === true : g.sn.create;
    if (ap.text === undefined || ap.hash === undefined) {
      if (!k) return;
      if (created) {
        this.change("delete", "authPolicy", k.id, [g.source], `auth policy of service network ${g.sn.name} (removed from the LatticeConfig)`);
        if (!this.dry) {
          try {
            await this.call(g.region, new DeleteAuthPolicyCommand({ resourceIdentifier: k.id }));
          } catch (e) {
            if (!isNotFound(e)) throw asStop(e, `delete auth policy of service network ${g.sn.name}`);
          }
        }
      }
      this.known.delete(ap.key);
      return;
    }
    const same = k !== undefined && sn !== undefined && k.id === sn.id;
    if (same && k.h === ap.hash) return;
    if (!sn) {
      // Plan only: the network itself is still to be created (apply stops before this without it).
      this.change("create", "authPolicy", g.sn.name, [g.source], `auth policy of service network ${g.sn.name}`);
      return;
    }
    let held: string | undefined = same ? k.h : undefined;
    if (!same && !this.snCreatedNow.has(g.sn.key)) {
      if (this.dry) {
        this.change("update", "authPolicy", sn.id, [g.source], `auth policy of service network ${g.sn.name} (put unless Lattice holds the same document)`);
        return;
      }
      // Never seen (a network adopted or created before, a restart that lost it): one look.
      try {
        const got = await this.call<{ policy?: string; state?: string }>(g.region, new GetAuthPolicyCommand({ resourceIdentifier: sn.id }));
        held = storedFingerprint(got.policy);
        if (held === ap.hash) {
          this.set(ap.key, { id: sn.id, o: g.key, h: ap.hash, c: created, ...(got.state ? { st: got.state } : {}) });
          return;
        }
      } catch (e) {
        if (!isNotFound(e)) throw asStop(e, `read auth policy of service network ${g.sn.name}`);
      }
    }
    this.change(held === undefined ? "create" : "update", "authPolicy", sn.id, [g.source], `auth policy of service network ${g.sn.name}`);
    if (this.dry) return;
    let r: { state?: string };
    try {
      r = await this.call<{ state?: string }>(g.region, new PutAuthPolicyCommand({ resourceIdentifier: sn.id, policy: ap.text }));
    } catch (e) {
      throw asStop(e, `put auth policy of service network ${g.sn.name}`);
    }
    this.set(ap.key, { id: sn.id, o: g.key, h: ap.hash, c: true, ...(r.state ? { st: r.state } : {}) });
  }

  /** Targeted lookup by name (only when the id is unknown). */
  private async findServiceNetwork(region: string, name: string): Promise<{ id: string; arn: string } | undefined> {
    let nextToken: string | undefined;
    do {
      const page = await this.call<{ items?: { id?: string; arn?: string; name?: string }[]; nextToken?: string }>(
        region, new ListServiceNetworksCommand({ maxResults: 100, ...(nextToken ? { nextToken } : {}) }));
      const hit = page.items?.find((i) => i.name === name);
      if (hit?.id && hit.arn) return { id: hit.id, arn: hit.arn };
      nextToken = page.nextToken;
    } while (nextToken);
    return undefined;
  }

  private async vpcAssociation(g: GatewayModel): Promise<void> {
    const a = g.snva;
    if (!a) return;
    const sn = this.known.get(g.sn.key);
    let k = this.known.get(a.key);
    const ih = specHash({ vpc: a.vpcIdentifier, sn: sn?.id });
    if (k && k.ih !== undefined && k.ih !== ih) {
      // Another VPC or service network: the association is replaced.
      this.change("delete", "vpcAssociation", k.id, [g.source], `VPC association ${k.id} (VPC or service network changed)`);
      if (!this.dry) {
        await this.deleteVpcAssociation(g.region, a.key, k, g.key);
      }
      k = undefined;
      this.known.delete(a.key);
    }
    if (k) {
      if (k.h !== a.hash && a.securityGroupIds.length > 0) {
        this.change("update", "vpcAssociation", k.id, [g.source], `security groups ${a.securityGroupIds.join(", ")}`);
        if (!this.dry) {
          await this.call(g.region, new UpdateServiceNetworkVpcAssociationCommand({ serviceNetworkVpcAssociationIdentifier: k.id, securityGroupIds: a.securityGroupIds }));
          this.set(a.key, { ...k, h: a.hash });
        }
      }
      if (!this.dry && k.st && IN_PROGRESS.has(k.st)) await this.waitVpcAssociation(g.region, a.key);
      return;
    }
    this.change("create", "vpcAssociation", `${g.sn.name}|${a.vpcIdentifier}`, [g.source], `associate VPC ${a.vpcIdentifier} with service network ${g.sn.name}`);
    if (this.dry) return;
    if (!sn) throw pending(`service network ${g.sn.name} not known yet`);
    const params = {
      serviceNetworkIdentifier: sn.id, vpcIdentifier: a.vpcIdentifier,
      ...(a.securityGroupIds.length ? { securityGroupIds: a.securityGroupIds } : {}), tags: a.tags,
    };
    const { r, salt } = await this.create<{ id?: string; arn?: string; status?: string }>(`VPC association of ${a.vpcIdentifier}`, `snva|${sn.id}|${a.vpcIdentifier}`, params, 0,
      (clientToken) => this.call(g.region, new CreateServiceNetworkVpcAssociationCommand({ ...params, clientToken })),
      async (e) => {
        if (!e.resourceId?.startsWith("snva-")) return undefined;
        const got = await this.call<{ id: string; arn: string; status: string; serviceNetworkId?: string }>(g.region,
          new GetServiceNetworkVpcAssociationCommand({ serviceNetworkVpcAssociationIdentifier: e.resourceId }));
        if (got.serviceNetworkId !== sn.id) {
          throw new Stop({ reason: "Invalid", message: `VPC ${a.vpcIdentifier} is already associated with another service network (${got.serviceNetworkId}); a VPC joins one service network` });
        }
        await this.mayAdopt(g.region, got.arn, `VPC association ${got.id}`, g.config.adoptUntagged, a.tags);
        return got;
      });
    this.set(a.key, { id: r.id!, arn: r.arn!, o: g.key, h: a.securityGroupIds.length ? a.hash : specHash({ sgs: [] }), ih, st: r.status ?? "ACTIVE", s: salt });
    await this.waitVpcAssociation(g.region, a.key);
  }

  private async waitVpcAssociation(region: string, key: string): Promise<void> {
    const k = this.known.get(key)!;
    const st = await this.settle(`VPC association ${k.id}`, async () =>
      (await this.call<{ status?: string }>(region, new GetServiceNetworkVpcAssociationCommand({ serviceNetworkVpcAssociationIdentifier: k.id }))).status,
    k.st, "active");
    this.set(key, { ...k, st: st ?? "ACTIVE" });
    if (st?.endsWith("FAILED")) {
      this.known.delete(key);
      throw new Stop({ reason: "Invalid", message: `VPC association ${k.id} is ${st}` });
    }
  }

  private async deleteVpcAssociation(region: string, key: string, k: Known, _unit: string): Promise<void> {
    try {
      const r = await this.call<{ status?: string }>(region, new DeleteServiceNetworkVpcAssociationCommand({ serviceNetworkVpcAssociationIdentifier: k.id }));
      this.set(key, { ...k, st: r.status ?? "DELETE_IN_PROGRESS" });
      await this.settle(`VPC association ${k.id} deletion`, async () =>
        (await this.call<{ status?: string }>(region, new GetServiceNetworkVpcAssociationCommand({ serviceNetworkVpcAssociationIdentifier: k.id }))).status,
      r.status ?? "DELETE_IN_PROGRESS", "gone");
    } catch (e) {
      if (!isNotFound(e)) throw asStop(e, `delete VPC association ${k.id}`);
    }
    this.known.delete(key);
  }

  // ---- services: phase 1 (target groups and the service itself) ------------------------

  private async targetGroup(s: ServiceModel, tg: TargetGroupModel): Promise<void> {
    const k = this.known.get(tg.key);
    if (k) {
      if (tg.config.healthCheck && k.h !== tg.hash) {
        this.change("update", "targetGroup", k.id, tg.sources, `target group ${tg.name}: health check`);
        if (!this.dry) {
          await this.waitTargetGroup(s.region, tg.key);
          await this.call(s.region, new UpdateTargetGroupCommand({ targetGroupIdentifier: k.id, healthCheck: tg.config.healthCheck }));
          this.set(tg.key, { ...this.known.get(tg.key)!, h: tg.hash });
        }
      }
      return;
    }
    const proto = "protocolVersion" in tg.config ? `${tg.config.protocol}/${tg.config.protocolVersion}` : tg.config.protocol;
    this.change("create", "targetGroup", tg.name, tg.sources, `IP target group ${tg.name} for ${tg.backend} (${proto} port ${tg.config.port})`);
    if (this.dry) return;
    const params = { name: tg.name, type: "IP" as const, config: tg.config, tags: tg.tags };
    let adopted = false;
    const { r, salt } = await this.create<{ id?: string; arn?: string; status?: string }>(`target group ${tg.name}`, `tg|${tg.name}`, params, 0,
      (clientToken) => this.call(s.region, new CreateTargetGroupCommand({ ...params, clientToken })),
      async (e) => {
        adopted = true;
        const id = e.resourceId?.startsWith("tg-") ? e.resourceId : await this.findByName(s.region, "tg", tg.name);
        if (!id) return undefined;
        const got = await this.call<{ id: string; arn: string; status: string; config?: { port?: number; protocol?: string; protocolVersion?: string; vpcIdentifier?: string } }>(
          s.region, new GetTargetGroupCommand({ targetGroupIdentifier: id }));
        await this.mayAdopt(s.region, got.arn, `target group ${tg.name}`, this.adoptUntagged(s), tg.tags);
        return got;
      });
    this.set(tg.key, { id: r.id!, arn: r.arn!, o: s.name, st: r.status ?? "ACTIVE", s: salt, ...(tg.config.healthCheck ? {} : { h: tg.hash }) });
    // Only a group still CREATE_IN_PROGRESS is surely new and empty (we register targets once it
    // is ACTIVE). An adopted one, or a client-token replay of a group made before a crash (it
    // answers as it is now: ACTIVE), may hold targets of that time: its targets are listed once.
    if (!adopted && r.status === "CREATE_IN_PROGRESS") this.createdNow.add(tg.key);
  }

  /** Target groups this apply created (still empty): their targets are registered without listing. */
  private readonly createdNow = new Set<string>();

  private adoptUntagged(s: ServiceModel): boolean {
    return this.adoptBySvc.get(s.name) ?? false;
  }
  private readonly adoptBySvc = new Map<string, boolean>();

  /** Targeted lookup of a service or target group by name (only after a name conflict without resourceId). */
  private async findByName(region: string, kind: "svc" | "tg", name: string): Promise<string | undefined> {
    let nextToken: string | undefined;
    do {
      const cmd = kind === "svc"
        ? new ListServicesCommand({ maxResults: 100, ...(nextToken ? { nextToken } : {}) })
        : new ListTargetGroupsCommand({ maxResults: 100, ...(nextToken ? { nextToken } : {}) });
      const page = await this.call<{ items?: { id?: string; name?: string }[]; nextToken?: string }>(region, cmd);
      const hit = page.items?.find((i) => i.name === name);
      if (hit?.id) return hit.id;
      nextToken = page.nextToken;
    } while (nextToken);
    return undefined;
  }

  private async waitTargetGroup(region: string, key: string): Promise<void> {
    const k = this.known.get(key)!;
    if (!k.st || !IN_PROGRESS.has(k.st)) return;
    const st = await this.settle(`target group ${k.id}`, async () =>
      (await this.call<{ status?: string }>(region, new GetTargetGroupCommand({ targetGroupIdentifier: k.id }))).status, k.st, "active");
    if (st?.endsWith("FAILED")) {
      this.known.delete(key);
      throw new Stop({ reason: "Invalid", message: `target group ${k.id} is ${st}` });
    }
    this.set(key, { ...k, st: st ?? "ACTIVE" });
  }

  private async service(s: ServiceModel): Promise<void> {
    let k = this.known.get(s.key);
    if (k && k.ih !== undefined && k.ih !== s.immutableHash) {
      this.change("delete", "service", k.id, s.sources, `service ${s.name}: custom domain changed, replaced`);
      if (!this.dry) {
        await this.deleteServiceUnit(s.region, s.name, false);
        throw pending(`service ${s.name} is being replaced (custom domain changed)`);
      }
      k = undefined;
    }
    if (k) {
      if (k.h !== s.hash) {
        this.change("update", "service", k.id, s.sources, `service ${s.name}: certificate ${s.spec.certificateArn ?? "none"}`);
        if (!this.dry) {
          await this.waitService(s.region, s.key);
          await this.call(s.region, new UpdateServiceCommand({ serviceIdentifier: k.id, certificateArn: s.spec.certificateArn ?? "" }));
          this.set(s.key, { ...this.known.get(s.key)!, h: s.hash });
        }
      }
      return;
    }
    this.change("create", "service", s.name, s.sources, `service ${s.name} for ${s.route} on Gateway ${s.gatewayKey}${s.spec.customDomainName ? ` (${s.spec.customDomainName})` : ""}`);
    if (this.dry) return;
    const params = { name: s.name, ...s.spec, tags: s.tags };
    const { r, salt } = await this.create<{ id?: string; arn?: string; status?: string; customDomainName?: string; dnsEntry?: { domainName?: string } }>(
      `service ${s.name}`, `svc|${s.name}`, params, 0,
      (clientToken) => this.call(s.region, new CreateServiceCommand({ ...params, clientToken })),
      async (e) => {
        const id = e.resourceId?.startsWith("svc-") ? e.resourceId : await this.findByName(s.region, "svc", s.name);
        if (!id) return undefined;
        const got = await this.call<{ id: string; arn: string; status: string; customDomainName?: string; dnsEntry?: { domainName?: string } }>(
          s.region, new GetServiceCommand({ serviceIdentifier: id }));
        await this.mayAdopt(s.region, got.arn, `service ${s.name}`, this.adoptUntagged(s), s.tags);
        return got;
      });
    const adopted: Known = {
      id: r.id!, arn: r.arn!, o: s.name, gw: s.gatewayKey, r: s.route, st: r.status ?? "ACTIVE", s: salt,
      ih: specHash({ customDomainName: r.customDomainName }), h: s.hash,
      ...(r.dnsEntry?.domainName ? { d: r.dnsEntry.domainName } : {}),
    };
    this.set(s.key, adopted);
  }

  private async waitService(region: string, key: string): Promise<void> {
    const k = this.known.get(key)!;
    if (!k.st || !IN_PROGRESS.has(k.st)) return;
    let dns = k.d;
    const st = await this.settle(`service ${k.id}`, async () => {
      const got = await this.call<{ status?: string; dnsEntry?: { domainName?: string } }>(region, new GetServiceCommand({ serviceIdentifier: k.id }));
      dns = got.dnsEntry?.domainName ?? dns;
      return got.status;
    }, k.st, "active");
    if (st?.endsWith("FAILED")) {
      this.known.delete(key);
      throw new Stop({ reason: "Invalid", message: `service ${k.id} is ${st}` });
    }
    this.set(key, { ...k, st: st ?? "ACTIVE", ...(dns ? { d: dns } : {}) });
  }

  // ---- services: phase 2 (targets, association, listeners, rules) ---------------------

  private async targets(s: ServiceModel, tg: TargetGroupModel): Promise<void> {
    const k = this.known.get(tg.key);
    if (k && k.t === tg.targetsHash) return;
    // A group created by this apply has no targets yet: register without listing (see targetGroup()).
    const fresh = this.createdNow.has(tg.key);
    this.change("update", "targets", tg.name, tg.sources, `targets of ${tg.name}: ${tg.targets.length} ready endpoint(s)`);
    if (this.dry || !k) return;
    await this.waitTargetGroup(s.region, tg.key);
    const want = new Map(tg.targets.map((t) => [`${t.id}:${t.port}`, t]));
    const register: { id: string; port: number }[] = [];
    const deregister: { id: string; port: number }[] = [];
    if (fresh) {
      register.push(...tg.targets);
    } else {
      const have = new Map<string, string>();
      let nextToken: string | undefined;
      do {
        const page = await this.call<{ items?: { id?: string; port?: number; status?: string }[]; nextToken?: string }>(s.region,
          new ListTargetsCommand({ targetGroupIdentifier: k.id, maxResults: 100, ...(nextToken ? { nextToken } : {}) }));
        for (const i of page.items ?? []) if (i.id) have.set(`${i.id}:${i.port}`, i.status ?? "");
        nextToken = page.nextToken;
      } while (nextToken);
      for (const [key, t] of want) {
        const st = have.get(key);
        // Missing, or draining after an earlier deregistration: (re-)register.
        if (st === undefined || st === "DRAINING") register.push(t);
      }
      for (const [key, st] of have) {
        if (want.has(key) || st === "DRAINING") continue; // draining ones finish on their own
        const i = key.lastIndexOf(":");
        deregister.push({ id: key.slice(0, i), port: Number(key.slice(i + 1)) });
      }
    }
    const failed: string[] = [];
    for (let i = 0; i < deregister.length; i += 100) {
      await this.call(s.region, new DeregisterTargetsCommand({ targetGroupIdentifier: k.id, targets: deregister.slice(i, i + 100) }));
    }
    for (let i = 0; i < register.length; i += 100) {
      const r = await this.call<{ unsuccessful?: { id?: string; port?: number; failureCode?: string; failureMessage?: string }[] }>(s.region,
        new RegisterTargetsCommand({ targetGroupIdentifier: k.id, targets: register.slice(i, i + 100) }));
      for (const u of r.unsuccessful ?? []) failed.push(`${u.id}:${u.port} ${u.failureCode ?? ""} ${u.failureMessage ?? ""}`.trim());
    }
    this.set(tg.key, { ...this.known.get(tg.key)!, t: tg.targetsHash });
    if (failed.length) throw new Stop({ reason: "Invalid", message: `target group ${tg.name}: targets not registered: ${failed.join("; ")}` });
  }

  private async serviceAssociation(s: ServiceModel): Promise<void> {
    const k = this.known.get(s.snsaKey);
    const sn = this.known.get(s.snKey);
    const svc = this.known.get(s.key);
    if (k) {
      if (!this.dry && k.st && IN_PROGRESS.has(k.st)) await this.waitServiceAssociation(s.region, s.snsaKey);
      return;
    }
    this.change("create", "serviceAssociation", s.name, s.sources, `associate service ${s.name} with the service network of ${s.gatewayKey}`);
    if (this.dry) return;
    if (!sn || !svc) throw pending(`service network or service ${s.name} not ready`);
    const params = { serviceIdentifier: svc.id, serviceNetworkIdentifier: sn.id, tags: s.tags };
    const { r, salt } = await this.create<{ id?: string; arn?: string; status?: string }>(`association of ${s.name}`, `snsa|${svc.id}|${sn.id}`, params, 0,
      (clientToken) => this.call(s.region, new CreateServiceNetworkServiceAssociationCommand({ ...params, clientToken })),
      async (e) => {
        if (!e.resourceId?.startsWith("snsa-")) return undefined;
        return this.call(s.region, new GetServiceNetworkServiceAssociationCommand({ serviceNetworkServiceAssociationIdentifier: e.resourceId }));
      });
    this.set(s.snsaKey, { id: r.id!, arn: r.arn!, o: s.name, st: r.status ?? "ACTIVE", s: salt });
    await this.waitServiceAssociation(s.region, s.snsaKey);
  }

  private async waitServiceAssociation(region: string, key: string): Promise<void> {
    const k = this.known.get(key)!;
    const st = await this.settle(`service association ${k.id}`, async () =>
      (await this.call<{ status?: string }>(region, new GetServiceNetworkServiceAssociationCommand({ serviceNetworkServiceAssociationIdentifier: k.id }))).status,
    k.st, "active");
    if (st?.endsWith("FAILED")) {
      this.known.delete(key);
      throw new Stop({ reason: "Invalid", message: `service association ${k.id} is ${st}` });
    }
    this.set(key, { ...k, st: st ?? "ACTIVE" });
  }

  private tgId(key: string): string {
    const k = this.known.get(key);
    if (!k) throw pending(`target group ${key.slice(3)} not created yet`);
    return k.id;
  }

  private async listeners(s: ServiceModel): Promise<void> {
    const svc = this.known.get(s.key);
    const want = new Set(s.listeners.map((l) => l.key));
    // Stale listeners first: a port may move to a new listener name.
    for (const [key, k] of this.ownedBy(s.name, `lis/${s.name}/`)) {
      if (want.has(key)) continue;
      this.change("delete", "listener", k.id, s.sources, `listener ${key.split("/").pop()} of ${s.name}`);
      if (this.dry) { this.known.delete(key); continue; }
      try {
        await this.call(s.region, new DeleteListenerCommand({ serviceIdentifier: svc!.id, listenerIdentifier: k.id }));
      } catch (e) {
        if (!isNotFound(e)) throw asStop(e, `delete listener ${k.id}`);
      }
      this.known.delete(key);
      for (const [rk] of this.ownedBy(s.name, `rule/${s.name}/${key.split("/").pop()}/`)) this.known.delete(rk);
    }
    for (const l of s.listeners) {
      await this.listener(s, l, false);
      // A TLS_PASSTHROUGH listener has only its default rule (its default action forwards).
      if (l.protocol !== "TLS_PASSTHROUGH") await this.rules(s, l);
    }
  }

  private async listener(s: ServiceModel, l: ListenerModel, refreshed: boolean): Promise<void> {
    const k = this.known.get(l.key);
    const svc = this.known.get(s.key);
    if (k) {
      if (k.h !== l.hash) {
        this.change("update", "listener", k.id, l.sources, `listener ${l.name}: default action`);
        if (!this.dry) {
          await this.call(s.region, new UpdateListenerCommand({ serviceIdentifier: svc!.id, listenerIdentifier: k.id, defaultAction: sdkAction(l.defaultAction, (x) => this.tgId(x)) }));
          this.set(l.key, { ...k, h: l.hash });
        }
      }
      return;
    }
    this.change("create", "listener", `${s.name}/${l.name}`, l.sources, `${l.protocol} listener ${l.name} on port ${l.port} of ${s.name}`);
    if (this.dry) return;
    if (!svc) throw pending(`service ${s.name} not created yet`);
    const params = { name: l.name, protocol: l.protocol, port: l.port, defaultAction: sdkAction(l.defaultAction, (x) => this.tgId(x)), tags: l.tags };
    try {
      const r = await this.call<{ id: string; arn: string }>(s.region, new CreateListenerCommand({
        serviceIdentifier: svc.id, ...params, clientToken: clientToken(`lis|${svc.id}|${l.name}`, params, 0),
      }));
      this.set(l.key, { id: r.id, arn: r.arn, o: s.name, h: l.hash });
    } catch (e) {
      if (!isConflict(e) || refreshed) throw asStop(e, `create listener ${l.name} of ${s.name}`);
      await this.refreshListeners(s);
      await this.listener(s, l, true);
    }
  }

  /** Targeted lookup after a conflict: this service's listeners (by name). */
  private async refreshListeners(s: ServiceModel): Promise<void> {
    const svc = this.known.get(s.key)!;
    let nextToken: string | undefined;
    do {
      const page = await this.call<{ items?: { id?: string; arn?: string; name?: string }[]; nextToken?: string }>(s.region,
        new ListListenersCommand({ serviceIdentifier: svc.id, maxResults: 100, ...(nextToken ? { nextToken } : {}) }));
      for (const i of page.items ?? []) {
        if (!i.id || !i.name) continue;
        const key = `lis/${s.name}/${i.name}`;
        const cur = this.known.get(key);
        if (cur?.id !== i.id) this.set(key, { id: i.id, ...(i.arn ? { arn: i.arn } : {}), o: s.name });
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }

  private async rules(s: ServiceModel, l: ListenerModel): Promise<void> {
    try {
      await this.syncRules(s, l);
    } catch (e) {
      if (this.dry || !isConflict(e)) throw e;
      // Our picture of the listener's rules is stale (a restart after a partial apply): look, then retry once.
      await this.refreshRules(s, l);
      await this.syncRules(s, l);
    }
  }

  private async refreshRules(s: ServiceModel, l: ListenerModel): Promise<void> {
    const svc = this.known.get(s.key)!;
    const lis = this.known.get(l.key)!;
    const prefix = `rule/${s.name}/${l.name}/`;
    for (const [k] of this.ownedBy(s.name, prefix)) this.known.delete(k);
    let nextToken: string | undefined;
    do {
      const page = await this.call<{ items?: { id?: string; name?: string; priority?: number; isDefault?: boolean }[]; nextToken?: string }>(s.region,
        new ListRulesCommand({ serviceIdentifier: svc.id, listenerIdentifier: lis.id, maxResults: 100, ...(nextToken ? { nextToken } : {}) }));
      for (const i of page.items ?? []) {
        if (i.isDefault || !i.id || !i.name) continue;
        this.set(`${prefix}${i.name}`, { id: i.id, o: s.name, ...(i.priority !== undefined ? { p: i.priority } : {}) });
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }

  private async syncRules(s: ServiceModel, l: ListenerModel): Promise<void> {
    const prefix = `rule/${s.name}/${l.name}/`;
    const svcId = this.known.get(s.key)?.id ?? "";
    const lisId = this.known.get(l.key)?.id ?? "";
    const want = new Map(l.rules.map((r) => [r.key, r]));
    // 1. Rules no longer wanted.
    for (const [key, k] of this.ownedBy(s.name, prefix)) {
      if (want.has(key)) continue;
      this.change("delete", "rule", k.id, s.sources, `rule ${key.slice(prefix.length)} of ${s.name}/${l.name}`);
      if (!this.dry) {
        try {
          await this.call(s.region, new DeleteRuleCommand({ serviceIdentifier: svcId, listenerIdentifier: lisId, ruleIdentifier: k.id }));
        } catch (e) {
          if (!isNotFound(e)) throw isConflict(e) ? e : asStop(e, `delete rule ${k.id}`);
        }
      }
      this.known.delete(key);
    }
    // 2. Existing rules: match/action changes and priority moves, ordered so that no two rules
    //    ever share a priority (a cycle goes through a free priority).
    const occupied = new Map<number, string>();
    for (const [key, k] of this.ownedBy(s.name, prefix)) if (k.p !== undefined) occupied.set(k.p, key);
    const targets = new Set(l.rules.map((r) => r.priority));
    const todo = l.rules.filter((r) => {
      const k = this.known.get(r.key);
      return k && (k.h !== r.hash || k.p !== r.priority);
    });
    const update = async (r: RuleModel, priority: number, final: boolean) => {
      const k = this.known.get(r.key)!;
      const withSpec = final && k.h !== r.hash;
      this.change("update", "rule", k.id, r.sources,
        `rule ${r.name} of ${s.name}/${l.name}: ${[k.p !== priority ? `priority ${k.p ?? "?"} → ${priority}` : "", withSpec ? "match/action" : ""].filter(Boolean).join(", ")}`);
      if (!this.dry) {
        await this.call(s.region, new UpdateRuleCommand({
          serviceIdentifier: svcId, listenerIdentifier: lisId, ruleIdentifier: k.id,
          ...(k.p !== priority ? { priority } : {}),
          ...(withSpec ? { match: sdkMatch(r.match), action: sdkAction(r.action, (x) => this.tgId(x)) } : {}),
        }));
      }
      if (k.p !== undefined && occupied.get(k.p) === r.key) occupied.delete(k.p);
      occupied.set(priority, r.key);
      this.set(r.key, { ...k, p: priority, ...(final ? { h: r.hash } : {}) });
    };
    while (todo.length) {
      const i = todo.findIndex((r) => {
        const at = occupied.get(r.priority);
        return at === undefined || at === r.key;
      });
      if (i >= 0) {
        const [r] = todo.splice(i, 1);
        await update(r!, r!.priority, true);
        continue;
      }
      // Every remaining move waits on another: park one on a priority nobody holds or wants.
      let free = 1;
      while (occupied.has(free) || targets.has(free)) free++;
      await update(todo[0]!, free, false);
    }
    // 3. New rules (their priorities are free now).
    for (const r of l.rules) {
      if (this.known.has(r.key)) continue;
      this.change("create", "rule", `${s.name}/${l.name}/${r.name}`, r.sources, `rule ${r.name} priority ${r.priority} of ${s.name}/${l.name}`);
      if (this.dry) continue;
      const params = { name: r.name, priority: r.priority, match: sdkMatch(r.match), action: sdkAction(r.action, (x) => this.tgId(x)), tags: r.tags };
      const got = await this.call<{ id: string; arn: string }>(s.region, new CreateRuleCommand({
        serviceIdentifier: svcId, listenerIdentifier: lisId, ...params, clientToken: clientToken(`rule|${lisId}|${r.name}`, params, 0),
      }));
      this.set(r.key, { id: got.id, o: s.name, p: r.priority, h: r.hash });
    }
  }

  /** Target groups of a live service that no rule uses any more. */
  private async staleTargetGroups(s: ServiceModel): Promise<void> {
    const want = new Set(s.targetGroups.map((t) => t.key));
    for (const [key, k] of this.ownedBy(s.name, "tg/")) {
      if (want.has(key)) continue;
      await this.deleteTargetGroup(s.region, key, k, s.sources);
    }
  }

  private async deleteTargetGroup(region: string, key: string, k: Known, sources: string[]): Promise<void> {
    this.change("delete", "targetGroup", k.id, sources, `target group ${key.slice(3)}`);
    if (this.dry) { this.known.delete(key); return; }
    try {
      await this.call(region, new DeleteTargetGroupCommand({ targetGroupIdentifier: k.id }));
    } catch (e) {
      if (!isNotFound(e)) throw asStop(e, `delete target group ${k.id}`);
    }
    this.known.delete(key);
  }

  // ---- deletions -----------------------------------------------------------------------

  /**
   * Removes a route's service on one Gateway: association (waited out), service (its
   * listeners and rules go with it), then its target groups unless keepTargetGroups.
   * Stops with Pending while something is still on its way out.
   */
  async deleteServiceUnit(region: string, name: string, withTargetGroups = true): Promise<void> {
    const svcKey = `svc/${name}`;
    const svc = this.known.get(svcKey);
    const sources = svc?.r ? [svc.r] : [];
    const a = this.known.get(`snsa/${name}`);
    if (a) {
      this.change("delete", "serviceAssociation", a.id, sources, `association of service ${name}`);
      if (!this.dry) {
        try {
          const r = await this.call<{ status?: string }>(region, new DeleteServiceNetworkServiceAssociationCommand({ serviceNetworkServiceAssociationIdentifier: a.id }));
          this.set(`snsa/${name}`, { ...a, st: r.status ?? "DELETE_IN_PROGRESS" });
          await this.settle(`association ${a.id} deletion`, async () =>
            (await this.call<{ status?: string }>(region, new GetServiceNetworkServiceAssociationCommand({ serviceNetworkServiceAssociationIdentifier: a.id }))).status,
          r.status ?? "DELETE_IN_PROGRESS", "gone");
        } catch (e) {
          if (!isNotFound(e)) throw asStop(e, `delete association ${a.id}`);
        }
      }
      this.known.delete(`snsa/${name}`);
    }
    if (svc) {
      this.change("delete", "service", svc.id, sources, `service ${name} (with its listeners and rules)`);
      if (!this.dry) {
        try {
          await this.call(region, new DeleteServiceCommand({ serviceIdentifier: svc.id }));
        } catch (e) {
          if (!isNotFound(e)) throw asStop(e, `delete service ${svc.id}`);
        }
      }
      this.known.delete(svcKey);
      for (const [k] of this.ownedBy(name, "lis/")) this.known.delete(k);
      for (const [k] of this.ownedBy(name, "rule/")) this.known.delete(k);
    }
    if (withTargetGroups) {
      for (const [key, k] of this.ownedBy(name, "tg/")) await this.deleteTargetGroup(region, key, k, sources);
    }
  }

  async deleteGatewayUnit(region: string, gatewayKey: string, source: string): Promise<void> {
    const va = this.known.get(`snva/${gatewayKey}`);
    if (va) {
      this.change("delete", "vpcAssociation", va.id, [source], `VPC association of Gateway ${gatewayKey}`);
      if (!this.dry) await this.deleteVpcAssociation(region, `snva/${gatewayKey}`, va, gatewayKey);
      else this.known.delete(`snva/${gatewayKey}`);
    }
    const sn = this.known.get(`sn/${gatewayKey}`);
    // The auth policy: a network we created takes it along; on an adopted one it is deleted
    // only when gatehouse put it (the ap/ entry says so), and forgotten either way.
    const apKey = `ap/${gatewayKey}`;
    const ap = this.known.get(apKey);
    if (ap && !sn?.c) {
      if (ap.c) {
        this.change("delete", "authPolicy", ap.id, [source], `auth policy gatehouse put on the adopted service network of Gateway ${gatewayKey}`);
        if (!this.dry) {
          try {
            await this.call(region, new DeleteAuthPolicyCommand({ resourceIdentifier: ap.id }));
          } catch (e) {
            if (!isNotFound(e)) throw asStop(e, `delete auth policy of service network ${ap.id}`);
          }
        }
      }
      this.known.delete(apKey);
    }
    if (sn) {
      if (sn.c) {
        this.change("delete", "serviceNetwork", sn.id, [source], `service network of Gateway ${gatewayKey}`);
        if (!this.dry) {
          try {
            await this.call(region, new DeleteServiceNetworkCommand({ serviceNetworkIdentifier: sn.id }));
          } catch (e) {
            if (!isNotFound(e)) throw asStop(e, `delete service network ${sn.id}`);
          }
        }
        this.known.delete(apKey);
      }
      this.known.delete(`sn/${gatewayKey}`);
    }
  }

  /** Runs `f` as the unit's work; exposed for finalize. */
  async run(unit: string, f: () => Promise<void>): Promise<boolean> {
    return this.unit(unit, f);
  }

  // ---- the whole pass ------------------------------------------------------------------

  async reconcile(model: DesiredModel): Promise<void> {
    const gwByKey = new Map(model.gateways.map((g) => [g.key, g]));
    for (const s of model.services) this.adoptBySvc.set(s.name, gwByKey.get(s.gatewayKey)?.config.adoptUntagged ?? false);
    for (const g of model.gateways) if (!g.invalid) await this.gateway(g);
    // A service needs its Gateway's service network, not the VPC association (which may still be in progress).
    const blocked = (s: ServiceModel) => this.problems.has(s.gatewayKey) && !(this.dry || this.known.has(s.snKey));
    const live = model.services.filter((s) => !blocked(s));
    for (const s of model.services) {
      const p = this.problems.get(s.gatewayKey);
      if (p && blocked(s)) this.problems.set(s.name, { reason: "Pending", message: `Gateway ${s.gatewayKey}: ${p.message}` });
    }
    // Phase 1: target groups and services are created without waiting for each other.
    for (const s of live) {
      await this.unit(s.name, async () => {
        for (const tg of s.targetGroups) await this.targetGroup(s, tg);
        await this.service(s);
      });
    }
    // Phase 2: everything that needs them ACTIVE.
    for (const s of live) {
      await this.unit(s.name, async () => {
        if (!this.dry) {
          await this.waitService(s.region, s.key);
          for (const tg of s.targetGroups) await this.waitTargetGroup(s.region, tg.key);
        }
        for (const tg of s.targetGroups) await this.targets(s, tg);
        await this.serviceAssociation(s);
        await this.listeners(s);
        await this.staleTargetGroups(s);
      });
    }
    // Stale services: not desired, and their Gateway is not merely invalid right now.
    const wanted = new Set(model.services.map((s) => s.name));
    const frozen = new Set(model.gateways.filter((g) => g.invalid).map((g) => g.key));
    for (const [key, k] of [...this.known.entries()].filter(([key]) => key.startsWith("svc/")).sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const name = key.slice(4);
      if (wanted.has(name) || (k.gw !== undefined && frozen.has(k.gw))) continue;
      const region = (k.gw && gwByKey.get(k.gw)?.region) ?? this.ctx.defaultRegion;
      await this.unit(name, () => this.deleteServiceUnit(region, name));
    }
    // Target groups, associations, listeners or rules left without a service entry (partial deletes).
    const owners = new Set([...this.known.entries()].filter(([key]) => key.startsWith("svc/")).map(([key]) => key.slice(4)));
    const orphans = new Set([...this.known.entries()]
      .filter(([key, k]) => /^(tg|snsa|lis|rule)\//.test(key) && !owners.has(k.o) && !wanted.has(k.o)).map(([, k]) => k.o));
    for (const name of [...orphans].sort()) await this.unit(name, () => this.deleteServiceUnit(this.ctx.defaultRegion, name));
    // Stale Gateways.
    for (const [key, k] of [...this.known.entries()].filter(([key]) => /^(sn|snva|ap)\//.test(key)).sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (gwByKey.has(k.o) || !this.known.has(key)) continue;
      const servicesLeft = [...this.known.values()].some((x) => x.gw === k.o);
      if (servicesLeft) continue;
      await this.unit(k.o, () => this.deleteGatewayUnit(this.ctx.defaultRegion, k.o, `gateway/${k.o}`));
    }
  }
}

export { errorName };
