// Writes computed statuses to the API server. Each update was computed from the informer's copy
// of the object, which may be stale, so every write is: GET the object, rebase our entries onto
// its current status (rebaseStatus: other controllers' entries and unchanged transition times
// come from the API server), skip when that changes nothing, else PUT /status with the GET's
// resourceVersion; a 409 means someone wrote in between, so GET again (bounded). Never
// server-side apply: route status.parents is an atomic list, an apply would take ownership of
// every entry in it, other controllers' included.
import { rebaseStatus, statusChanged, type StatusUpdate } from "@gatehouse/status";
import type { StatusSink, StatusWriteReport } from "../../ports.js";
import { GATEWAY_RESOURCES, resourcePath, statusMessage, type KubeClient, type ResourceType } from "../client.js";

export interface KubeStatusSinkOptions {
  /** Every controllerName whose entries in route parents / policy ancestors are ours. */
  controllerNames: readonly string[];
  /** GET+PUT rounds per object before a run of 409s counts as an error (default 5). */
  maxAttempts?: number;
  /** Objects written in parallel (default 16). */
  concurrency?: number;
  /** Per-request timeout in ms (default: the client's). */
  timeoutMs?: number;
  /** Called between the GET and the PUT (tests use it to race a concurrent writer). */
  beforePut?: (update: StatusUpdate, attempt: number) => Promise<void> | void;
}

/** StatusWriteReport plus objects skipped because they were deleted (404). */
export interface KubeStatusWriteReport extends StatusWriteReport {
  deleted: number;
}

type Outcome = "written" | "unchanged" | "deleted";

export class KubeStatusSink implements StatusSink {
  private readonly ours: ReadonlySet<string>;
  private readonly maxAttempts: number;
  private readonly concurrency: number;

  constructor(private readonly kube: KubeClient, private readonly opts: KubeStatusSinkOptions) {
    this.ours = new Set(opts.controllerNames);
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 5);
    this.concurrency = Math.max(1, opts.concurrency ?? 16);
  }

  async write(updates: readonly StatusUpdate[]): Promise<KubeStatusWriteReport> {
    const report: KubeStatusWriteReport = { written: 0, unchanged: 0, conflicts: 0, deleted: 0, errors: [] };
    let next = 0;
    const worker = async () => {
      while (next < updates.length) {
        const u = updates[next++]!;
        try {
          report[await this.writeOne(u, report)]++;
        } catch (e) {
          report.errors.push({ kind: u.kind, namespace: u.namespace, name: u.name, message: e instanceof Error ? e.message : String(e) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, updates.length) }, worker));
    return report;
  }

  private async writeOne(u: StatusUpdate, report: KubeStatusWriteReport): Promise<Outcome> {
    const type: ResourceType | undefined = (GATEWAY_RESOURCES as Record<string, ResourceType>)[u.kind];
    if (!type) throw new Error(`no API resource known for kind ${u.kind}`);
    const at = { namespace: u.namespace, name: u.name };
    const req = this.opts.timeoutMs !== undefined ? { timeoutMs: this.opts.timeoutMs } : {};
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const got = await this.kube.get<Record<string, unknown>>(resourcePath(type, at), req);
      if (got.status === 404) return "deleted";
      if (got.status !== 200 || !got.body || typeof got.body !== "object") throw new Error(`GET: ${statusMessage(got)}`);
      const current = got.body;
      const status = rebaseStatus({ kind: u.kind, namespace: u.namespace }, current.status, u.status, this.ours);
      if (!statusChanged(current.status, status)) return "unchanged";
      await this.opts.beforePut?.(u, attempt);
      // The object as read, with our status: its metadata.resourceVersion makes the PUT conditional.
      const put = await this.kube.put(resourcePath(type, { ...at, subresource: "status" }), { ...current, status }, req);
      if (put.status === 200 || put.status === 201) return "written";
      if (put.status === 404) return "deleted";
      if (put.status !== 409) throw new Error(`PUT status: ${statusMessage(put)}`);
      report.conflicts++;
    }
    throw new Error(`PUT status: still conflicting after ${this.maxAttempts} attempts`);
  }
}
