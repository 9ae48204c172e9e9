import {
  COND, REASON, cond, generationOf, keyOf, nameOf, namespaceOf, nsName, sourceOf,
  type BackendTLSPolicy, type NodeCondition, type Snapshot,
} from "@gatehouse/model";
import type { BackendTLSNode, BackendTLSPolicyNode, GatewayNode, RouteNode } from "../types.js";
import { isValidPreciseHostname } from "../hostnames.js";
import { arr, cmp, coreGroup, isObj, rec, show, str } from "../json.js";
import { decodeBase64, parseCertificates } from "../gateways/pem.js";

interface Problem { reason: string; message: string }

interface Policy {
  key: string;
  namespace: string;
  object: BackendTLSPolicy;
  creationTimestamp: string;
  /** Accepted=False cause from the policy alone (Invalid, NoValidCACertificate). */
  rejected?: Problem;
  unresolved: Problem[];
  tls: BackendTLSNode;
  caRefs: { kind: "ConfigMap" | "Secret"; key: string }[];
}

/**
 * BackendTLSPolicies indexed by target Service (and sectionName = Service port name).
 * A policy naming a port wins over one naming the whole Service; among policies with the
 * same target and sectionName the oldest wins, then `ns/name` alphabetical (spec); the
 * others are Accepted=False Conflicted where they would have applied.
 * An invalid policy still applies to its Service, with no trust anchors, so connections
 * fail (5xx) instead of silently going out without TLS.
 */
export class BackendTLSPolicies {
  /** `ns/service|sectionName` ("" = whole Service) → policies, winner first. */
  private readonly byTarget = new Map<string, Policy[]>();
  private readonly policies: Policy[] = [];
  /** `ns/service` → port number → port name. */
  private readonly portNames = new Map<string, Map<number, string>>();

  constructor(snapshot: Snapshot) {
    const configMaps = index(snapshot.ConfigMap);
    const secrets = index(snapshot.Secret);
    for (const svc of Array.isArray(snapshot.Service) ? snapshot.Service : []) {
      if (!isObj(svc) || !nameOf(svc)) continue;
      const ports = new Map<number, string>();
      for (const p of arr(rec(svc.spec).ports)) {
        if (isObj(p) && typeof p.port === "number" && typeof p.name === "string" && p.name) ports.set(p.port, p.name);
      }
      this.portNames.set(keyOf(svc), ports);
    }
    for (const obj of Array.isArray(snapshot.BackendTLSPolicy) ? snapshot.BackendTLSPolicy : []) {
      if (!isObj(obj) || !nameOf(obj)) continue;
      const p = parsePolicy(obj, configMaps, secrets);
      this.policies.push(p);
      const targets = new Set<string>();
      for (const t of arr(rec(obj.spec).targetRefs)) {
        if (!isObj(t) || !coreGroup(t.group) || t.kind !== "Service" || typeof t.name !== "string" || !t.name) continue;
        targets.add(`${nsName(p.namespace, t.name)}|${str(t.sectionName) ?? ""}`);
      }
      for (const k of targets) {
        const list = this.byTarget.get(k);
        if (list) list.push(p); else this.byTarget.set(k, [p]);
      }
    }
    for (const list of this.byTarget.values()) list.sort(precedence);
    this.policies.sort((a, b) => cmp(a.key, b.key));
  }

  /** The policy that applies to this Service port, if any (conflicts resolved per spec: oldest, then alphabetical). */
  forService(namespace: string, service: string, portName: string | undefined): BackendTLSNode | undefined {
    return this.contenders(namespace, service, portName)?.[0]?.tls;
  }

