// What every operation handler gets, and small helpers they share.
import type { Store } from "../store.js";
import { Check, P, type Json } from "../validate.js";

export interface Req {
  /** Path labels, percent-decoded. */
  labels: Record<string, string>;
  query: URLSearchParams;
  body: Json;
}

/** Returns the response body, or undefined for an empty (204) response. */
export type Handler = (s: Store, r: Req) => Json | undefined;

/** Validates a path label against its identifier pattern; returns it (or throws at c.done()). */
export function label(c: Check, r: Req, name: string, pattern: RegExp, min = 3, max = 2048): string {
  return c.str(name, r.labels[name], { required: true, min, max, pattern }) ?? "";
}

export function clientToken(c: Check, r: Req): string | undefined {
  return c.str("clientToken", r.body["clientToken"], { min: 1, max: 64, pattern: P.clientToken });
}

/** The parameters an idempotent create is compared on: labels and body without the token. */
export function params(r: Req): Json {
  const { clientToken: _t, ...rest } = r.body;
  return { ...r.labels, ...rest };
}

export function countWhere<T>(m: Map<string, T>, pred: (v: T) => boolean): number {
  let n = 0;
  for (const v of m.values()) if (pred(v)) n++;
  return n;
}
