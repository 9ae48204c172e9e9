// One supervised list+watch of one kind (in one namespace, or cluster-wide): list, then
// watch from the list's resourceVersion with bookmarks; on 410 Gone relist and replace the
// cache; on any other error or a closed stream watch again from the last resourceVersion
// seen, after a jittered backoff (0.5 s doubling to 10 s). The client library's informer
// stops for good on errors other than 410, hence this loop of our own.
import { setTimeout as sleep } from "node:timers/promises";
import { ApiError, statusError, type JsonObject, type RawKubeClient, type WatchEvent } from "./http.js";
import { apiVersionOf, collectionPath, type WatchedKind } from "./kinds.js";
import { cacheShape, keyFor, metaOf } from "./shape.js";

export interface SourceLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export const silentLogger: SourceLogger = { info() {}, warn() {} };

export interface StreamOptions {
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** How often to look again for a kind no version of which is served (CRD not installed). */
  absentRetryMs: number;
  pageSize: number;
  logger: SourceLogger;
  /** Called when the kind stops or starts being served (its CRD removed or installed). */
  onServedChange?: (stream: KindStream, served: boolean) => void;
}

/** `before` undefined: added; `after` undefined: deleted. */
export type ChangeHook = (key: string, before: JsonObject | undefined, after: JsonObject | undefined) => void;

export class KindStream {
  /** The cache: plain JSON by `namespace/name` (or `name`). Objects are never mutated once stored. */
  items = new Map<string, JsonObject>();
  restarts = 0;
  relists = 0;
  /** The version being watched; undefined until found (or when none is served). */
  version: string | undefined;
  /** False when the server serves none of the kind's versions (its CRD is not installed). */
  served = true;
  readonly synced: Promise<void>;
  private markSynced!: () => void;
  private resourceVersion = "";
  // Test hook (see KubeSource.pauseWatchForTest): while set, the loop waits here instead of watching.
  private gate: { promise: Promise<void>; open: () => void } | undefined;
  private interrupt: AbortController | undefined;
  // Cuts short the wait between looks for a kind that is not served (see wake()).
  private absentWake: AbortController | undefined;

  constructor(
    readonly kind: WatchedKind,
    readonly namespace: string | undefined,
    private readonly client: RawKubeClient,
    private readonly onChange: ChangeHook,
    private readonly signal: AbortSignal,
    private readonly opts: StreamOptions,
  ) {
    this.synced = new Promise((r) => (this.markSynced = r));
  }

  private get where(): object {
    return { kind: this.kind.kind, ...(this.namespace ? { namespace: this.namespace } : {}) };
  }

  /** Runs until the signal aborts; never rejects. */
  async run(): Promise<void> {
    let attempt = 0;
    let needList = true;
    let listed = false;
    let gone = false;
    while (!this.signal.aborted) {
      let delay = 0;
      try {
        if (needList) {
          await this.list();
          if (gone) this.relists++;
          gone = false;
          listed = true;
          needList = false;
          this.markSynced();
          if (!this.served) {
            this.absentWake = new AbortController();
            await this.pause(this.opts.absentRetryMs, this.absentWake.signal);
            this.absentWake = undefined;
            needList = true;
            continue;
          }
        }
        if (this.gate) {
          const gate = this.gate.promise;
          await new Promise<void>((resolve) => {
            const done = () => {
              this.signal.removeEventListener("abort", done);
              resolve();
            };
            this.signal.addEventListener("abort", done);
            void gate.then(done);
          });
          continue;
        }
        const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
        const t0 = performance.now();
        let progressed = false;
        this.interrupt = new AbortController();
        await this.client.watch(
          collectionPath(this.kind, this.version!, this.namespace),
          { resourceVersion: this.resourceVersion, allowWatchBookmarks: "true", timeoutSeconds: String(timeoutSeconds) },
          AbortSignal.any([this.signal, this.interrupt.signal]),
          (timeoutSeconds + 60) * 1000,
          (e) => {
            progressed = true;
            this.apply(e);
          },
        );
        // The server ends a watch at timeoutSeconds; an earlier end (e.g. it is shutting down) is a restart.
        if (performance.now() - t0 < timeoutSeconds * 900) {
          this.restarts++;
          if (!progressed) delay = this.backoff(attempt++);
          else attempt = 0;
        } else attempt = 0;
      } catch (e) {
        if (this.signal.aborted) break;
        if (this.gate) continue; // paused by the test hook
        if (e instanceof ApiError && e.code === 410) {
          // Expired resourceVersion: relist at once (a failing list then backs off).
          this.opts.logger.info({ ...this.where, resourceVersion: this.resourceVersion }, "watch expired (410 Gone), relisting");
          needList = true;
          gone = true;
          continue;
        }
        if (e instanceof ApiError && e.code === 404) needList = true; // CRD removed: the list finds out
        if (listed) this.restarts++;
        delay = this.backoff(attempt++);
        this.opts.logger.warn({ ...this.where, err: errorText(e), retryInMs: Math.round(delay) }, listed ? "watch failed, restarting" : "list failed, retrying");
      }
      if (delay > 0) await this.pause(delay);
    }
  }