  /** Policy nodes with ancestors (Gateways whose routes use a targeted Service) and conditions. */
  nodes(gateways: readonly GatewayNode[], routes: readonly RouteNode[]): BackendTLSPolicyNode[] {
    if (this.byTarget.size === 0) return []; // no policy targets anything: skip the walk over every route
    const ours = new Map(gateways.map((g) => [g.key, g]));
    // policy key → gateway key → did the policy win for at least one use on that Gateway?
    const uses = new Map<string, Map<string, { won: boolean; winner?: string }>>();
    for (const r of routes) {
      const gws = [...new Set(r.parents.filter((p) => p.accepted && ours.has(p.gatewayKey)).map((p) => p.gatewayKey))];
      if (gws.length === 0) continue;
      for (const serviceKey of routeServicePorts(r)) {
        const [svcKey, port] = serviceKey;
        const slash = svcKey.indexOf("/");
        const ns = svcKey.slice(0, slash), name = svcKey.slice(slash + 1);
        const portName = port === undefined ? undefined : this.portNames.get(svcKey)?.get(port);
        const list = this.contenders(ns, name, portName);
        if (!list) continue;
        list.forEach((p, i) => {
          let byGw = uses.get(p.key);
          if (!byGw) uses.set(p.key, (byGw = new Map()));
          for (const g of gws) {
            const u = byGw.get(g) ?? { won: false };
            if (i === 0) u.won = true; else u.winner ??= list[0]!.key;
            byGw.set(g, u);
          }
        });
      }
    }
    const out: BackendTLSPolicyNode[] = [];
    for (const p of this.policies) {
      const byGw = uses.get(p.key);
      if (!byGw) continue;
      const ancestors = [...byGw.entries()].sort((a, b) => cmp(a[0], b[0])).map(([gatewayKey, u]) => ({
        gatewayKey,
        controllerName: ours.get(gatewayKey)!.controllerName,
        conditions: policyConditions(p, u.won ? undefined : u.winner),
      }));
      out.push({ key: p.key, source: p.tls.policy, object: p.object, generation: generationOf(p.object), ancestors });
    }
    return out;
  }

  /** Every CA reference (ConfigMap or Secret) the policies name, for the operator's watches. */
  referencedKeys(): { kind: "ConfigMap" | "Secret"; key: string }[] {
    const seen = new Map<string, { kind: "ConfigMap" | "Secret"; key: string }>();
    for (const p of this.policies) for (const r of p.caRefs) seen.set(`${r.kind}|${r.key}`, r);
    return [...seen.entries()].sort((a, b) => cmp(a[0], b[0])).map((e) => e[1]);
  }

  private contenders(namespace: string, service: string, portName: string | undefined): Policy[] | undefined {
    const base = nsName(namespace, service);
    return (portName ? this.byTarget.get(`${base}|${portName}`) : undefined) ?? this.byTarget.get(`${base}|`);
  }
}

/** Every (Service key, port) a route sends traffic to: backends, per-backend filters and mirrors. */
function routeServicePorts(r: RouteNode): [string, number | undefined][] {
  const out = new Map<string, [string, number | undefined]>();
  const add = (key: string | undefined, port: number | undefined) => {
    if (key) out.set(`${key}|${port ?? ""}`, [key, port]);
  };
  for (const rule of r.rules) {
    for (const f of rule.filters) if (f.type === "RequestMirror") add(f.mirror.serviceKey, f.mirror.port);
    for (const b of rule.backends) {
      add(b.serviceKey, b.port);
      for (const f of b.filters ?? []) if (f.type === "RequestMirror") add(f.mirror.serviceKey, f.mirror.port);
    }
  }
  return [...out.values()];
}

function policyConditions(p: Policy, lostTo: string | undefined): NodeCondition[] {
  const accepted = lostTo !== undefined
    ? cond(COND.Accepted, false, REASON.Conflicted,
      `Policy ${lostTo} targets the same Service and section and takes precedence (older, or first by namespace/name)`)
    : p.rejected
      ? cond(COND.Accepted, false, p.rejected.reason, p.rejected.message)
      : cond(COND.Accepted, true, REASON.Accepted, "Policy is accepted");
  const first = p.unresolved[0];
  const resolved = first
    ? cond(COND.ResolvedRefs, false, first.reason, p.unresolved.map((u) => u.message).join("; "))
    : cond(COND.ResolvedRefs, true, REASON.ResolvedRefs, "All references are resolved");
  return [accepted, resolved];
}

function precedence(a: Policy, b: Policy): number {
  // A policy without a creationTimestamp sorts after every dated one.
  const ta = a.creationTimestamp || "~", tb = b.creationTimestamp || "~";
  return cmp(ta, tb) || cmp(a.key, b.key);
}

function index(list: readonly unknown[] | undefined): Map<string, { data?: unknown }> {
  const m = new Map<string, { data?: unknown }>();
  for (const o of Array.isArray(list) ? list : []) {
    const meta = rec(rec(o).metadata);
    if (typeof meta.name === "string") m.set(nsName(str(meta.namespace) ?? "", meta.name), o as { data?: unknown });
  }
  return m;
}

