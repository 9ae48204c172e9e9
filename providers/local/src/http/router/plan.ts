// What a rule does once one of its matches matched, compiled once per rule (every match of
// a rule shares the rule's filters and backends, so they share this plan and its picker).
import type { IRBackend, IRFilter, IRHTTPRoute } from "@gatehouse/ir";
import type { ResponseEdits } from "./types.js";
import { compileCors, type CompiledCors } from "./cors.js";
import { compilePathModifier, type CompiledPathModifier } from "./path-modifier.js";
import { compileRedirect, type CompiledRedirect } from "./redirect.js";
import { compileHeaderModifier, type HeaderOp } from "./request-headers.js";
import { NO_EDITS, addModifier, isEmptyEdits } from "./response-edits.js";
import { SmoothPicker, pickerSignature } from "./weighted.js";

export interface BackendPlan {
  backend: IRBackend;
  /** RequestHeaderModifier operations: the rule's, then this backend's. */
  headerOps: HeaderOp[];
  /** ResponseHeaderModifier edits: the rule's, then this backend's (NO_EDITS when none). */
  response: ResponseEdits;
}

export interface MirrorPlan { backend: IRBackend; percent: number }

export interface RulePlan {
  direct: { status: number; reason: string } | undefined;
  redirect: CompiledRedirect | undefined;
  rewriteHost: string | undefined;
  rewritePath: CompiledPathModifier | undefined;
  mirrors: MirrorPlan[];
  cors: CompiledCors | undefined;
  backends: BackendPlan[];
  picker: SmoothPicker;
}

/** `httproute/ns/name/rule/0/match/1` → `httproute/ns/name/rule/0`. */
export function ruleKey(source: string): string {
  const i = typeof source === "string" ? source.lastIndexOf("/match/") : -1;
  return i < 0 ? String(source) : source.slice(0, i);
}

function list<T>(v: readonly T[] | undefined): readonly T[] {
  return Array.isArray(v) ? v : [];
}

export function compilePlan(route: IRHTTPRoute, listenerPort: number, previous: SmoothPicker | undefined): RulePlan {
  const plan: RulePlan = {
    direct: route.directResponse,
    redirect: undefined,
    rewriteHost: undefined,
    rewritePath: undefined,
    mirrors: [],
    cors: undefined,
    backends: [],
    picker: previous!,
  };
  const ruleOps: HeaderOp[] = [];
  const ruleEdits: ResponseEdits = { set: [], add: [], remove: [] };
  for (const f of list<IRFilter>(route.filters)) {
    switch (f.type) {
      case "RequestHeaderModifier": compileHeaderModifier(f, ruleOps); break;
      case "ResponseHeaderModifier": addModifier(ruleEdits, f); break;
      case "RequestRedirect": plan.redirect ??= compileRedirect(f, listenerPort); break;
      case "URLRewrite":
        if (typeof f.hostname === "string" && f.hostname !== "") plan.rewriteHost = f.hostname;
        plan.rewritePath = compilePathModifier(f.path) ?? plan.rewritePath;
        break;
      case "RequestMirror":
        // Mirroring is best-effort: a mirror whose backend cannot be reached is skipped.
        if (f.backend && !f.backend.invalid) plan.mirrors.push({ backend: f.backend, percent: typeof f.percent === "number" ? f.percent : 100 });
        break;
      case "CORS": plan.cors = compileCors(f); break;
    }
  }
  const backends = list<IRBackend>(route.backends);
  for (const backend of backends) {
    const headerOps = ruleOps.slice();
    const response: ResponseEdits = { set: ruleEdits.set.slice(), add: ruleEdits.add.slice(), remove: ruleEdits.remove.slice() };
    for (const f of list<IRFilter>(backend.filters)) {
      if (f.type === "RequestHeaderModifier") compileHeaderModifier(f, headerOps);
      else if (f.type === "ResponseHeaderModifier") addModifier(response, f);
    }
    plan.backends.push({ backend, headerOps, response: isEmptyEdits(response) ? NO_EDITS : response });
  }
  const signature = pickerSignature(backends);
  plan.picker = previous && previous.signature === signature ? previous : new SmoothPicker(backends, signature);
  return plan;
}
