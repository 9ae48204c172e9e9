import type { AddressInfo } from "node:net";
import { Api, type CallCtx } from "./api.js";
import { CallLog } from "./calls.js";
import { Injector } from "./inject.js";
import type { Json } from "./json.js";
import { arr, clone, isObj } from "./json.js";
import { KINDS } from "./kinds/index.js";
import { type Scope, parseRef } from "./links.js";
import { Operations } from "./operations.js";
import { type ClientOptions, clientOptions } from "./client.js";
import { createComputeServer } from "./server.js";
import { Store } from "./store.js";

export interface FakeComputeOptions {
  /** The one project the fake serves; other projects get 404. */
  project: string;
  /** Loopback address to listen on (default 127.0.0.1); use distinct 127.x.y.z per test file. */
  host?: string;
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Time from a mutating call to its operation's DONE (default 10 ms; 0 = DONE before the call returns). */
  operationDelayMs?: number;
  /** Longest `operations.wait` blocks before returning a RUNNING operation (default 1000 ms; the real API ~2 min). */
  waitTimeoutMs?: number;
  /** Start with operations held RUNNING until `state.operations.completeAll()` / `release()`. */
  holdOperations?: boolean;
  /** Quota limits per scope by metric (BACKEND_SERVICES, URL_MAPS, …): an insert beyond ends its operation with QUOTA_EXCEEDED. */
  quotas?: Record<string, number>;
}

/** One stored resource, as tests see it. */
export interface ResourceView {
  /** `projects/p/global/urlMaps/u` */
  path: string;
  collection: string;
  scope: Scope;
  name: string;
  /** What `get` returns. */
  resource: Json;
}

export interface FakeState {
  /** What `get` would return for a partial path or URL, or undefined. */
  get(pathOrUrl: string): Json | undefined;
  /** Every stored resource (optionally of one collection), sorted by path. */
  resources(collection?: string): ResourceView[];
  /** Partial paths of every stored resource, sorted. */
  paths(): string[];
  /**
   * `{ path: resource }` of everything (optionally of one collection), for golden files;
   * `stable` drops what differs from run to run (id, creationTimestamp, fingerprint).
   */
  snapshot(opts?: { collection?: string; stable?: boolean }): Record<string, Json>;
  /** Endpoints attached to a NEG. */
  endpoints(negPathOrUrl: string): Json[];
  /**
   * Stores a resource at once (validated like insert, no operation, not logged), e.g. a static
   * address the user reserved before the provider runs. `at` is `global/addresses`,
   * `regions/r/healthChecks`, `zones/z/networkEndpointGroups`.
   */
  seed(at: string, body: Json): ResourceView;
  operations: {
    /** Operations not yet DONE. */
    pending(): number;
    /** Completes every pending operation now. */
    completeAll(): number;
    hold(): void;
    release(): void;
    delayMs: number;
    waitTimeoutMs: number;
  };
  /** Forgets every resource and operation. */
  clear(): void;
}

export interface FakeCompute {
  /** Host for the client's `apiEndpoint`. */
  endpoint: string;
  port: number;
  /** `http://host:port` */
  url: string;
  project: string;
  state: FakeState;
  inject: Injector;
  calls: CallLog;
  /** Options for any `@google-cloud/compute` client: `new UrlMapsClient(fake.clientOptions())`. */
  clientOptions(): ClientOptions;
  /** Exceptions the fake threw while answering (each also answered 500); a test can assert it stays empty. */
  internalErrors: unknown[];
  /** Clears state, operations, the call log and injected faults. */
  reset(): void;
  close(): Promise<void>;
}

/** Output fields that differ from run to run. */
const VOLATILE = ["id", "creationTimestamp", "fingerprint", "labelFingerprint", "selfLinkWithId"];

/** Starts a stateful fake Compute Engine REST API on loopback. */
export async function startFakeCompute(opts: FakeComputeOptions): Promise<FakeCompute> {
  const host = opts.host ?? "127.0.0.1";
  const store = new Store();
  const ops = new Operations(store, { delayMs: opts.operationDelayMs ?? 10, waitTimeoutMs: opts.waitTimeoutMs ?? 1000, hold: opts.holdOperations ?? false });
  const api = new Api(store, ops, opts.quotas ?? {});
  const calls = new CallLog();
  const inject = new Injector();
  const internalErrors: unknown[] = [];
  const { server, hanging, sockets } = createComputeServer({ project: opts.project, api, calls, inject, onInternalError: (e) => internalErrors.push(e) });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const pathOf = (p: string): string => parseRef(p, opts.project)?.path ?? p;
  const view = (path: string): ResourceView | undefined => {
    const s = store.get(path);
    return s && { path: s.path, collection: s.spec.collection, scope: s.scope, name: s.name, resource: api.render(s) };
  };

  const state: FakeState = {
    get: (p) => view(pathOf(p))?.resource,
    resources: (collection) =>
      store
        .all()
        .filter((s) => collection === undefined || s.spec.collection === collection)
        .map((s) => view(s.path)!)
        .sort((a, b) => (a.path < b.path ? -1 : 1)),
    paths: () => store.all().map((s) => s.path).sort(),
    snapshot: (o = {}) => {
      const out: Record<string, Json> = {};
      for (const v of state.resources(o.collection)) {
        const r = v.resource;
        if (o.stable) for (const k of VOLATILE) delete r[k];
        out[v.path] = r;
      }
      return out;
    },
    endpoints: (p) => {
      const s = store.get(pathOf(p));
      return arr(s?.hidden["endpoints"]).filter(isObj).map((e) => clone(e));
    },
    seed(at, body) {
      const r = parseRef(`${at}/${String(body["name"] ?? "")}`, opts.project);
      const spec = r && KINDS.find((k) => k.collection === r.collection);
      if (!r || !spec || !spec.api[r.scope.type]) throw new Error(`seed: unknown collection or scope in '${at}'`);
      const ctx: CallCtx = {
        project: opts.project,
        scope: r.scope,
        body,
        query: new URLSearchParams(),
        signal: new AbortController().signal,
        call: { seq: 0, method: "seed", verb: "POST", path: at, query: "", mutating: true, requestId: undefined, status: undefined, injected: undefined, replayed: false },
        fault: { kind: "operationDelay", ms: 0 },
      };
      api.insert(spec, ctx);
      const v = view(r.path);
      if (!v) throw new Error(`seed: ${r.path} was not stored (quota?)`);
      return v;
    },
    operations: {
      pending: () => ops.pendingOps().length,
      completeAll: () => ops.completeAll(),
      hold: () => ops.setHold(true),
      release: () => ops.setHold(false),
      get delayMs() {
        return ops.timing.delayMs;
      },
      set delayMs(v: number) {
        ops.timing.delayMs = v;
      },
      get waitTimeoutMs() {
        return ops.timing.waitTimeoutMs;
      },
      set waitTimeoutMs(v: number) {
        ops.timing.waitTimeoutMs = v;
      },
    },
    clear() {
      ops.clear();
      store.clear();
    },
  };

  const fake: FakeCompute = {
    endpoint: host,
    port,
    url: `http://${host}:${port}`,
    project: opts.project,
    state,
    inject,
    calls,
    internalErrors,
    clientOptions: () => clientOptions({ endpoint: host, port }),
    reset() {
      state.clear();
      calls.clear();
      inject.clear();
      internalErrors.length = 0;
    },
    async close() {
      state.clear();
      for (const r of hanging) r.destroy();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

