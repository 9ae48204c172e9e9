// CreateRule, GetRule, ListRules, UpdateRule, DeleteRule, BatchUpdateRule. Priorities are
// unique per listener; a listener's default rule is listed (isDefault) but is changed only
// through UpdateListener and never deleted.
import { conflict, invalid, LatticeError, quotaExceeded } from "../errors.js";
import type { ListenerRec, RuleRec, ServiceRec } from "../model.js";
import { QUOTA_CODES } from "../options.js";
import type { Store } from "../store.js";
import { Check, P, type Json } from "../validate.js";
import { compact, defaultRuleView, ruleSummary, ruleView } from "../views.js";
import { checkMatch, parseAction, parseMatch, resolveAction } from "./actions.js";
import { clientToken, countWhere, label, params, type Handler, type Req } from "./common.js";
import { idOf } from "../ids.js";

function scope(s: Store, c: Check, r: Req): () => { svc: ServiceRec; l: ListenerRec } {
  const svcIdent = label(c, r, "serviceIdentifier", P.serviceId, 17);
  const lIdent = label(c, r, "listenerIdentifier", P.listenerId, 20);
  return () => {
    const svc = s.service(svcIdent);
    return { svc, l: s.listener(svc, lIdent) };
  };
}

function noRulesOnTls(l: ListenerRec): void {
  if (l.protocol === "TLS_PASSTHROUGH") {
    throw invalid(`The TLS_PASSTHROUGH listener '${l.id}' only has its default rule.`, "listenerIdentifier");
  }
}

export const createRule: Handler = (s, r) => {
  const c = new Check();
  const at = scope(s, c, r);
  const name = c.str("name", r.body["name"], { required: true, min: 3, max: 63, pattern: P.ruleName });
  const match = parseMatch(c, "match", r.body["match"], true);
  const priority = c.int("priority", r.body["priority"], { required: true, min: 1, max: s.opts.limits.maxRulePriority });
  const action = parseAction(c, "action", r.body["action"], true);
  const tags = c.tags("tags", r.body["tags"]);
  const token = clientToken(c, r);
  c.done();
  return s.idempotent("CreateRule", token, params(r), () => {
    const { svc, l } = at();
    noRulesOnTls(l);
    checkMatch(match!, "match");
    for (const rule of s.rules.values()) {
      if (rule.listenerId !== l.id) continue;
      if (rule.name === name) throw conflict("RULE", rule.id, `The listener '${l.id}' already has a rule named '${name}'.`);
      if (rule.priority === priority) throw conflict("RULE", rule.id, `The listener '${l.id}' already has a rule with priority ${priority}.`);
    }
    if (countWhere(s.rules, (x) => x.listenerId === l.id) >= s.opts.limits.rulesPerListener) {
      throw quotaExceeded("RULE", QUOTA_CODES.rulesPerListener, `A listener can have at most ${s.opts.limits.rulesPerListener} rules.`, l.id);
    }
    const resolved = resolveAction(s, action!, l.protocol, "action");
    const id = s.ids.id("rule");
    const now = s.now();
    const rule: RuleRec = {
      id,
      arn: s.arns.rule(svc.id, l.id, id),
      seq: s.seq(),
      createdAt: now,
      lastUpdatedAt: now,
      svcId: svc.id,
      listenerId: l.id,
      name: name!,
      priority: priority!,
      match: match!,
      action: resolved,
    };
    s.rules.set(id, rule);
    s.setTags(rule.arn, tags);
    const render = () => {
      const cur = s.rules.get(id) ?? rule;
      return { arn: cur.arn, id, name: cur.name, match: cur.match, priority: cur.priority, action: cur.action };
    };
    return { result: render(), replay: render };
  });
};

/** A rule of the listener by id or ARN; the default rule as undefined-with-listener. */
function findRule(s: Store, l: ListenerRec, identifier: string): RuleRec | "default" {
  const id = idOf(identifier);
  if (id === l.defaultRuleId) return "default";
  const rule = s.rules.get(id);
  if (!rule || rule.listenerId !== l.id || (identifier.startsWith("arn:") && rule.arn !== identifier)) {
    throw new LatticeError("ResourceNotFoundException", 404, `The rule '${identifier}' was not found.`, {
      resourceId: identifier,
      resourceType: "RULE",
    });
  }
  return rule;
}

export const getRule: Handler = (s, r) => {
  const c = new Check();
  const at = scope(s, c, r);
  const rIdent = label(c, r, "ruleIdentifier", P.ruleId, 20);
  c.done();
  const { l } = at();
  const rule = findRule(s, l, rIdent);
  return rule === "default" ? defaultRuleView(s, l) : ruleView(rule);
};

export const listRules: Handler = (s, r) => {
  const c = new Check();
  const at = scope(s, c, r);
  c.done();
  const { l } = at();
  const views = [
    { seq: l.seq, v: defaultRuleView(s, l) },
    ...[...s.rules.values()].filter((x) => x.listenerId === l.id).map((x) => ({ seq: x.seq, v: ruleView(x) })),
  ];
  const page = s.page(`rules:${l.id}`, views, r.query);
  return compact({ items: page.items.map((x) => ruleSummary(x.v)), nextToken: page.nextToken });
};

interface RuleChange {
  match?: Json;
  priority?: number;
  action?: Json;
}

