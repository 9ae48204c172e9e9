// The operator's side of the local backend in a cluster (the Exposer of
// providers/local/src/addresses/types.ts): one Service per local Gateway, in the Gateway's
// namespace, reaching the operator pods (every replica serves every Gateway on internal
// ports), mapping each listener port to that internal port; status.addresses come from it.
//
// A Service selects pods of its own namespace only. In the operator's namespace the Service
// has the pod selector (kube keeps its endpoints). Anywhere else it has no selector and the
// leader keeps its EndpointSlices (endpoints.ts): it watches the operator pods (pods.ts) and
// rewrites the slices when one appears, goes or changes readiness. Why not the Service in the
// operator's namespace (as Envoy Gateway does): the Service stays where the Gateway's owner
// looks for it (kubectl get svc -n <ns>, quotas, LoadBalancer annotations per namespace),
// keeps its name and address across this change, and goes with the Gateway by garbage
// collection (an ownerReference cannot cross namespaces).
//
// Each expose() lists our Services once (label SERVICE_LABEL=true), then per Gateway creates
// or updates its Service when what we manage differs, and deletes our Services whose Gateway
// is no longer listed; then lists our EndpointSlices once, writes those of the selector-less
// Services and deletes the rest. Only the leader writes; other replicas read and report. Writes are
// GET-compare-PUT with the resourceVersion read (409: read again), never server-side apply.
// An ownerReference to the Gateway lets the garbage collector remove the Service with it.
import type { KubeClient, KubeResponse } from "../client.js";
import { CORE_RESOURCES, GATEWAY_RESOURCES, resourcePath, statusMessage } from "../client.js";
import { addressesOf, serviceRef, type JsonObject } from "./addresses.js";
import { desiredSlices, portName, sameSlice, sliceUpdate, sortedPorts, type SliceTarget } from "./endpoints.js";
import {
  CONTROLLER_ANNOTATION, GATEWAY_ANNOTATION, GATEWAY_NAME_LABEL, MANAGED_BY_LABEL, MANAGED_KEYS_ANNOTATION,
  SERVICE_LABEL, SERVICE_NAME_LABEL, SLICE_MANAGED_BY_LABEL, SLICE_MANAGER, isLabelValue, serviceName,
} from "./names.js";
import { ProxyPods } from "./pods.js";
import type { Exposer, ExposureResult, GatewayExposure, ServiceType } from "./types.js";

export interface GatewayServicesLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface GatewayServicesOptions {
  /** The controllerName this exposer serves: it deletes only Services it created. */
  controllerName: string;
  /** Labels of the operator pods (the Services' selector, or the pods listed for EndpointSlices). */
  selector: Readonly<Record<string, string>>;
  /**
   * The operator's namespace, where the selected pods run: a Gateway there gets a Service
   * with `selector`; a Gateway elsewhere a selector-less Service and EndpointSlices of ours.
   */
  podNamespace: string;
  /** Only the leader writes; others read what the leader made. Default: always. */
  isLeader?: () => boolean;
  /** The Gateway's uid from a cache (the watch); undefined: GET it. */
  gatewayUid?: (namespace: string, name: string) => string | undefined;
  /** Namespaces the operator watches (list ours only there); empty: all. */
  namespaces?: readonly string[];
  logger?: GatewayServicesLogger;
  /**
   * Called after a backoff (0.5 s doubling to 30 s) when an expose() met API errors, so a
   * reconcile tries again even if nothing else changes.
   */
  retry?: () => void;
  /** Services written in parallel (default 8). */
  concurrency?: number;
}

const GATEWAY_API_VERSION = `${GATEWAY_RESOURCES.Gateway.group}/${GATEWAY_RESOURCES.Gateway.version}`;
const SVC = CORE_RESOURCES.Service;
const SLICE = CORE_RESOURCES.EndpointSlice;
const MAX_ATTEMPTS = 4;

interface Managed { labels: string[]; annotations: string[] }

/** A request answered with an unexpected status. */
class ServiceApiError extends Error {}

export class GatewayServices implements Exposer {
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay = 500;
  private closed = false;
  /** expose() and pod-driven slice updates run one at a time, in order. */
  private chain: Promise<void> = Promise.resolve();
  /** The selector-less Services the last leader expose() wrote (their slices follow the pods). */
  private targets: SliceTarget[] = [];
  private podSyncQueued = false;
  private proxyPods: ProxyPods | undefined;

