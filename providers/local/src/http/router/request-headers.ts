// RequestHeaderModifier: the rule's then the backend's, compiled into one list of
// operations applied to a copy of the client's headers (the original is never changed).
import type { HeaderModifierConfig } from "@gatehouse/ir";
import type { HeaderMap } from "./types.js";

const SET = 0, ADD = 1, REMOVE = 2;

export interface HeaderOp {
  op: 0 | 1 | 2;
  /** Lowercased, as Node's header maps key them. */
  name: string;
  value: string;
}

/** Appends one modifier's set, add and remove (in that order) to `ops`. */
export function compileHeaderModifier(cfg: Partial<HeaderModifierConfig>, ops: HeaderOp[]): void {
  for (const h of Array.isArray(cfg.set) ? cfg.set : []) ops.push({ op: SET, name: String(h.name).toLowerCase(), value: String(h.value) });
  for (const h of Array.isArray(cfg.add) ? cfg.add : []) ops.push({ op: ADD, name: String(h.name).toLowerCase(), value: String(h.value) });
  for (const n of Array.isArray(cfg.remove) ? cfg.remove : []) ops.push({ op: REMOVE, name: String(n).toLowerCase(), value: "" });
}

export function applyHeaderOps(headers: HeaderMap, ops: readonly HeaderOp[]): HeaderMap {
  if (ops.length === 0) return headers;
  const out: HeaderMap = {};
  for (const k in headers) out[k] = headers[k]!;
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i]!;
    if (o.op === SET) out[o.name] = [o.value];
    else if (o.op === ADD) {
      const prev = out[o.name];
      out[o.name] = Array.isArray(prev) && prev.length > 0 ? [...prev, o.value] : [o.value];
    } else delete out[o.name];
  }
  return out;
}