/** Checks one update against the listener (not priorities, which depend on the whole batch). */
function prepare(s: Store, l: ListenerRec, identifier: string, ch: RuleChange): { rule: RuleRec | "default"; change: RuleChange } {
  const rule = findRule(s, l, identifier);
  if (rule === "default") {
    if (ch.match !== undefined || ch.priority !== undefined) {
      throw invalid("The default rule has no match or priority; change its action with UpdateListener.", "ruleIdentifier");
    }
  } else if (ch.match) checkMatch(ch.match, "match");
  const change: RuleChange = { ...ch };
  if (ch.action) change.action = resolveAction(s, ch.action, l.protocol, "action");
  return { rule, change };
}

function apply(s: Store, l: ListenerRec, rule: RuleRec | "default", ch: RuleChange): Json {
  const now = s.now();
  if (rule === "default") {
    if (ch.action) l.defaultAction = ch.action;
    l.lastUpdatedAt = now;
    const v = defaultRuleView(s, l);
    return compact({ arn: v["arn"], id: v["id"], name: v["name"], isDefault: true, action: v["action"] });
  }
  if (ch.match) rule.match = ch.match;
  if (ch.priority !== undefined) rule.priority = ch.priority;
  if (ch.action) rule.action = ch.action;
  rule.lastUpdatedAt = now;
  return { arn: rule.arn, id: rule.id, name: rule.name, isDefault: false, match: rule.match, priority: rule.priority, action: rule.action };
}

export const updateRule: Handler = (s, r) => {
  const c = new Check();
  const at = scope(s, c, r);
  const rIdent = label(c, r, "ruleIdentifier", P.ruleId, 20);
  const match = parseMatch(c, "match", r.body["match"], false);
  const priority = c.int("priority", r.body["priority"], { min: 1, max: s.opts.limits.maxRulePriority });
  const action = parseAction(c, "action", r.body["action"], false);
  c.done();
  const { l } = at();
  const { rule, change } = prepare(s, l, rIdent, compact({ match, priority, action }) as RuleChange);
  if (rule !== "default" && change.priority !== undefined) {
    for (const x of s.rules.values()) {
      if (x.listenerId === l.id && x.id !== rule.id && x.priority === change.priority) {
        throw conflict("RULE", x.id, `The listener '${l.id}' already has a rule with priority ${change.priority}.`);
      }
    }
  }
  return apply(s, l, rule, change);
};

export const deleteRule: Handler = (s, r) => {
  const c = new Check();
  const at = scope(s, c, r);
  const rIdent = label(c, r, "ruleIdentifier", P.ruleId, 20);
  c.done();
  const { l } = at();
  const rule = findRule(s, l, rIdent);
  if (rule === "default") throw invalid("The default rule of a listener cannot be deleted.", "ruleIdentifier");
  s.rules.delete(rule.id);
  s.tags.delete(rule.arn);
  return undefined;
};

/**
 * Up to 10 rule updates in one call. Each update succeeds or fails on its own; priorities
 * are checked on the listener as it would be after the batch, so rules can swap priorities.
 */
export const batchUpdateRule: Handler = (s, r) => {
  const c = new Check();
  const at = scope(s, c, r);
  const list = c.list("rules", r.body["rules"], { required: true, min: 1, max: 10 });
  const parsed: { ident: string; change: RuleChange }[] = [];
  (list ?? []).forEach((item, i) => {
    const f = `rules.${i + 1}.member`;
    const o = c.obj(f, item, true);
    if (!o) return;
    const ident = c.str(`${f}.ruleIdentifier`, o["ruleIdentifier"], { required: true, min: 20, max: 2048, pattern: P.ruleId });
    const match = parseMatch(c, `${f}.match`, o["match"], false);
    const priority = c.int(`${f}.priority`, o["priority"], { min: 1, max: s.opts.limits.maxRulePriority });
    const action = parseAction(c, `${f}.action`, o["action"], false);
    if (ident !== undefined) parsed.push({ ident, change: compact({ match, priority, action }) as RuleChange });
  });
  c.done();
  const { l } = at();
  const failures: Json[] = [];
  let ok: { ident: string; rule: RuleRec | "default"; change: RuleChange }[] = [];
  for (const p of parsed) {
    try {
      ok.push({ ident: p.ident, ...prepare(s, l, p.ident, p.change) });
    } catch (e) {
      if (!(e instanceof LatticeError)) throw e;
      failures.push({ ruleIdentifier: p.ident, failureCode: e.code, failureMessage: e.message });
    }
  }
  // Drop updates whose final priority collides, until the remaining batch is consistent.
  for (;;) {
    const final = new Map<string, number>();
    for (const x of s.rules.values()) if (x.listenerId === l.id) final.set(x.id, x.priority);
    for (const u of ok) if (u.rule !== "default" && u.change.priority !== undefined) final.set(u.rule.id, u.change.priority);
    const byPriority = new Map<number, string[]>();
    for (const [id, p] of final) byPriority.set(p, [...(byPriority.get(p) ?? []), id]);
    const clashing = new Set([...byPriority.values()].filter((ids) => ids.length > 1).flat());
    const bad = ok.filter((u) => u.rule !== "default" && u.change.priority !== undefined && clashing.has(u.rule.id));
    if (!bad.length) break;
    for (const u of bad) {
      failures.push({
        ruleIdentifier: u.ident,
        failureCode: "ConflictException",
        failureMessage: `Priority ${u.change.priority} is used by another rule of listener '${l.id}'.`,
      });
    }
    ok = ok.filter((u) => !bad.includes(u));
  }
  const successful = ok.map((u) => apply(s, l, u.rule, u.change));
  return { successful, unsuccessful: failures };
};
