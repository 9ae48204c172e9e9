// RuleAction and RuleMatch: their syntax (unions, ranges, patterns from the model) and the
// service's rules about them (target groups exist and are ACTIVE, protocols fit the listener).
import { invalid } from "../errors.js";
import type { Store } from "../store.js";
import { Check, P, type Json } from "../validate.js";

/** Parses a RuleAction (forward | fixedResponse); returns it normalized. */
export function parseAction(c: Check, name: string, value: unknown, required: boolean): Json | undefined {
  const u = c.union(name, value, ["forward", "fixedResponse"], required);
  if (!u) return undefined;
  const [kind, v] = u;
  if (kind === "fixedResponse") {
    const fr = c.obj(`${name}.fixedResponse`, v, true);
    const code = fr ? c.int(`${name}.fixedResponse.statusCode`, fr["statusCode"], { required: true, min: 100, max: 599 }) : undefined;
    return code === undefined ? undefined : { fixedResponse: { statusCode: code } };
  }
  const fwd = c.obj(`${name}.forward`, v, true);
  if (!fwd) return undefined;
  const list = c.list(`${name}.forward.targetGroups`, fwd["targetGroups"], { required: true, min: 1, max: 10 });
  if (!list) return undefined;
  const out: Json[] = [];
  list.forEach((item, i) => {
    const at = `${name}.forward.targetGroups.${i + 1}.member`;
    const o = c.obj(at, item, true);
    if (!o) return;
    const tg = c.str(`${at}.targetGroupIdentifier`, o["targetGroupIdentifier"], { required: true, min: 17, max: 2048, pattern: P.targetGroupId });
    const weight = c.int(`${at}.weight`, o["weight"], { min: 0, max: 999 });
    if (tg !== undefined) out.push(weight === undefined ? { targetGroupIdentifier: tg } : { targetGroupIdentifier: tg, weight });
  });
  return { forward: { targetGroups: out } };
}

/**
 * The service's checks on an action for a listener of `protocol`: target groups exist, are
 * ACTIVE, appear once, fit the protocol (TCP groups only behind TLS_PASSTHROUGH). Rewrites
 * target group ARNs to ids.
 */
export function resolveAction(s: Store, action: Json, protocol: string, field: string): Json {
  if (action["fixedResponse"]) {
    if (protocol === "TLS_PASSTHROUGH") throw invalid("A TLS_PASSTHROUGH listener can only forward to TCP target groups.", field);
    return action;
  }
  const tgs = ((action["forward"] as Json)["targetGroups"] as Json[]).map((t) => ({ ...t }));
  const seen = new Set<string>();
  for (const t of tgs) {
    const tg = s.targetGroup(String(t["targetGroupIdentifier"]));
    if (seen.has(tg.id)) throw invalid(`The target group '${tg.id}' appears more than once in the action.`, field);
    seen.add(tg.id);
    s.requireActive("TARGET_GROUP", tg, "target group");
    const tcp = tg.config["protocol"] === "TCP";
    if (protocol === "TLS_PASSTHROUGH" && !tcp) {
      throw invalid(`A TLS_PASSTHROUGH listener can only forward to TCP target groups; '${tg.id}' is ${String(tg.config["protocol"] ?? tg.type)}.`, field);
    }
    if (protocol !== "TLS_PASSTHROUGH" && tcp) {
      throw invalid(`An ${protocol} listener cannot forward to the TCP target group '${tg.id}'.`, field);
    }
    t["targetGroupIdentifier"] = tg.id;
  }
  return { forward: { targetGroups: tgs } };
}

const PATH_TYPES = ["exact", "prefix"] as const;
const HEADER_TYPES = ["exact", "prefix", "contains"] as const;

/** Parses a RuleMatch (httpMatch {method, pathMatch, headerMatches ≤ 5}). */
export function parseMatch(c: Check, name: string, value: unknown, required: boolean): Json | undefined {
  const u = c.union(name, value, ["httpMatch"], required);
  if (!u) return undefined;
  const at = `${name}.httpMatch`;
  const hm = c.obj(at, u[1], true);
  if (!hm) return undefined;
  const out: Json = {};
  const method = c.str(`${at}.method`, hm["method"], { min: 0, max: 16 });
  if (method !== undefined) out["method"] = method;
  const pm = c.obj(`${at}.pathMatch`, hm["pathMatch"]);
  if (pm) {
    const mu = c.union(`${at}.pathMatch.match`, pm["match"], PATH_TYPES, true);
    const cs = c.bool(`${at}.pathMatch.caseSensitive`, pm["caseSensitive"]);
    if (mu) {
      const v = c.str(`${at}.pathMatch.match.${mu[0]}`, mu[1], { required: true, min: 1, max: 200, pattern: P.path });
      if (v !== undefined) out["pathMatch"] = { match: { [mu[0]]: v }, ...(cs !== undefined ? { caseSensitive: cs } : {}) };
    }
  }
  const hl = c.list(`${at}.headerMatches`, hm["headerMatches"], { min: 1, max: 5 });
  if (hl) {
    const headers: Json[] = [];
    hl.forEach((h, i) => {
      const hat = `${at}.headerMatches.${i + 1}.member`;
      const ho = c.obj(hat, h, true);
      if (!ho) return;
      const hname = c.str(`${hat}.name`, ho["name"], { required: true, min: 1, max: 100 });
      const mu = c.union(`${hat}.match`, ho["match"], HEADER_TYPES, true);
      const cs = c.bool(`${hat}.caseSensitive`, ho["caseSensitive"]);
      const v = mu ? c.str(`${hat}.match.${mu[0]}`, mu[1], { required: true, min: 1, max: 200 }) : undefined;
      if (hname !== undefined && mu && v !== undefined) {
        headers.push({ name: hname, match: { [mu[0]]: v }, ...(cs !== undefined ? { caseSensitive: cs } : {}) });
      }
    });
    out["headerMatches"] = headers;
  }
  return { httpMatch: out };
}

/** The service's rule that a match says something: a method, a path or a header. */
export function checkMatch(match: Json, field: string): void {
  const hm = match["httpMatch"] as Json;
  if (hm["method"] === undefined && hm["pathMatch"] === undefined && hm["headerMatches"] === undefined) {
    throw invalid("The rule match must specify a method, a path match or header matches.", field);
  }
}
