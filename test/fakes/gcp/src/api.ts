import type { Call } from "./calls.js";
import { alreadyExists, conditionNotMet, inUse, invalidField, notFound, notReady } from "./errors.js";
import type { Fault } from "./inject.js";
import type { Json } from "./json.js";
import { clone, mergePatch, prune } from "./json.js";
import type { CustomMethod, KindSpec, PrepareCtx, Prepared } from "./kinds/types.js";
import { type Scope, checkName, describeScope, parseRef, resourcePath, sameScope, scopeKey, scopeSegment, selfLink } from "./links.js";
import { paginate } from "./list.js";
import { type OpFailure, type OpRecord, Operations, quotaFailure, timestamp } from "./operations.js";
import type { Store, Stored } from "./store.js";

/** What a handler gets besides the path parameters. */
export interface CallCtx {
  project: string;
  scope: Scope;
  body: Json;
  query: URLSearchParams;
  signal: AbortSignal;
  call: Call;
  /** An injected operationError/operationDelay for this call. */
  fault: Fault | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The Compute methods, over the store and the operations. */
export class Api {
  constructor(
    private readonly store: Store,
    private readonly ops: Operations,
    private readonly quotas: Readonly<Record<string, number>>,
  ) {}

  private ctx(c: CallCtx, name: string, path: string, existing: Stored | undefined): PrepareCtx {
    const store = this.store;
    return {
      project: c.project,
      scope: c.scope,
      name,
      path,
      store,
      existing,
      ref(value, field, collections, opts) {
        if (typeof value !== "string" || value === "") throw invalidField(field, value ?? "", "The URL is malformed.");
        const r = parseRef(value, c.project);
        if (!r) throw invalidField(field, value, "The URL is malformed.");
        if (!collections.includes(r.collection)) throw invalidField(field, value, `Must reference a resource of type ${collections.join(" or ")}.`);
        if (opts?.scope && !sameScope(r.scope, opts.scope)) throw invalidField(field, value, `Must reference a ${describeScope(opts.scope)} resource.`);
        const change = store.pending.get(r.path);
        const s = store.get(r.path);
        // a resource being created or deleted cannot be referenced yet / any more
        if (change && (!s || change.after === null)) throw notReady(r.path);
        if (!s) throw notFound(r.path);
        return s;
      },
    };
  }

  /** requestId: must be a UUID; a repeat returns the first call's operation and changes nothing. */
  private replay(c: CallCtx): Json | undefined {
    const rid = c.query.get("requestId");
    if (rid === null || rid === "") return undefined;
    if (!UUID.test(rid) || /^[0-]+$/.test(rid)) throw invalidField("requestId", rid, "The request ID must be a valid UUID with the exception that zero UUID is not supported.");
    const op = this.ops.byRequestId(c.project, rid);
    if (!op) return undefined;
    c.call.replayed = true;
    return this.ops.render(op);
  }

  private common(spec: KindSpec, s: { project: string; scope: Scope; name: string; path: string }, id: string, created: string): Json {
    const out: Json = { kind: spec.kind, id, creationTimestamp: created, name: s.name, selfLink: selfLink(s.path) };
    if (s.scope.type === "region") out["region"] = selfLink(`projects/${s.project}/regions/${s.scope.name}`);
    if (s.scope.type === "zone") out["zone"] = selfLink(`projects/${s.project}/zones/${s.scope.name}`);
    return out;
  }

  /** Starts an operation for a change to `path`, holding it (resourceNotReady) while it runs. */
  private mutate(c: CallCtx, type: string, path: string, targetId: string, after: Stored | null, apply: () => OpFailure | undefined, lock = true): Json {
    const fault = c.fault;
    const delayMs = fault?.kind === "operationDelay" ? fault.ms : undefined;
    const commit = (): OpFailure | undefined => {
      if (fault?.kind === "operationError") return typeof fault.failure === "function" ? fault.failure(c.scope) : fault.failure;
      return apply();
    };
    const op: OpRecord = this.ops.create({
      project: c.project,
      scope: c.scope,
      operationType: type,
      targetPath: path,
      targetId,
      requestId: c.query.get("requestId") || undefined,
      locks: lock ? [path] : [],
      commit,
      ...(delayMs !== undefined ? { delayMs } : {}),
    });
    if (lock) this.store.pending.set(path, { path, after, opName: String(op.wire["name"]) });
    this.ops.start(op);
    return this.ops.render(op);
  }

