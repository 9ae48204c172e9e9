import { randomBytes } from "node:crypto";
import type { Json } from "./json.js";
import { clone } from "./json.js";
import type { KindSpec } from "./kinds/types.js";
import { type Scope, sameScope } from "./links.js";

export interface Stored {
  path: string;
  spec: KindSpec;
  project: string;
  scope: Scope;
  name: string;
  /** The wire object `get` returns (before `render` adds computed fields). */
  resource: Json;
  hidden: Json;
}

/** A change waiting for its operation to finish; it holds its target (resourceNotReady). */
export interface PendingChange {
  path: string;
  /** The resource as it will be after the change; null for a delete. */
  after: Stored | null;
  opName: string;
}

/**
 * Every resource of every project the fake serves, keyed by partial path
 * (`projects/p/global/urlMaps/u`). Changes land when their operation completes.
 */
export class Store {
  readonly records = new Map<string, Stored>();
  readonly pending = new Map<string, PendingChange>();
  private idSeq = 0n;
  // ids look like the API's (19 digits) and stay below 2^63 so every client decodes them exactly
  private readonly idBase = (BigInt(`0x${randomBytes(6).toString("hex")}`) % (1n << 42n)) * 1_000_000n + 1_000_000_000_000_000_000n;

  /** Server-assigned uint64 ids, as decimal strings (proto3 JSON for uint64). */
  nextId(): string {
    this.idSeq++;
    return (this.idBase + this.idSeq).toString();
  }

  fingerprint(): string {
    return randomBytes(8).toString("base64");
  }

  get(path: string): Stored | undefined {
    return this.records.get(path);
  }

  list(project: string, scope: Scope, collection: string): Stored[] {
    const out: Stored[] = [];
    for (const r of this.records.values()) {
      if (r.project === project && r.spec.collection === collection && sameScope(r.scope, scope)) out.push(r);
    }
    return out;
  }

  all(): Stored[] {
    return [...this.records.values()];
  }

  put(s: Stored): void {
    this.records.set(s.path, s);
  }

  delete(path: string): void {
    this.records.delete(path);
  }

  /** Resources (stored, or about to be by an operation in flight) that reference `path`. */
  referencesTo(path: string): string[] {
    const users = new Set<string>();
    for (const r of this.records.values()) {
      // a user being deleted still holds its references until its operation is DONE
      const current = this.pending.get(r.path)?.after ?? r;
      if (current.spec.refs(current).includes(path)) users.add(r.path);
    }
    for (const c of this.pending.values()) {
      if (c.after && !this.records.has(c.path) && c.after.spec.refs(c.after).includes(path)) users.add(c.path);
    }
    return [...users].sort();
  }

  /** Stored resources that reference `path` (for output fields such as usedBy). */
  storedUsersOf(path: string): Stored[] {
    return this.all()
      .filter((r) => r.spec.refs(r).includes(path))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  snapshot(): Record<string, Json> {
    const out: Record<string, Json> = {};
    for (const [k, v] of [...this.records.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = clone(v.resource);
    return out;
  }

  clear(): void {
    this.records.clear();
    this.pending.clear();
  }
}