  constructor(private readonly kube: KubeClient, private readonly opts: GatewayServicesOptions) {}

  expose(gateways: GatewayExposure[]): Promise<ExposureResult[]> {
    return this.serial(() => this.exposeNow(gateways));
  }

  private async exposeNow(gateways: GatewayExposure[]): Promise<ExposureResult[]> {
    const leader = this.opts.isLeader?.() ?? true;
    let errors = 0;
    let ours: Map<string, JsonObject>;
    try {
      ours = await this.listOurs();
    } catch (e) {
      this.failed(e, "listing gateway Services failed");
      return gateways.map((g) => ({ gateway: g.gateway, addresses: [], ready: false, message: `listing Services failed: ${errorText(e)}` }));
    }

    const wanted = new Set<string>();
    const results = new Map<string, ExposureResult>();
    const targets: SliceTarget[] = [];
    // Services whose slices stay as they are (the Service could not be written or read).
    const keep = new Set<string>();
    const work = gateways.map((g) => async () => {
      const name = serviceName(g.name);
      if (g.ports.length === 0) {
        results.set(g.gateway, { gateway: g.gateway, addresses: [], ready: false, message: "no listener to expose" });
        return;
      }
      wanted.add(`${g.namespace}/${name}`);
      try {
        const current = ours.get(`${g.namespace}/${name}`);
        const svc = leader ? await this.ensure(g, name, current) : current;
        if (svc && typeof svc !== "string" && this.selectorless(g)) targets.push({ gateway: g.gateway, service: svc, ports: g.ports });
        // Our Service kept for a Gateway the cache lists but the server no longer has: its slices stay too.
        if (typeof svc === "string" && current && !this.foreign(current, g)) keep.add(`${g.namespace}/${name}`);
        results.set(g.gateway, svc
          ? (typeof svc === "string" ? notReady(g, svc) : addressesOf(g.gateway, svc))
          : notReady(g, `Service ${g.namespace}/${name} is not created yet (the leader creates it)`));
      } catch (e) {
        errors++;
        keep.add(`${g.namespace}/${name}`);
        this.opts.logger?.warn({ gateway: g.gateway, service: `${g.namespace}/${name}`, err: errorText(e) }, "gateway Service write failed");
        results.set(g.gateway, notReady(g, `Service ${g.namespace}/${name}: ${errorText(e)}`));
      }
    });
    // A Gateway with no port to expose claims no Service: its old one is deleted below.
    await this.pool(work);

    if (leader) {
      for (const [key, svc] of ours) {
        if (wanted.has(key)) continue;
        try {
          await this.remove(SVC, svc);
        } catch (e) {
          errors++;
          this.opts.logger?.warn({ service: key, err: errorText(e) }, "deleting a gateway Service failed");
        }
      }
      targets.sort((a, b) => (a.gateway < b.gateway ? -1 : a.gateway > b.gateway ? 1 : 0));
      const sliceErrors = await this.syncSlices(targets, keep, true);
      for (const t of targets) {
        const err = sliceErrors.get(t.gateway);
        if (err === undefined) continue;
        errors++;
        const g = gateways.find((x) => x.gateway === t.gateway)!;
        results.set(g.gateway, notReady(g, err));
      }
      this.targets = targets;
    } else {
      this.targets = [];
    }

    if (errors > 0) this.scheduleRetry();
    else this.retryDelay = 500;
    return gateways.map((g) => results.get(g.gateway)!);
  }