  /** Lists again now if the kind was not served (discovery saw its CRD appear). */
  wake(): void {
    this.absentWake?.abort();
  }

  /** Test hook: ends the current watch and waits until resumeWatch(). */
  pauseWatch(): void {
    if (this.gate) return;
    let open!: () => void;
    const promise = new Promise<void>((r) => (open = r));
    this.gate = { promise, open };
    this.interrupt?.abort(new Error("paused"));
  }

  /** Test hook: watches again, from `resourceVersion` when given (e.g. an expired one). */
  resumeWatch(resourceVersion?: string): void {
    if (resourceVersion !== undefined) this.resourceVersion = resourceVersion;
    const g = this.gate;
    this.gate = undefined;
    g?.open();
  }

  private backoff(attempt: number): number {
    const base = Math.min(this.opts.backoffMaxMs, this.opts.backoffInitialMs * 2 ** Math.min(attempt, 20));
    return base * (0.8 + 0.4 * Math.random());
  }

  private async pause(ms: number, wake?: AbortSignal): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: wake ? AbortSignal.any([this.signal, wake]) : this.signal });
    } catch { /* aborted */ }
  }

  /** Lists every page at one resourceVersion and replaces the cache, keeping unchanged objects. */
  private async list(): Promise<void> {
    const versions = this.version ? [this.version, ...this.kind.versions.filter((v) => v !== this.version)] : this.kind.versions;
    for (const version of versions) {
      let items: JsonObject[] = [];
      let rv = "";
      try {
        let cont = "";
        do {
          const page = await this.client.listPage(collectionPath(this.kind, version, this.namespace),
            { limit: String(this.opts.pageSize), ...(cont ? { continue: cont } : {}) }, this.signal);
          items = items.concat(page.items);
          rv = page.resourceVersion;
          cont = page.continue;
        } while (cont);
      } catch (e) {
        if (e instanceof ApiError && e.code === 404) continue; // this version is not served
        throw e;
      }
      if (this.version !== version || !this.served) {
        this.opts.logger.info({ ...this.where, apiVersion: apiVersionOf(this.kind, version) }, "watching");
      }
      const wasServed = this.served;
      this.version = version;
      this.served = true;
      this.replace(items.map((o) => cacheShape(this.kind.kind, apiVersionOf(this.kind, version), o)));
      this.resourceVersion = rv;
      if (!wasServed) this.opts.onServedChange?.(this, true);
      return;
    }
    if (this.served) this.opts.logger.warn({ ...this.where, versions: this.kind.versions }, "kind not served by the API server (CRD not installed?); retrying later");
    const wasServed = this.served;
    this.served = false;
    this.version = undefined;
    this.replace([]);
    if (wasServed) this.opts.onServedChange?.(this, false);
  }

  private replace(objects: JsonObject[]): void {
    const next = new Map<string, JsonObject>();
    const changes: [string, JsonObject | undefined, JsonObject | undefined][] = [];
    for (const o of objects) {
      const m = metaOf(o);
      if (!m.name) continue;
      const key = keyFor(m.namespace, m.name);
      const prev = this.items.get(key);
      // resourceVersions are opaque: equal strings mean the same object, nothing else is known.
      if (prev && metaOf(prev).resourceVersion === m.resourceVersion) next.set(key, prev);
      else {
        next.set(key, o);
        changes.push([key, prev, o]);
      }
    }
    for (const [key, prev] of this.items) if (!next.has(key)) changes.push([key, prev, undefined]);
    this.items = next;
    for (const [key, before, after] of changes) this.onChange(key, before, after);
  }

  private apply(e: WatchEvent): void {
    if (e.type === "ERROR") throw statusError(e.object);
    const m = metaOf(e.object);
    if (m.resourceVersion) this.resourceVersion = m.resourceVersion;
    if (e.type === "BOOKMARK" || !m.name) return;
    const key = keyFor(m.namespace, m.name);
    const prev = this.items.get(key);
    if (e.type === "DELETED") {
      if (!prev) return;
      this.items.delete(key);
      this.onChange(key, prev, undefined);
      return;
    }
    if (e.type !== "ADDED" && e.type !== "MODIFIED") return;
    if (prev && metaOf(prev).resourceVersion === m.resourceVersion) return;
    const o = cacheShape(this.kind.kind, apiVersionOf(this.kind, this.version!), e.object);
    this.items.set(key, o);
    this.onChange(key, prev, o);
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
