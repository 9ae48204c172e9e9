import type { Json } from "../json.js";
import type { Scope } from "../links.js";
import type { Store, Stored } from "../store.js";

/** What a kind's validation sees: where the resource lives and how to resolve references. */
export interface PrepareCtx {
  project: string;
  scope: Scope;
  name: string;
  path: string;
  store: Store;
  /** The stored resource on update/patch/custom methods; undefined on insert. */
  existing: Stored | undefined;
  /**
   * Resolves a reference field to a stored resource of one of `collections`, or throws the
   * API's error (malformed URL 400, not found 404, in flight 400 resourceNotReady).
   */
  ref(value: unknown, field: string, collections: readonly string[], opts?: { bare?: boolean; scope?: Scope }): Stored;
}

export interface Prepared {
  /** The resource as `get` returns it, without the common output fields. */
  resource: Json;
  /** State the API keeps but does not return (a private key, NEG endpoints, an address binding). */
  hidden?: Json;
}

/** A custom method such as setUrlMap: POST {scope path}/{collection}/{name}/{verb}. */
export interface CustomMethod {
  verb: string;
  /** Discovery method name suffix (`setUrlMap`), used in the call log. */
  method: string;
  /** Scopes this method exists for (the API does not always offer it on both). */
  scopes: ReadonlyArray<Scope["type"]>;
  /** Global variants of some proxy methods live at projects/{p}/{collection}/{name}/{verb}. */
  globalWithoutSegment?: boolean;
  /** Mutating methods return an Operation; read-only ones return `read`'s result. */
  mutating: boolean;
  /**
   * For a mutating method: validates the body now and returns what computes the new
   * state from the resource as it is when the operation completes.
   */
  apply?(ctx: PrepareCtx, body: Json, query: URLSearchParams): (current: Stored) => Prepared;
  /** False when concurrent calls may run on one resource (NEG attach/detach); default true. */
  lock?: boolean;
  /** For a read-only method (listNetworkEndpoints). */
  read?(ctx: PrepareCtx, body: Json, query: URLSearchParams): unknown;
  /** Whether the method replaces the fingerprint (set* methods do). */
  newFingerprint?: boolean;
}

export interface KindSpec {
  /** REST collection: `urlMaps`. */
  collection: string;
  /** `compute#urlMap` */
  kind: string;
  /** Noun in "The url_map resource '…' is already being used by '…'". */
  noun: string;
  /** Discovery resource names per scope: urlMaps / regionUrlMaps / networkEndpointGroups. */
  api: Partial<Record<Scope["type"], string>>;
  /** Discovery resource offering `aggregatedList` over all scopes (/projects/{p}/aggregated/{collection}), if any. */
  aggregated?: string;
  /** Optimistic locking: update/patch must carry the current fingerprint or get 412. */
  fingerprint: boolean;
  patch: ReadonlyArray<Scope["type"]>;
  update: ReadonlyArray<Scope["type"]>;
  custom: readonly CustomMethod[];
  /** Validates and normalizes a body (insert, or the merged/replaced body of patch/update). */
  prepare(ctx: PrepareCtx, body: Json): Prepared;
  /** Partial paths this resource references (reference integrity on delete). */
  refs(stored: { resource: Json; hidden: Json }): string[];
  /** Output-only fields computed from the rest of the state (usedBy, size, users). */
  render?(stored: Stored, store: Store): Json;
  /** Quota name and default limit per scope, checked when an insert completes. */
  quota?: { metric: string; name: string };
}