function parsePolicy(
  obj: BackendTLSPolicy, configMaps: Map<string, { data?: unknown }>, secrets: Map<string, { data?: unknown }>,
): Policy {
  const namespace = namespaceOf(obj);
  const key = keyOf(obj);
  const v = rec(rec(obj.spec).validation);
  const invalid: string[] = [];
  const unresolved: Problem[] = [];
  const caRefs: Policy["caRefs"] = [];
  const caCertificatesPem: string[] = [];

  const hostname = typeof v.hostname === "string" ? v.hostname : "";
  if (!isValidPreciseHostname(hostname)) invalid.push(`spec.validation.hostname: ${show(v.hostname)} is not a valid hostname without wildcard`);

  const refs = arr(v.caCertificateRefs);
  const wellKnown = v.wellKnownCACertificates === undefined || v.wellKnownCACertificates === null || v.wellKnownCACertificates === ""
    ? undefined : v.wellKnownCACertificates;
  if (refs.length > 0 && wellKnown !== undefined) {
    invalid.push("spec.validation: only one of caCertificateRefs and wellKnownCACertificates may be set");
  } else if (refs.length === 0 && wellKnown === undefined) {
    invalid.push("spec.validation: one of caCertificateRefs and wellKnownCACertificates must be set");
  } else if (wellKnown !== undefined && wellKnown !== "System") {
    invalid.push(`spec.validation.wellKnownCACertificates: ${show(wellKnown)} is not supported (supported: System)`);
  }

  refs.forEach((ref, i) => {
    const p = `spec.validation.caCertificateRefs[${i}]`;
    if (!isObj(ref) || typeof ref.name !== "string" || !ref.name) {
      return void unresolved.push({ reason: REASON.InvalidCACertificateRef, message: `${p}.name: required` });
    }
    if (!coreGroup(ref.group) || (ref.kind !== "ConfigMap" && ref.kind !== "Secret")) {
      return void unresolved.push({
        reason: REASON.InvalidKind,
        message: `${p}: ${show(ref.group ?? "")}/${show(ref.kind)} is not supported; use a core ConfigMap or Secret`,
      });
    }
    const refKey = nsName(namespace, ref.name);
    caRefs.push({ kind: ref.kind, key: refKey });
    const store = ref.kind === "ConfigMap" ? configMaps : secrets;
    const target = store.get(refKey);
    if (!target) {
      return void unresolved.push({ reason: REASON.InvalidCACertificateRef, message: `${p}: ${ref.kind} ${refKey} does not exist` });
    }
    const raw = rec(target.data)["ca.crt"];
    const text = ref.kind === "ConfigMap" ? str(raw) : decodeBase64(raw);
    if (text === undefined) {
      return void unresolved.push({ reason: REASON.InvalidCACertificateRef, message: `${p}: ${ref.kind} ${refKey} has no valid ca.crt` });
    }
    let pems: string[] = [];
    try { pems = parseCertificates(text).map((c) => c.toString().trim() + "\n"); } catch { pems = []; }
    if (pems.length === 0) {
      return void unresolved.push({
        reason: REASON.InvalidCACertificateRef, message: `${p}: ca.crt in ${ref.kind} ${refKey} is not a valid PEM certificate`,
      });
    }
    caCertificatesPem.push(...pems);
  });

  const subjectAltNames: BackendTLSNode["subjectAltNames"] = [];
  arr(v.subjectAltNames).forEach((s, i) => {
    const p = `spec.validation.subjectAltNames[${i}]`;
    if (!isObj(s)) return void invalid.push(`${p}: must be an object`);
    if (s.type === "Hostname" && typeof s.hostname === "string" && s.hostname) subjectAltNames.push({ type: "Hostname", value: s.hostname });
    else if (s.type === "URI" && typeof s.uri === "string" && /^[a-zA-Z][a-zA-Z0-9+.-]*:.+/.test(s.uri)) subjectAltNames.push({ type: "URI", value: s.uri });
    else invalid.push(`${p}: type ${show(s.type)} needs a matching non-empty ${s.type === "URI" ? "uri" : "hostname"}`);
  });

  let rejected: Problem | undefined;
  if (invalid.length > 0) rejected = { reason: REASON.Invalid, message: invalid.join("; ") };
  else if (refs.length > 0 && caCertificatesPem.length === 0) {
    rejected = { reason: REASON.NoValidCACertificate, message: `No valid CA certificate: ${unresolved.map((u) => u.message).join("; ")}` };
  }

  // A rejected policy keeps no trust anchors: connections through it fail rather than go out unverified.
  const tls: BackendTLSNode = {
    policy: sourceOf("BackendTLSPolicy", obj),
    hostname,
    caCertificatesPem: rejected ? [] : caCertificatesPem,
    subjectAltNames,
  };
  if (!rejected && wellKnown === "System") tls.wellKnownCACertificates = "System";
  return {
    key, namespace, object: obj,
    creationTimestamp: typeof obj.metadata?.creationTimestamp === "string" ? obj.metadata.creationTimestamp : "",
    unresolved, caRefs, tls,
    ...(rejected ? { rejected } : {}),
  };
}
