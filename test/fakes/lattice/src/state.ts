// What tests see of the fake's state without going through the API: a snapshot in the API's
// own shapes, counts, a flat resource list with tags, and a few levers (limits, delays,
// target health, settling every pending transition).
import type { Delays, Limits } from "./options.js";
import type { TargetStatus } from "./model.js";
import type { Store } from "./store.js";
import type { Json } from "./validate.js";
import {
  listenerView,
  ruleView,
  serviceAssociationView,
  serviceNetworkView,
  serviceView,
  targetGroupView,
  targetView,
  vpcAssociationView,
} from "./views.js";
import { idOf } from "./ids.js";

export type ResourceKind =
  | "serviceNetwork"
  | "service"
  | "vpcAssociation"
  | "serviceAssociation"
  | "listener"
  | "rule"
  | "targetGroup";

export interface ResourceEntry {
  kind: ResourceKind;
  id: string;
  arn: string;
  name?: string;
  status?: string;
  tags: Record<string, string>;
}

export interface Snapshot {
  serviceNetworks: Json[];
  services: Json[];
  vpcAssociations: Json[];
  serviceAssociations: Json[];
  /** GetListener shapes. */
  listeners: Json[];
  /** GetRule shapes of non-default rules, with serviceId and listenerId added. */
  rules: Json[];
  targetGroups: Json[];
  /** Target group id → ListTargets items. */
  targets: Record<string, Json[]>;
  /** ARN → tags (resources without tags left out). */
  tags: Record<string, Record<string, string>>;
  /** Service or service network id → policy text. */
  authPolicies: Record<string, string>;
}

export class FakeState {
  constructor(private readonly s: Store) {}

  /** Live quotas: change them in a test (e.g. `state.limits.rulesPerListener = 3`). */
  get limits(): Limits {
    return this.s.opts.limits;
  }

  /** Live async delays (ms of the fake's clock). */
  get delays(): Delays {
    return this.s.opts.delays;
  }

  now(): number {
    return this.s.now();
  }

  /** Moves the fake's clock and applies the transitions that are due. */
  advance(ms: number): void {
    this.s.clock.advance(ms);
    this.s.tick();
  }

  /** Finishes every pending transition (creates, deletes, draining, initial health checks). */
  settle(): void {
    const now = this.s.now();
    let until = now;
    const timed = [...this.s.services.values(), ...this.s.targetGroups.values(), ...this.s.vpcAssociations.values(), ...this.s.serviceAssociations.values()];
    for (const r of timed) if (r.until !== undefined) until = Math.max(until, r.until);
    for (const ts of this.s.targets.values()) {
      for (const t of ts.values()) {
        until = Math.max(until, t.drainUntil ?? 0, t.registeredAt + this.s.opts.delays.targetHealthCheck);
      }
    }
    this.advance(until - now);
  }

  snapshot(): Snapshot {
    const s = this.s;
    s.tick();
    const bySeq = <T extends { seq: number }>(m: Map<string, T>) => [...m.values()].sort((a, b) => a.seq - b.seq);
    const targets: Record<string, Json[]> = {};
    for (const tg of bySeq(s.targetGroups)) {
      const ts = [...(s.targets.get(tg.id)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
      if (ts.length) targets[tg.id] = ts.map((t) => targetView(s, tg, t));
    }
    const tags: Record<string, Record<string, string>> = {};
    for (const [arn, t] of [...s.tags].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (Object.keys(t).length) tags[arn] = { ...t };
    }
    const authPolicies: Record<string, string> = {};
    for (const [id, p] of s.authPolicies) authPolicies[id] = p.policy;
    return {
      serviceNetworks: bySeq(s.serviceNetworks).map((x) => serviceNetworkView(s, x)),
      services: bySeq(s.services).map(serviceView),
      vpcAssociations: bySeq(s.vpcAssociations).map((x) => vpcAssociationView(s, x)),
      serviceAssociations: bySeq(s.serviceAssociations).map((x) => serviceAssociationView(s, x)),
      listeners: bySeq(s.listeners).map((x) => listenerView(s, x)),
      rules: bySeq(s.rules).map((x) => ({ ...ruleView(x), serviceId: x.svcId, listenerId: x.listenerId })),
      targetGroups: bySeq(s.targetGroups).map((x) => targetGroupView(s, x)),
      targets,
      tags,
      authPolicies,
    };
  }

  /** Every resource as kind, id, ARN, name, status and tags, in creation order. */
  resources(): ResourceEntry[] {
    const s = this.s;
    s.tick();
    const out: (ResourceEntry & { seq: number })[] = [];
    const add = (kind: ResourceKind, m: Map<string, { id: string; arn: string; seq: number; name?: string; status?: string }>) => {
      for (const r of m.values()) {
        out.push({
          kind,
          id: r.id,
          arn: r.arn,
          seq: r.seq,
          ...(r.name !== undefined ? { name: r.name } : {}),
          ...(r.status !== undefined ? { status: r.status } : {}),
          tags: { ...(s.tags.get(r.arn) ?? {}) },
        });
      }
    };
    add("serviceNetwork", s.serviceNetworks);
    add("service", s.services);
    add("vpcAssociation", s.vpcAssociations);
    add("serviceAssociation", s.serviceAssociations);
    add("listener", s.listeners);
    add("rule", s.rules);
    add("targetGroup", s.targetGroups);
    return out.sort((a, b) => a.seq - b.seq).map(({ seq: _seq, ...r }) => r);
  }

  /** Resource counts by kind, plus registered targets (draining ones included). */
  counts(): Record<ResourceKind | "targets", number> {
    const s = this.s;
    s.tick();
    let targets = 0;
    for (const ts of s.targets.values()) targets += ts.size;
    return {
      serviceNetwork: s.serviceNetworks.size,
      service: s.services.size,
      vpcAssociation: s.vpcAssociations.size,
      serviceAssociation: s.serviceAssociations.size,
      listener: s.listeners.size,
      rule: s.rules.size,
      targetGroup: s.targetGroups.size,
      targets,
    };
  }

  /** True when no resource is left (optionally: none carrying this tag key / key=value). */
  isEmpty(tag?: { key: string; value?: string }): boolean {
    const rs = this.resources();
    if (!tag) return rs.length === 0;
    return !rs.some((r) => r.tags[tag.key] !== undefined && (tag.value === undefined || r.tags[tag.key] === tag.value));
  }

  /**
   * Overrides the health ListTargets reports for a registered target (undefined: back to the
   * computed health). Returns false when no such target is registered.
   */
  setTargetHealth(targetGroup: string, targetId: string, port: number | undefined, status: TargetStatus | undefined): boolean {
    const tg = this.s.targetGroups.get(idOf(targetGroup));
    const t = tg && [...(this.s.targets.get(tg.id)?.values() ?? [])].find((x) => x.id === targetId && (port === undefined || x.port === port));
    if (!t) return false;
    if (status === undefined) delete t.forced;
    else t.forced = status;
    return true;
  }
}