  /** Stops a pending retry and the pod watch. */
  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.proxyPods?.close();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.then(() => undefined, () => undefined);
    return run;
  }

  /** A Service outside the operator's namespace cannot select the operator pods. */
  private selectorless(g: { namespace: string }): boolean {
    return g.namespace !== this.opts.podNamespace;
  }

  private pods(): ProxyPods {
    this.proxyPods ??= new ProxyPods(this.kube, {
      namespace: this.opts.podNamespace,
      selector: this.opts.selector,
      onChange: () => this.podsChanged(),
      ...(this.opts.logger ? { logger: this.opts.logger } : {}),
    });
    return this.proxyPods;
  }

  /** An operator pod appeared, went or changed: the leader rewrites the slices it keeps. */
  private podsChanged(): void {
    if (this.podSyncQueued || this.closed) return;
    this.podSyncQueued = true;
    void this.serial(async () => {
      this.podSyncQueued = false;
      if (this.closed || !(this.opts.isLeader?.() ?? true) || this.targets.length === 0) return;
      const errors = await this.syncSlices(this.targets, new Set(), false);
      if (errors.size > 0) {
        this.opts.logger?.warn({ errors: Object.fromEntries(errors) }, "updating gateway EndpointSlices after a proxy pod change failed");
        this.scheduleRetry();
      }
    });
  }

  /**
   * Writes the slices of `targets` from the operator pods; with `deleteStale`, deletes our
   * slices of any other Service (unless in `keep`). Returns an error message per Gateway.
   */
  private async syncSlices(targets: readonly SliceTarget[], keep: ReadonlySet<string>, deleteStale: boolean): Promise<Map<string, string>> {
    const errors = new Map<string, string>();
    if (targets.length === 0 && !deleteStale) return errors;
    let ours: Map<string, JsonObject>;
    try {
      ours = await this.listOurs(SLICE, `${SLICE_MANAGED_BY_LABEL}=${SLICE_MANAGER}`);
    } catch (e) {
      for (const t of targets) errors.set(t.gateway, `listing EndpointSlices failed: ${errorText(e)}`);
      return errors;
    }
    const wanted = new Set<string>();
    const kept = new Set(keep);
    if (targets.length > 0) {
      let pods: Awaited<ReturnType<ProxyPods["current"]>> | undefined;
      try {
        pods = await this.pods().current();
      } catch (e) {
        for (const t of targets) {
          errors.set(t.gateway, `listing the operator pods (${this.pods().selector} in ${this.opts.podNamespace}) failed: ${errorText(e)}`);
          const m = meta(t.service);
          kept.add(`${m.namespace}/${m.name}`);
        }
      }
      if (pods) {
        const podList = pods;
        await this.pool(targets.map((t) => async () => {
          for (const slice of desiredSlices(t, podList, this.opts.podNamespace, this.opts.controllerName)) {
            const m = meta(slice);
            wanted.add(`${m.namespace}/${m.name}`);
            try {
              await this.ensureSlice(slice, ours.get(`${m.namespace}/${m.name}`), t.gateway);
            } catch (e) {
              this.opts.logger?.warn({ gateway: t.gateway, endpointSlice: `${m.namespace}/${m.name}`, err: errorText(e) }, "gateway EndpointSlice write failed");
              errors.set(t.gateway, `EndpointSlice ${m.namespace}/${m.name}: ${errorText(e)}`);
            }
          }
        }));
      }
    }
    if (deleteStale) {
      for (const [key, slice] of ours) {
        const m = meta(slice);
        if (wanted.has(key) || kept.has(`${m.namespace}/${labels(slice)[SERVICE_NAME_LABEL] ?? ""}`)) continue;
        try {
          await this.remove(SLICE, slice);
        } catch (e) {
          this.opts.logger?.warn({ endpointSlice: key, err: errorText(e) }, "deleting a gateway EndpointSlice failed");
          errors.set(annotations(slice)[GATEWAY_ANNOTATION] ?? key, `deleting EndpointSlice ${key}: ${errorText(e)}`);
        }
      }
    }
    return errors;
  }

  /** Creates or updates one slice (GET-compare-PUT, 409: read again). */
  private async ensureSlice(desired: JsonObject, current: JsonObject | undefined, gateway: string): Promise<void> {
    const { namespace, name } = meta(desired);
    const path = resourcePath(SLICE, { namespace, name });
    let existing = current;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (!existing) {
        const r = await this.kube.post<JsonObject>(resourcePath(SLICE, { namespace }), desired);
        if (r.status === 201 || r.status === 200) {
          this.opts.logger?.info({ gateway, endpointSlice: `${namespace}/${name}`, endpoints: endpointCount(desired) }, "created gateway EndpointSlice");
          return;
        }
        if (r.status !== 409) throw new ServiceApiError(`create: ${statusMessage(r)}`);
        existing = await this.read(path);
        if (!existing) continue;
      }
      const a = annotations(existing);
      if (labels(existing)[SLICE_MANAGED_BY_LABEL] !== SLICE_MANAGER || a[CONTROLLER_ANNOTATION] !== this.opts.controllerName) {
        throw new ServiceApiError(`exists and is not gatehouse's (managed by ${labels(existing)[SLICE_MANAGED_BY_LABEL] ?? "(none)"}); delete or rename it`);
      }
      if (sameSlice(existing, desired)) return;
      const r = await this.kube.put<JsonObject>(path, sliceUpdate(existing, desired));
      if (r.status === 200) {
        this.opts.logger?.info({ gateway, endpointSlice: `${namespace}/${name}`, endpoints: endpointCount(desired) }, "updated gateway EndpointSlice");
        return;
      }
      if (r.status !== 409 && r.status !== 404) throw new ServiceApiError(`update: ${statusMessage(r)}`);
      existing = await this.read(path);
    }
    throw new ServiceApiError(`gave up after ${MAX_ATTEMPTS} conflicting writes`);
  }

  /** Our Services or EndpointSlices (label, and this controller's annotation) by `namespace/name`. */
  private async listOurs(type: typeof SVC | typeof SLICE = SVC, labelSelector = `${SERVICE_LABEL}=true`): Promise<Map<string, JsonObject>> {
    const out = new Map<string, JsonObject>();
    const scopes = this.opts.namespaces?.length ? this.opts.namespaces : [undefined];
    for (const namespace of scopes) {
      let cont = "";
      do {
        const r = await this.kube.get<{ items?: JsonObject[]; metadata?: { continue?: string } }>(
          resourcePath(type, namespace ? { namespace } : {}),
          { query: { labelSelector, limit: 500, ...(cont ? { continue: cont } : {}) } },
        );
        if (r.status !== 200) throw new ServiceApiError(`list ${type.resource}: ${statusMessage(r)}`);
        for (const s of r.body?.items ?? []) {
          const m = meta(s);
          if (annotations(s)[CONTROLLER_ANNOTATION] !== this.opts.controllerName) continue;
          out.set(`${m.namespace}/${m.name}`, s);
        }
        cont = r.body?.metadata?.continue ?? "";
      } while (cont);
    }
    return out;
  }

  /**
   * Creates or updates the Gateway's Service; returns it as the server holds it, or a
   * message when it cannot be ours (another object holds the name, the Gateway is gone).
   */
  private async ensure(g: GatewayExposure, name: string, current: JsonObject | undefined): Promise<JsonObject | string> {
    const uid = await this.uidOf(g);
    if (!uid) return `Gateway ${g.gateway} not found`;
    const path = resourcePath(SVC, { namespace: g.namespace, name });
    let existing = current;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (!existing) {
        const desired = this.desired(g, name, uid, undefined);
        const r = await this.kube.post<JsonObject>(resourcePath(SVC, { namespace: g.namespace }), desired);
        if (r.status === 201 || r.status === 200) {
          this.opts.logger?.info({ gateway: g.gateway, service: `${g.namespace}/${name}`, type: g.serviceType }, "created gateway Service");
          return r.body;
        }
        if (r.status !== 409) throw new ServiceApiError(`create: ${statusMessage(r)}`);
        existing = await this.read(path);
        if (!existing) continue;
      }
      const foreign = this.foreign(existing, g);
      if (foreign) return foreign;
      const next = this.desired(g, name, uid, existing);
      if (sameManaged(existing, next)) return existing;
      const r: KubeResponse<JsonObject> = await this.kube.put<JsonObject>(path, next);
      if (r.status === 200) {
        this.opts.logger?.info({ gateway: g.gateway, service: `${g.namespace}/${name}`, type: g.serviceType }, "updated gateway Service");
        return r.body;
      }
      if (r.status !== 409 && r.status !== 404) throw new ServiceApiError(`update: ${statusMessage(r)}`);
      existing = await this.read(path); // changed or deleted meanwhile
    }
    throw new ServiceApiError(`gave up after ${MAX_ATTEMPTS} conflicting writes`);
  }

  /** Why an existing Service of that name is not ours to change, or undefined. */
  private foreign(svc: JsonObject, g: GatewayExposure): string | undefined {
    const a = annotations(svc);
    if (labels(svc)[SERVICE_LABEL] !== "true" || a[GATEWAY_ANNOTATION] !== g.gateway) {
      return `${serviceRef(svc)} exists and is not gatehouse's Service for Gateway ${g.gateway}; delete or rename it`;
    }
    if (a[CONTROLLER_ANNOTATION] !== this.opts.controllerName) {
      return `${serviceRef(svc)} is managed for controller ${a[CONTROLLER_ANNOTATION] ?? "(none)"}, not ${this.opts.controllerName}`;
    }
    return undefined;
  }

  /** The Service as we want it: `existing` with what we manage replaced (server-set fields kept). */
  private desired(g: GatewayExposure, name: string, uid: string, existing: JsonObject | undefined): JsonObject {
    const base: JsonObject = existing ? structuredClone(existing) : { apiVersion: "v1", kind: "Service" };
    const m = { ...obj(base["metadata"]) };
    const prev = managedKeys(existing);

    const ownLabels: Record<string, string> = { ...g.labels, [SERVICE_LABEL]: "true", [MANAGED_BY_LABEL]: "gatehouse" };
    if (isLabelValue(g.name)) ownLabels[GATEWAY_NAME_LABEL] = g.name;
    const ownAnnotations: Record<string, string> = { ...g.annotations, [GATEWAY_ANNOTATION]: g.gateway, [CONTROLLER_ANNOTATION]: this.opts.controllerName };
    const managed: Managed = { labels: Object.keys(ownLabels).sort(), annotations: Object.keys(ownAnnotations).sort() };
    ownAnnotations[MANAGED_KEYS_ANNOTATION] = JSON.stringify(managed);

    m["name"] = name;
    m["namespace"] = g.namespace;
    m["labels"] = merge(strMap(m["labels"]), prev.labels, ownLabels);
    m["annotations"] = merge(strMap(m["annotations"]), [...prev.annotations, MANAGED_KEYS_ANNOTATION], ownAnnotations);
    const refs = (Array.isArray(m["ownerReferences"]) ? m["ownerReferences"] : [])
      .filter((r) => !(obj(r)["kind"] === "Gateway" && String(obj(r)["apiVersion"] ?? "").startsWith(`${GATEWAY_RESOURCES.Gateway.group}/`)));
    m["ownerReferences"] = [...refs, { apiVersion: GATEWAY_API_VERSION, kind: "Gateway", name: g.name, uid, controller: true }];
    base["metadata"] = m;

    const spec = { ...obj(base["spec"]) };
    const oldPorts = Array.isArray(spec["ports"]) ? spec["ports"].map(obj) : [];
    spec["type"] = g.serviceType;
    // Outside the operator's namespace the selector would match nothing: our EndpointSlices instead.
    if (this.selectorless(g)) delete spec["selector"];
    else spec["selector"] = { ...this.opts.selector };
    spec["ports"] = sortedPorts(g.ports).map((p) => {
      const port: JsonObject = { name: portName(p), protocol: p.protocol, port: p.port, targetPort: p.targetPort };
      const old = oldPorts.find((o) => o["port"] === p.port && (o["protocol"] ?? "TCP") === p.protocol);
      // Keep an allocated node port: a new one would break clients that use it.
      if (g.serviceType !== "ClusterIP" && typeof old?.["nodePort"] === "number") port["nodePort"] = old["nodePort"];
      return port;
    });
    dropTypeFields(spec, g.serviceType);
    base["spec"] = spec;
    return base;
  }

  private async remove(type: typeof SVC | typeof SLICE, svc: JsonObject): Promise<void> {
    const m = meta(svc);
    const r = await this.kube.delete(resourcePath(type, { namespace: m.namespace, name: m.name }), {
      // Only the object we listed: never one recreated meanwhile under the same name.
      body: { kind: "DeleteOptions", apiVersion: "v1", preconditions: { uid: m.uid } },
    });
    if (r.status === 404 || r.status === 409) return;
    if (r.status !== 200 && r.status !== 202) throw new ServiceApiError(`delete ${m.namespace}/${m.name}: ${statusMessage(r)}`);
    this.opts.logger?.info({ [type === SVC ? "service" : "endpointSlice"]: `${m.namespace}/${m.name}`, gateway: annotations(svc)[GATEWAY_ANNOTATION] }, `deleted gateway ${type.kind}`);
  }

  private async read(path: string): Promise<JsonObject | undefined> {
    const r = await this.kube.get<JsonObject>(path);
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw new ServiceApiError(`get: ${statusMessage(r)}`);
    return r.body;
  }

  private async uidOf(g: GatewayExposure): Promise<string | undefined> {
    const cached = this.opts.gatewayUid?.(g.namespace, g.name);
    if (cached) return cached;
    const r = await this.kube.get<JsonObject>(resourcePath(GATEWAY_RESOURCES.Gateway, { namespace: g.namespace, name: g.name }));
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw new ServiceApiError(`get Gateway ${g.gateway}: ${statusMessage(r)}`);
    return meta(r.body).uid || undefined;
  }

  private async pool(work: (() => Promise<void>)[]): Promise<void> {
    let next = 0;
    const worker = async () => { while (next < work.length) await work[next++]!(); };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency ?? 8, work.length) }, worker));
  }

  private failed(e: unknown, msg: string): void {
    this.opts.logger?.warn({ err: errorText(e) }, msg);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer || !this.opts.retry) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, 30_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.opts.retry?.();
    }, delay);
    this.retryTimer.unref();
  }
}

