// Node conditions → API conditions, with lastTransitionTime carried over from the object's
// current status whenever a condition's status did not change (so rewriting never flaps).
import type { NodeCondition } from "@gatehouse/model";
import type { StatusCondition } from "./types.js";

/** Kubernetes' validation for Condition.reason (metav1.Condition). */
const REASON_RE = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;
const MAX_REASON = 1024;
const MAX_MESSAGE = 32768;

export interface Previous { status: string; lastTransitionTime: string }

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The conditions already on an object (untrusted JSON), by type; the first of a type wins. */
export function previousConditions(list: unknown): Map<string, Previous> {
  const out = new Map<string, Previous>();
  for (const c of asArray(list)) {
    if (!isObject(c) || typeof c.type !== "string" || out.has(c.type)) continue;
    out.set(c.type, {
      status: typeof c.status === "string" ? c.status : "",
      lastTransitionTime: typeof c.lastTransitionTime === "string" ? c.lastTransitionTime : "",
    });
  }
  return out;
}

/** A reason the API server accepts, or the fallback (provider reasons are free text). */
export function safeReason(reason: unknown, fallback: string): string {
  return typeof reason === "string" && reason.length <= MAX_REASON && REASON_RE.test(reason) ? reason : fallback;
}

export function safeMessage(message: unknown): string {
  if (typeof message !== "string") return "";
  return message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE - 3)}...`;
}

/**
 * The API form of node conditions, in node order (the first of a duplicated type wins).
 * `previous` is the same object's current conditions (from `previousConditions`).
 */
export function toConditions(
  conditions: readonly NodeCondition[], previous: ReadonlyMap<string, Previous>, generation: number, now: string,
): StatusCondition[] {
  const out: StatusCondition[] = [];
  const seen = new Set<string>();
  for (const c of conditions) {
    if (seen.has(c.type)) continue;
    seen.add(c.type);
    const prev = previous.get(c.type);
    const lastTransitionTime = prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : now;
    out.push({
      type: c.type,
      status: c.status,
      observedGeneration: generation,
      lastTransitionTime,
      reason: safeReason(c.reason, c.status === "True" ? c.type : "Invalid"),
      message: safeMessage(c.message),
    });
  }
  return out;
}

/** Replaces (by type, in place) or appends a condition, without mutating the input. */
export function withCondition(list: readonly NodeCondition[], c: NodeCondition): NodeCondition[] {
  const out = [...list];
  const i = out.findIndex((x) => x.type === c.type);
  if (i >= 0) out[i] = c; else out.push(c);
  return out;
}
