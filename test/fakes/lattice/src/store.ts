// The fake's state: every resource of one account and region, the async transitions that
// advance with the clock, idempotency records for client tokens, tags and pagination.
import { Clock } from "./clock.js";
import { conflict, invalid, notFound, type ResourceType } from "./errors.js";
import { Arns, Ids, idOf } from "./ids.js";
import type {
  AuthPolicyRec,
  ListenerRec,
  RuleRec,
  ServiceAssociationRec,
  ServiceNetworkRec,
  ServiceRec,
  TargetGroupRec,
  TargetRec,
  Timed,
  VpcAssociationRec,
} from "./model.js";
import type { ResolvedOptions } from "./options.js";
import { Check, type Json } from "./validate.js";

export const GONE = "GONE";

interface IdempotencyRecord {
  fingerprint: string;
  replay: () => Json;
}

export class Store {
  readonly serviceNetworks = new Map<string, ServiceNetworkRec>();
  readonly services = new Map<string, ServiceRec>();
  readonly vpcAssociations = new Map<string, VpcAssociationRec>();
  readonly serviceAssociations = new Map<string, ServiceAssociationRec>();
  readonly listeners = new Map<string, ListenerRec>();
  readonly rules = new Map<string, RuleRec>();
  readonly targetGroups = new Map<string, TargetGroupRec>();
  /** Target group id → "id:port" → target. */
  readonly targets = new Map<string, Map<string, TargetRec>>();
  /** Service or service network id → auth policy. */
  readonly authPolicies = new Map<string, AuthPolicyRec>();
  /** ARN → tags. */
  readonly tags = new Map<string, Record<string, string>>();
  private readonly tokens = new Map<string, IdempotencyRecord>();
  private seqN = 0;
  readonly arns: Arns;

  constructor(
    readonly opts: ResolvedOptions,
    readonly clock: Clock,
    readonly ids: Ids,
  ) {
    this.arns = new Arns(opts.region, opts.accountId);
  }

  now(): number {
    return this.clock.now();
  }

  seq(): number {
    return ++this.seqN;
  }

  reset(): void {
    for (const m of [
      this.serviceNetworks,
      this.services,
      this.vpcAssociations,
      this.serviceAssociations,
      this.listeners,
      this.rules,
      this.targetGroups,
      this.targets,
      this.authPolicies,
      this.tags,
      this.tokens,
    ]) {
      m.clear();
    }
    this.seqN = 0;
  }

  // ---- async states -------------------------------------------------------------------

  /** Puts `rec` in `transient` for `delay` ms, then `final` (GONE: removed). 0 ms: final at once. */
  transition(rec: Timed, transient: string, final: string, delay: number): void {
    if (delay <= 0) {
      rec.status = final === GONE ? transient : final;
      delete rec.until;
      delete rec.next;
      if (final === GONE) {
        rec.until = this.now();
        rec.next = GONE;
      }
      return;
    }
    rec.status = transient;
    rec.until = this.now() + delay;
    rec.next = final;
  }

  /** Applies every transition whose time has come. Called before each request is served. */
  tick(): void {
    const now = this.now();
    const due = (r: Timed) => r.until !== undefined && r.until <= now;
    const settle = <T extends Timed & { id: string; arn: string }>(m: Map<string, T>, onGone?: (r: T) => void) => {
      for (const r of [...m.values()]) {
        if (!due(r)) continue;
        if (r.next === GONE) {
          m.delete(r.id);
          this.tags.delete(r.arn);
          onGone?.(r);
        } else {
          r.status = r.next ?? r.status;
          delete r.until;
          delete r.next;
        }
      }
    };
    settle(this.services, (s) => this.authPolicies.delete(s.id));
    settle(this.targetGroups, (tg) => this.targets.delete(tg.id));
    settle(this.vpcAssociations);
    settle(this.serviceAssociations);
    for (const ts of this.targets.values()) {
      for (const [k, t] of ts) if (t.drainUntil !== undefined && t.drainUntil <= now) ts.delete(k);
    }
  }

  // ---- lookups ------------------------------------------------------------------------

  serviceNetwork(identifier: string): ServiceNetworkRec {
    const sn = this.serviceNetworks.get(idOf(identifier));
    if (!sn || (identifier.startsWith("arn:") && sn.arn !== identifier)) throw notFound("SERVICE_NETWORK", identifier, "service network");
    return sn;
  }

  service(identifier: string): ServiceRec {
    const s = this.services.get(idOf(identifier));
    if (!s || (identifier.startsWith("arn:") && s.arn !== identifier)) throw notFound("SERVICE", identifier, "service");
    return s;
  }

  listener(service: ServiceRec, identifier: string): ListenerRec {
    const l = this.listeners.get(idOf(identifier));
    if (!l || l.svcId !== service.id || (identifier.startsWith("arn:") && l.arn !== identifier)) {
      throw notFound("LISTENER", identifier, "listener");
    }
    return l;
  }

  targetGroup(identifier: string): TargetGroupRec {
    const tg = this.targetGroups.get(idOf(identifier));
    if (!tg || (identifier.startsWith("arn:") && tg.arn !== identifier)) throw notFound("TARGET_GROUP", identifier, "target group");
    return tg;
  }