function notReady(g: GatewayExposure, message: string): ExposureResult {
  return { gateway: g.gateway, addresses: [], ready: false, message };
}

function endpointCount(slice: JsonObject): number {
  return Array.isArray(slice["endpoints"]) ? slice["endpoints"].length : 0;
}

/** Fields only some Service types allow; the API server rejects them on the others. */
function dropTypeFields(spec: JsonObject, type: ServiceType): void {
  if (type !== "LoadBalancer") {
    for (const k of ["allocateLoadBalancerNodePorts", "loadBalancerClass", "loadBalancerIP", "loadBalancerSourceRanges"]) delete spec[k];
  }
  if (type === "ClusterIP") {
    for (const k of ["externalTrafficPolicy", "healthCheckNodePort"]) delete spec[k];
  }
}

/** `current` without the keys we set before, plus ours. */
function merge(current: Record<string, string>, previouslyOurs: readonly string[], ours: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(current)) if (!previouslyOurs.includes(k)) out[k] = v;
  return { ...out, ...ours };
}

/** What we manage is equal in both (the server's own fields are not compared). */
function sameManaged(a: JsonObject, b: JsonObject): boolean {
  const ma = obj(a["metadata"]), mb = obj(b["metadata"]);
  const sa = obj(a["spec"]), sb = obj(b["spec"]);
  const ports = (s: JsonObject) => (Array.isArray(s["ports"]) ? s["ports"] : []).map(obj)
    .map((p) => [p["name"], p["protocol"] ?? "TCP", p["port"], p["targetPort"], p["nodePort"] ?? null]);
  const refs = (m: JsonObject) => (Array.isArray(m["ownerReferences"]) ? m["ownerReferences"] : []).map(obj)
    .map((r) => [r["apiVersion"], r["kind"], r["name"], r["uid"], r["controller"] ?? null]);
  return same(strMap(ma["labels"]), strMap(mb["labels"])) &&
    same(strMap(ma["annotations"]), strMap(mb["annotations"])) &&
    same(refs(ma), refs(mb)) &&
    (sa["type"] ?? "ClusterIP") === sb["type"] &&
    same(strMap(sa["selector"]), strMap(sb["selector"])) &&
    same(ports(sa), ports(sb)) &&
    TYPE_FIELDS.every((k) => same(sa[k] ?? null, sb[k] ?? null));
}

