// Turns the objects read from files into a Snapshot the way an API server would have stored
// them: namespace defaulted, metadata.generation bumped when the spec changes,
// creationTimestamp set when first seen, status dropped, missing Namespaces created with
// their kubernetes.io/metadata.name label, resourceVersion counted up on every change. An object whose file text did not change keeps
// its identity (CoreSession recomputes only what changed).
import { isNamespaced, snapshotFromObjects, type Kind, type Snapshot } from "@gatehouse/model";
import type { ReadObject } from "./read.js";

interface Entry {
  /** JSON of the object as read (before defaulting): equal JSON, same object. */
  raw: string;
  spec: string;
  generation: number;
  created: string;
  object: Record<string, unknown>;
  synthesized: boolean;
}

export interface SnapshotChanges {
  /** `Kind ns/name`, sorted. */
  added: string[];
  changed: string[];
  removed: string[];
}

export class SnapshotBuilder {
  private entries = new Map<string, Entry>();
  /** metadata.resourceVersion of the next new or changed object (as an API server counts). */
  private version = 0;

  /** The new snapshot and what changed since the last build; `now` (RFC 3339) stamps new objects. */
  build(objects: readonly ReadObject[], now: string): { snapshot: Snapshot; changes: SnapshotChanges } {
    const next = new Map<string, Entry>();
    const changes: SnapshotChanges = { added: [], changed: [], removed: [] };
    const put = (kind: Kind, key: string, raw: Record<string, unknown>, synthesized: boolean) => {
      const id = `${kind} ${key}`;
      const entry = this.entry(kind, id, raw, now, synthesized);
      const prev = this.entries.get(id);
      if (!synthesized) {
        if (!prev) changes.added.push(id);
        else if (prev.object !== entry.object) changes.changed.push(id);
      }
      next.set(id, entry);
    };
    const namespaces = new Set<string>();
    const declared = new Set<string>();
    for (const o of objects) {
      put(o.kind, o.key, o.object, false);
      if (o.kind === "Namespace") declared.add(o.key);
      else if (isNamespaced(o.kind)) namespaces.add(o.key.slice(0, o.key.indexOf("/")));
    }
    // A cluster would have refused objects in a namespace that does not exist; here it is created.
    for (const ns of [...namespaces].sort()) {
      if (declared.has(ns)) continue;
      put("Namespace", ns, { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, true);
    }
    for (const [id, e] of this.entries) if (!next.has(id) && !e.synthesized) changes.removed.push(id);
    this.entries = next;
    for (const list of [changes.added, changes.changed, changes.removed]) list.sort();
    const { snapshot } = snapshotFromObjects([...next.values()].map((e) => e.object));
    return { snapshot, changes };
  }

  private entry(kind: Kind, id: string, raw: Record<string, unknown>, now: string, synthesized: boolean): Entry {
    const rawJson = JSON.stringify(raw);
    const prev = this.entries.get(id);
    if (prev && prev.raw === rawJson) return prev;
    const { metadata, status: _status, ...rest } = raw;
    const meta = { ...(metadata as Record<string, unknown>) };
    const spec = JSON.stringify(rest);
    const generation = typeof meta.generation === "number" ? meta.generation
      : prev ? (prev.spec === spec ? prev.generation : prev.generation + 1) : 1;
    const created = typeof meta.creationTimestamp === "string" ? meta.creationTimestamp : prev?.created ?? now;
    if (isNamespaced(kind) && meta.namespace === undefined) meta.namespace = "default";
    if (kind === "Namespace") {
      const labels = meta.labels && typeof meta.labels === "object" ? meta.labels as Record<string, unknown> : {};
      meta.labels = { ...labels, "kubernetes.io/metadata.name": meta.name };
    }
    meta.generation = generation;
    meta.creationTimestamp = created;
    meta.resourceVersion = String(++this.version);
    return { raw: rawJson, spec, generation, created, object: { ...rest, metadata: meta }, synthesized };
  }
}