  vpcAssociation(identifier: string): VpcAssociationRec {
    const a = this.vpcAssociations.get(idOf(identifier));
    if (!a || (identifier.startsWith("arn:") && a.arn !== identifier)) {
      throw notFound("SERVICE_NETWORK_VPC_ASSOCIATION", identifier, "service network VPC association");
    }
    return a;
  }

  serviceAssociation(identifier: string): ServiceAssociationRec {
    const a = this.serviceAssociations.get(idOf(identifier));
    if (!a || (identifier.startsWith("arn:") && a.arn !== identifier)) {
      throw notFound("SERVICE_NETWORK_SERVICE_ASSOCIATION", identifier, "service network service association");
    }
    return a;
  }

  /** Whether an ARN names one of the fake's taggable resources. */
  hasArn(arn: string): boolean {
    for (const m of [
      this.serviceNetworks,
      this.services,
      this.vpcAssociations,
      this.serviceAssociations,
      this.listeners,
      this.rules,
      this.targetGroups,
    ] as Map<string, { arn: string }>[]) {
      for (const r of m.values()) if (r.arn === arn) return true;
    }
    return false;
  }

  /** Rejects using a resource in a transient state (when requireActive is on). */
  requireActive(type: ResourceType, rec: Timed & { id: string }, what: string): void {
    if (rec.status === "ACTIVE") return;
    if (rec.status === "DELETE_IN_PROGRESS" || this.opts.requireActive) {
      throw conflict(type, rec.id, `The ${what} '${rec.id}' is in state ${rec.status}; retry when it is ACTIVE.`);
    }
  }

  // ---- references -----------------------------------------------------------------------

  /** Target group ids a rule action / listener default action forwards to. */
  static forwardTargets(action: Json | undefined): string[] {
    const fwd = action?.["forward"] as Json | undefined;
    const tgs = fwd?.["targetGroups"];
    if (!Array.isArray(tgs)) return [];
    return tgs.map((t) => String((t as Json)["targetGroupIdentifier"]));
  }

  /** Service ids whose listeners or rules forward to the target group. */
  servicesUsing(tgId: string): string[] {
    const out = new Set<string>();
    for (const l of this.listeners.values()) if (Store.forwardTargets(l.defaultAction).includes(tgId)) out.add(l.svcId);
    for (const r of this.rules.values()) if (Store.forwardTargets(r.action).includes(tgId)) out.add(r.svcId);
    return [...out].sort();
  }

  // ---- idempotency ----------------------------------------------------------------------

  /**
   * Runs a create once per client token: the same token with the same parameters replays the
   * first result (the resource as it is now), with other parameters it is a ConflictException.
   */
  idempotent(op: string, token: string | undefined, params: Json, create: () => { result: Json; replay: () => Json }): Json {
    if (token === undefined) return create().result;
    const key = `${op}\n${token}`;
    const fingerprint = stableJson(params);
    const prior = this.tokens.get(key);
    if (prior) {
      if (prior.fingerprint !== fingerprint) {
        throw conflict("RESOURCE", token, `The client token '${token}' was already used with different parameters.`);
      }
      return prior.replay();
    }
    const { result, replay } = create();
    this.tokens.set(key, { fingerprint, replay });
    return result;
  }

  // ---- pagination -----------------------------------------------------------------------

  /** One page of `items` (in creation order) for maxResults / nextToken from the query. */
  page<T extends { seq: number }>(list: string, items: T[], query: URLSearchParams): { items: T[]; nextToken?: string } {
    const c = new Check();
    const rawMax = query.get("maxResults");
    let max = this.opts.defaultPageSize;
    if (rawMax !== null) {
      const n = /^-?\d+$/.test(rawMax) ? Number(rawMax) : Number.NaN;
      const v = c.int("maxResults", Number.isNaN(n) ? rawMax : n, { min: 1, max: 100 });
      if (v !== undefined) max = v;
    }
    const token = query.get("nextToken");
    let after = 0;
    if (token !== null) {
      const t = c.str("nextToken", token, { min: 1, max: 2048 });
      if (t !== undefined) {
        const decoded = decodeToken(t);
        if (!decoded || decoded.k !== list) throw invalid(`The nextToken '${t}' is not valid for this request.`, "nextToken");
        after = decoded.s;
      }
    }
    c.done();
    const sorted = [...items].sort((a, b) => a.seq - b.seq).filter((i) => i.seq > after);
    const pageItems = sorted.slice(0, max);
    const last = pageItems.at(-1);
    return sorted.length > max && last ? { items: pageItems, nextToken: encodeToken(list, last.seq) } : { items: pageItems };
  }

  // ---- tags -----------------------------------------------------------------------------

  setTags(arn: string, tags: Record<string, string> | undefined): void {
    const cur = this.tags.get(arn) ?? {};
    Object.assign(cur, tags ?? {});
    this.tags.set(arn, cur);
  }
}

function encodeToken(list: string, seq: number): string {
  return Buffer.from(JSON.stringify({ k: list, s: seq })).toString("base64url");
}

function decodeToken(t: string): { k: string; s: number } | undefined {
  try {
    const v = JSON.parse(Buffer.from(t, "base64url").toString("utf8")) as unknown;
    if (v && typeof v === "object" && typeof (v as Json)["k"] === "string" && Number.isInteger((v as Json)["s"])) {
      return v as { k: string; s: number };
    }
  } catch {
    // not one of ours
  }
  return undefined;
}

/** JSON with sorted keys: equal for equal parameters whatever the key order. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Json;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}