const TYPE_FIELDS = ["allocateLoadBalancerNodePorts", "loadBalancerClass", "loadBalancerIP", "loadBalancerSourceRanges", "externalTrafficPolicy", "healthCheckNodePort"];

function managedKeys(svc: JsonObject | undefined): Managed {
  const raw = svc ? annotations(svc)[MANAGED_KEYS_ANNOTATION] : undefined;
  try {
    const v = raw ? (JSON.parse(raw) as Partial<Managed>) : {};
    const list = (x: unknown) => (Array.isArray(x) ? x.filter((k): k is string => typeof k === "string") : []);
    return { labels: list(v.labels), annotations: list(v.annotations) };
  } catch {
    return { labels: [], annotations: [] };
  }
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as JsonObject)[k])]));
  return v;
}

function obj(v: unknown): JsonObject {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as JsonObject) : {};
}

function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(obj(v))) if (typeof x === "string") out[k] = x;
  return out;
}

function meta(o: unknown): { name: string; namespace: string; uid: string } {
  const m = obj(obj(o)["metadata"]);
  const s = (x: unknown) => (typeof x === "string" ? x : "");
  return { name: s(m["name"]), namespace: s(m["namespace"]), uid: s(m["uid"]) };
}

function labels(o: JsonObject): Record<string, string> { return strMap(obj(o["metadata"])["labels"]); }
function annotations(o: JsonObject): Record<string, string> { return strMap(obj(o["metadata"])["annotations"]); }

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