  render(s: Stored): Json {
    const out = clone(s.resource);
    if (s.spec.render) Object.assign(out, s.spec.render(s, this.store));
    return out;
  }

  get(spec: KindSpec, c: CallCtx, name: string): Json {
    const path = resourcePath(c.project, c.scope, spec.collection, name);
    const s = this.store.get(path);
    if (!s) throw notFound(path);
    return this.render(s);
  }

  list(spec: KindSpec, c: CallCtx): Json {
    const items = this.store.list(c.project, c.scope, spec.collection).map((s) => this.render(s));
    const page = paginate(items, c.query);
    const id = `${scopeKey(c.project, c.scope)}/${spec.collection}`;
    const out: Json = { kind: `${spec.kind}List`, id, selfLink: selfLink(id) };
    if (page.items.length) out["items"] = page.items;
    if (page.nextPageToken) out["nextPageToken"] = page.nextPageToken;
    return out;
  }

  /** Every scope at once: `items` maps `global` / `regions/r` / `zones/z` to `{ [collection]: [...] }`. */
  aggregatedList(spec: KindSpec, c: CallCtx): Json {
    const scopeOf = new Map<Json, string>();
    const items: Json[] = [];
    for (const s of this.store.all()) {
      if (s.project !== c.project || s.spec !== spec) continue;
      const r = this.render(s);
      scopeOf.set(r, scopeSegment(s.scope));
      items.push(r);
    }
    const page = paginate(items, c.query);
    const grouped: Record<string, Json[]> = {};
    for (const r of page.items) (grouped[scopeOf.get(r)!] ??= []).push(r);
    const id = `projects/${c.project}/aggregated/${spec.collection}`;
    const out: Json = { kind: spec.kind.replace(/^compute#(\w+)$/, "compute#$1AggregatedList"), id, selfLink: selfLink(id) };
    out["items"] = Object.fromEntries(Object.keys(grouped).sort().map((k) => [k, { [spec.collection]: grouped[k] }]));
    if (page.nextPageToken) out["nextPageToken"] = page.nextPageToken;
    return out;
  }

  insert(spec: KindSpec, c: CallCtx): Json {
    const again = this.replay(c);
    if (again) return again;
    const name = checkName(c.body["name"]);
    const path = resourcePath(c.project, c.scope, spec.collection, name);
    if (this.store.get(path) || this.store.pending.has(path)) throw alreadyExists(path);
    const prepared = spec.prepare(this.ctx(c, name, path, undefined), prune(c.body) as Json);
    const id = this.store.nextId();
    const resource: Json = { ...this.common(spec, { ...c, name, path }, id, timestamp()), ...withoutName(prepared.resource) };
    if (spec.fingerprint) resource["fingerprint"] = this.store.fingerprint();
    const stored: Stored = { path, spec, project: c.project, scope: c.scope, name, resource: sortKeys(resource), hidden: prepared.hidden ?? {} };
    return this.mutate(c, "insert", path, id, stored, () => {
      const limit = spec.quota ? this.quotas[spec.quota.metric] : undefined;
      if (limit !== undefined && this.store.list(c.project, c.scope, spec.collection).length >= limit) return quotaFailure(spec.quota!.metric, limit, c.scope);
      this.store.put(stored);
      return undefined;
    });
  }

  delete(spec: KindSpec, c: CallCtx, name: string): Json {
    const again = this.replay(c);
    if (again) return again;
    const path = resourcePath(c.project, c.scope, spec.collection, name);
    const s = this.store.get(path);
    if (this.store.pending.has(path)) throw notReady(path);
    if (!s) throw notFound(path);
    const users = this.store.referencesTo(path);
    if (users.length) throw inUse(spec.noun, path, users[0]!);
    return this.mutate(c, "delete", path, String(s.resource["id"]), null, () => {
      this.store.delete(path);
      return undefined;
    });
  }

  /** PATCH (JSON merge) or PUT (replace); both need the current fingerprint where the kind has one. */
  modify(spec: KindSpec, c: CallCtx, name: string, mode: "patch" | "update"): Json {
    const again = this.replay(c);
    if (again) return again;
    const path = resourcePath(c.project, c.scope, spec.collection, name);
    const s = this.store.get(path);
    if (this.store.pending.has(path)) throw notReady(path);
    if (!s) throw notFound(path);
    if (spec.fingerprint && c.body["fingerprint"] !== s.resource["fingerprint"]) throw conditionNotMet();
    const body = prune(c.body) as Json;
    if (body["name"] !== undefined && body["name"] !== name) throw invalidField("resource.name", body["name"], "The name of a resource cannot be changed.");
    const input = (mode === "patch" ? mergePatch(s.resource, body) : { ...body, name }) as Json;
    const prepared = spec.prepare(this.ctx(c, name, path, s), input);
    const resource: Json = { ...this.common(spec, s, String(s.resource["id"]), String(s.resource["creationTimestamp"])), ...withoutName(prepared.resource) };
    if (spec.fingerprint) resource["fingerprint"] = this.store.fingerprint();
    const after: Stored = { ...s, resource: sortKeys(resource), hidden: prepared.hidden ?? s.hidden };
    return this.mutate(c, mode, path, String(s.resource["id"]), after, () => {
      this.store.put(after);
      return undefined;
    });
  }

  custom(spec: KindSpec, m: CustomMethod, c: CallCtx, name: string): unknown {
    const path = resourcePath(c.project, c.scope, spec.collection, name);
    if (!m.mutating) {
      const s = this.store.get(path);
      if (!s) throw notFound(path);
      return m.read!(this.ctx(c, name, path, s), c.body, c.query);
    }
    const again = this.replay(c);
    if (again) return again;
    const s = this.store.get(path);
    const lock = m.lock !== false;
    const change = this.store.pending.get(path);
    if (change && (lock || !s || change.after === null)) throw notReady(path);
    if (!s) throw notFound(path);
    const compute = m.apply!(this.ctx(c, name, path, s), prune(c.body) as Json, c.query);
    const next = (cur: Stored): Stored => {
      const p: Prepared = compute(cur);
      const resource: Json = { ...p.resource, ...this.common(spec, cur, String(cur.resource["id"]), String(cur.resource["creationTimestamp"])) };
      if (spec.fingerprint) resource["fingerprint"] = m.newFingerprint ? this.store.fingerprint() : cur.resource["fingerprint"];
      return { ...cur, resource: sortKeys(resource), hidden: p.hidden ?? cur.hidden };
    };
    return this.mutate(
      c,
      m.method,
      path,
      String(s.resource["id"]),
      lock ? next(s) : s,
      () => {
        const cur = this.store.get(path);
        if (!cur) throw notFound(path);
        this.store.put(next(cur));
        return undefined;
      },
      lock,
    );
  }

  private findOp(c: CallCtx, nameOrId: string): OpRecord {
    const op = this.ops.find(c.project, c.scope, nameOrId);
    if (!op) throw notFound(`${scopeKey(c.project, c.scope)}/operations/${nameOrId}`);
    return op;
  }

  opGet(c: CallCtx, nameOrId: string): Json {
    return this.ops.render(this.findOp(c, nameOrId));
  }

  async opWait(c: CallCtx, nameOrId: string): Promise<Json> {
    const op = this.findOp(c, nameOrId);
    await this.ops.wait(op, c.signal);
    return this.ops.render(op);
  }

  opList(c: CallCtx): Json {
    const items = this.ops.list(c.project, c.scope).map((o) => this.ops.render(o));
    const page = paginate(items, c.query);
    const id = `${scopeKey(c.project, c.scope)}/operations`;
    const out: Json = { kind: "compute#operationList", id, selfLink: selfLink(id) };
    if (page.items.length) out["items"] = page.items;
    if (page.nextPageToken) out["nextPageToken"] = page.nextPageToken;
    return out;
  }
}

function withoutName(r: Json): Json {
  const { name: _n, ...rest } = r;
  return rest;
}

/** Stable key order (kind, id, creationTimestamp, name first) so stored objects read well in goldens. */
function sortKeys(r: Json): Json {
  const head = ["kind", "id", "creationTimestamp", "name", "description"];
  const out: Json = {};
  for (const k of head) if (r[k] !== undefined) out[k] = r[k];
  for (const k of Object.keys(r).filter((k) => !head.includes(k)).sort()) out[k] = r[k];
  return out;
}
