// The operator pods (the proxy replicas) as the leader sees them, for the EndpointSlices of
// Gateway Services outside the operator's namespace: a list+watch of the pods matching
// --proxy-pod-selector in the operator's namespace, keeping only what an endpoint needs.
// Watch errors relist after a backoff (0.5 s doubling to 10 s); a watch the server ends
// normally resumes from the last resourceVersion. Operator pods are few, so a relist is cheap.
import type { IncomingMessage } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { KubeClient } from "../client.js";
import { resourcePath, statusMessage, type ResourceType } from "../client.js";

/** Pods are read only here (client.ts lists what the rest of the operator uses). */
export const POD_RESOURCE = { group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true } as const satisfies ResourceType;

export interface ProxyPod {
  name: string;
  uid: string;
  /** status.podIPs (status.podIP when absent). */
  ips: string[];
  nodeName?: string;
  /** The Ready condition is True (EndpointSlice `serving`). */
  serving: boolean;
  /** metadata.deletionTimestamp is set. */
  terminating: boolean;
}

export interface ProxyPodsOptions {
  namespace: string;
  selector: Readonly<Record<string, string>>;
  /** Called when a pod appears, goes, or changes IP, node or readiness. */
  onChange: () => void;
  logger?: { warn(obj: object, msg: string): void };
  /** How long the server keeps one watch open (default 300 s). */
  watchSeconds?: number;
}

type Json = Record<string, unknown>;

export class ProxyPods {
  private pods = new Map<string, ProxyPod>();
  private resourceVersion = "";
  private listed = false;
  private listing: Promise<void> | undefined;
  private running = false;
  private fingerprint = "";
  private readonly abort = new AbortController();

  constructor(private readonly kube: KubeClient, private readonly opts: ProxyPodsOptions) {}

  get selector(): string {
    return Object.entries(this.opts.selector).map(([k, v]) => `${k}=${v}`).join(",");
  }

  /** The pods, sorted by name; the first call lists them (and throws when that fails). */
  async current(): Promise<ProxyPod[]> {
    this.start();
    if (!this.listed) await this.list();
    return [...this.pods.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Starts the list+watch loop once. */
  start(): void {
    if (this.running || this.abort.signal.aborted) return;
    this.running = true;
    void this.loop();
  }

  close(): void {
    this.abort.abort();
  }

  private async loop(): Promise<void> {
    let delay = 500;
    let needList = !this.listed;
    while (!this.abort.signal.aborted) {
      try {
        if (needList) await this.list();
        needList = false;
        await this.watch();
        delay = 500;
      } catch (e) {
        if (this.abort.signal.aborted) return;
        this.opts.logger?.warn({ namespace: this.opts.namespace, selector: this.selector, err: e instanceof Error ? e.message : String(e) }, "watching the proxy pods failed; listing again");
        needList = true;
        await sleep(delay * (0.75 + Math.random() / 2), undefined, { signal: this.abort.signal }).catch(() => undefined);
        delay = Math.min(delay * 2, 10_000);
      }
    }
  }

  /** One list at a time (current() and the loop may both ask). */
  private list(): Promise<void> {
    this.listing ??= this.listNow().finally(() => { this.listing = undefined; });
    return this.listing;
  }

  private async listNow(): Promise<void> {
    const next = new Map<string, ProxyPod>();
    let cont = "";
    let rv = "";
    do {
      const r = await this.kube.get<{ items?: Json[]; metadata?: { continue?: string; resourceVersion?: string } }>(
        resourcePath(POD_RESOURCE, { namespace: this.opts.namespace }),
        { query: { labelSelector: this.selector, limit: 500, ...(cont ? { continue: cont } : {}) }, signal: this.abort.signal },
      );
      if (r.status !== 200) throw new Error(`list pods in ${this.opts.namespace} (${this.selector}): ${statusMessage(r)}`);
      for (const p of r.body?.items ?? []) {
        const pod = proxyPod(p);
        if (pod) next.set(pod.name, pod);
      }
      cont = r.body?.metadata?.continue ?? "";
      rv = r.body?.metadata?.resourceVersion ?? rv;
    } while (cont);
    this.pods = next;
    this.resourceVersion = rv;
    this.listed = true;
    this.changed();
  }

  private async watch(): Promise<void> {
    const seconds = this.opts.watchSeconds ?? 300;
    const res: IncomingMessage = await this.kube.stream(resourcePath(POD_RESOURCE, { namespace: this.opts.namespace }), {
      query: { watch: "1", labelSelector: this.selector, resourceVersion: this.resourceVersion, allowWatchBookmarks: "true", timeoutSeconds: seconds },
      signal: this.abort.signal,
      timeoutMs: (seconds + 30) * 1000,
    });
    if (res.statusCode !== 200) {
      res.resume();
      throw new Error(`watch pods in ${this.opts.namespace}: ${res.statusCode ?? 0}`);
    }
    let buffered = "";
    res.setEncoding("utf8");
    for await (const chunk of res as AsyncIterable<string>) {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line) this.event(JSON.parse(line) as { type?: string; object?: Json });
      }
    }
  }

  private event(e: { type?: string; object?: Json }): void {
    const o = e.object ?? {};
    const m = (o["metadata"] ?? {}) as { name?: unknown; resourceVersion?: unknown };
    if (e.type === "ERROR") throw new Error(`watch pods: ${String((o as { message?: unknown }).message ?? "error event")}`);
    if (typeof m.resourceVersion === "string") this.resourceVersion = m.resourceVersion;
    if (e.type === "BOOKMARK" || typeof m.name !== "string") return;
    const pod = e.type === "DELETED" ? undefined : proxyPod(o);
    if (pod) this.pods.set(pod.name, pod);
    else this.pods.delete(m.name);
    this.changed();
  }

  private changed(): void {
    const f = JSON.stringify([...this.pods.values()].sort((a, b) => (a.name < b.name ? -1 : 1)));
    if (f === this.fingerprint) return;
    const first = this.fingerprint === "";
    this.fingerprint = f;
    if (!first) this.opts.onChange();
  }
}

/** What an endpoint needs of a pod; undefined for a pod that has finished (it serves nothing). */
export function proxyPod(o: Json): ProxyPod | undefined {
  const m = (o["metadata"] ?? {}) as Json;
  const spec = (o["spec"] ?? {}) as Json;
  const status = (o["status"] ?? {}) as Json;
  const name = typeof m["name"] === "string" ? m["name"] : "";
  if (!name || status["phase"] === "Succeeded" || status["phase"] === "Failed") return undefined;
  const ips = (Array.isArray(status["podIPs"]) ? status["podIPs"] : [])
    .map((x) => (x && typeof x === "object" ? (x as Json)["ip"] : undefined))
    .filter((x): x is string => typeof x === "string" && x !== "");
  if (ips.length === 0 && typeof status["podIP"] === "string" && status["podIP"]) ips.push(status["podIP"]);
  const conditions = Array.isArray(status["conditions"]) ? status["conditions"] : [];
  const serving = conditions.some((c) => c && typeof c === "object" && (c as Json)["type"] === "Ready" && (c as Json)["status"] === "True");
  return {
    name,
    uid: typeof m["uid"] === "string" ? m["uid"] : "",
    ips,
    ...(typeof spec["nodeName"] === "string" && spec["nodeName"] ? { nodeName: spec["nodeName"] } : {}),
    serving,
    terminating: typeof m["deletionTimestamp"] === "string",
  };
}
