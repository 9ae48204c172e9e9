// Finalizers on Gateways and routes whose provider owns external resources (cloud backends):
// the API server keeps a deleted object (deletionTimestamp set) until every finalizer is gone,
// so the provider's finalize() runs before the object disappears. The reconciler adds ours
// while the object lives and removes it once finalize() reports done.
//
// Writes are JSON merge patches of metadata.finalizers carrying the resourceVersion we read,
// so a concurrent change of the list (another controller's finalizer) is a 409, read again and
// retried, never a lost update. A merge patch replaces the whole list, hence the version check.
import { GATEWAY_RESOURCES, resourcePath, statusMessage, type KubeClient, type ResourceType } from "../client.js";

export const FINALIZER = "gatehouse.dev/cleanup";

/** An object by kind (a Gateway API kind, or any kind given its ResourceType), namespace and name. */
export interface ObjectRef {
  kind: string;
  namespace: string;
  name: string;
  /** Where the kind is served; default: GATEWAY_RESOURCES[kind]. */
  resource?: ResourceType;
}

interface Meta { metadata?: { finalizers?: unknown; deletionTimestamp?: unknown; resourceVersion?: string } }

function finalizersOf(obj: unknown): string[] {
  const list = (obj as Meta | null)?.metadata?.finalizers;
  return Array.isArray(list) ? list.filter((f): f is string => typeof f === "string") : [];
}

/** The object is being deleted (deletionTimestamp set): only finalizers keep it. */
export function isDeleting(obj: unknown): boolean {
  const ts = (obj as Meta | null)?.metadata?.deletionTimestamp;
  return typeof ts === "string" && ts !== "";
}

export function hasFinalizer(obj: unknown, name: string = FINALIZER): boolean {
  return finalizersOf(obj).includes(name);
}

export type EnsureResult = "added" | "present" | "deleting" | "gone";
export type RemoveResult = "removed" | "absent" | "gone";

export class Finalizers {
  private readonly maxAttempts: number;

  constructor(private readonly kube: KubeClient, opts: { maxAttempts?: number } = {}) {
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 5);
  }

  /**
   * Adds `name` unless present. "deleting": the object is already being deleted and the API
   * server allows no new finalizer then (the caller finalizes without one); "gone": 404.
   */
  async ensureFinalizer(ref: ObjectRef, name: string = FINALIZER): Promise<EnsureResult> {
    return this.update(ref, (obj, list) => {
      if (list.includes(name)) return "present";
      if (isDeleting(obj)) return "deleting";
      return [...list, name];
    }, "added");
  }

  /** Removes `name` if present ("gone": the object no longer exists, e.g. ours was the last finalizer). */
  async removeFinalizer(ref: ObjectRef, name: string = FINALIZER): Promise<RemoveResult> {
    return this.update(ref, (_obj, list) => (list.includes(name) ? list.filter((f) => f !== name) : "absent"), "removed");
  }

  /** GET, decide (a new list, or a result meaning nothing to write), merge-patch with resourceVersion; 409 → again. */
  private async update<R extends string>(
    ref: ObjectRef, decide: (obj: unknown, list: string[]) => string[] | R, changed: R,
  ): Promise<R | "gone"> {
    const type = ref.resource ?? (GATEWAY_RESOURCES as Record<string, ResourceType>)[ref.kind];
    if (!type) throw new Error(`finalizers: no API resource known for kind ${ref.kind}`);
    const path = resourcePath(type, { namespace: ref.namespace, name: ref.name });
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const got = await this.kube.get<Meta>(path);
      if (got.status === 404) return "gone";
      if (got.status !== 200) throw new Error(`finalizers: GET ${ref.kind} ${ref.namespace}/${ref.name}: ${statusMessage(got)}`);
      const next = decide(got.body, finalizersOf(got.body));
      if (!Array.isArray(next)) return next;
      const patch = { metadata: { finalizers: next, resourceVersion: got.body.metadata?.resourceVersion } };
      const r = await this.kube.patch(path, patch);
      if (r.status === 200) return changed;
      if (r.status === 404) return "gone";
      if (r.status !== 409) throw new Error(`finalizers: PATCH ${ref.kind} ${ref.namespace}/${ref.name}: ${statusMessage(r)}`);
    }
    throw new Error(`finalizers: ${ref.kind} ${ref.namespace}/${ref.name} still conflicting after ${this.maxAttempts} attempts`);
  }
}
