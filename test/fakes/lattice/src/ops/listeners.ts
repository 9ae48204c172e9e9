// CreateListener, GetListener, ListListeners, UpdateListener, DeleteListener.
import { conflict, invalid, quotaExceeded } from "../errors.js";
import { QUOTA_CODES } from "../options.js";
import { Check, LISTENER_PROTOCOLS, P } from "../validate.js";
import { compact, listenerSummary, listenerView } from "../views.js";
import { parseAction, resolveAction } from "./actions.js";
import { clientToken, countWhere, label, params, type Handler } from "./common.js";
import { deleteListenerCascade } from "./services.js";

const DEFAULT_PORT: Record<string, number> = { HTTP: 80, HTTPS: 443, TLS_PASSTHROUGH: 443 };

export const createListener: Handler = (s, r) => {
  const c = new Check();
  const svcIdent = label(c, r, "serviceIdentifier", P.serviceId, 17);
  const name = c.str("name", r.body["name"], { required: true, min: 3, max: 63, pattern: P.listenerName });
  const protocol = c.str("protocol", r.body["protocol"], { required: true, enum: LISTENER_PROTOCOLS });
  const port = c.int("port", r.body["port"], { min: 1, max: 65535 });
  const action = parseAction(c, "defaultAction", r.body["defaultAction"], true);
  const tags = c.tags("tags", r.body["tags"]);
  const token = clientToken(c, r);
  c.done();
  return s.idempotent("CreateListener", token, params(r), () => {
    const svc = s.service(svcIdent);
    s.requireActive("SERVICE", svc, "service");
    const p = port ?? DEFAULT_PORT[protocol!]!;
    if (protocol === "TLS_PASSTHROUGH" && !svc.customDomainName) {
      throw invalid(`A TLS_PASSTHROUGH listener needs a service with a custom domain name; '${svc.id}' has none.`, "protocol");
    }
    for (const l of s.listeners.values()) {
      if (l.svcId !== svc.id) continue;
      if (l.name === name) throw conflict("LISTENER", l.id, `The service '${svc.id}' already has a listener named '${name}'.`);
      if (l.port === p) throw conflict("LISTENER", l.id, `The service '${svc.id}' already has a listener on port ${p}.`);
    }
    if (countWhere(s.listeners, (l) => l.svcId === svc.id) >= s.opts.limits.listenersPerService) {
      throw quotaExceeded("LISTENER", QUOTA_CODES.listenersPerService, `A service can have at most ${s.opts.limits.listenersPerService} listeners.`, svc.id);
    }
    const defaultAction = resolveAction(s, action!, protocol!, "defaultAction");
    const id = s.ids.id("listener");
    const now = s.now();
    const l = {
      id,
      arn: s.arns.listener(svc.id, id),
      seq: s.seq(),
      createdAt: now,
      lastUpdatedAt: now,
      svcId: svc.id,
      name: name!,
      protocol: protocol!,
      port: p,
      defaultAction,
      defaultRuleId: s.ids.id("rule"),
    };
    s.listeners.set(id, l);
    s.setTags(l.arn, tags);
    const render = () => {
      const v = listenerView(s, l);
      delete v["createdAt"];
      delete v["lastUpdatedAt"];
      return v;
    };
    return { result: render(), replay: render };
  });
};

export const getListener: Handler = (s, r) => {
  const c = new Check();
  const svcIdent = label(c, r, "serviceIdentifier", P.serviceId, 17);
  const lIdent = label(c, r, "listenerIdentifier", P.listenerId, 20);
  c.done();
  return listenerView(s, s.listener(s.service(svcIdent), lIdent));
};

export const listListeners: Handler = (s, r) => {
  const c = new Check();
  const svcIdent = label(c, r, "serviceIdentifier", P.serviceId, 17);
  c.done();
  const svc = s.service(svcIdent);
  const page = s.page(`listeners:${svc.id}`, [...s.listeners.values()].filter((l) => l.svcId === svc.id), r.query);
  return compact({ items: page.items.map(listenerSummary), nextToken: page.nextToken });
};

export const updateListener: Handler = (s, r) => {
  const c = new Check();
  const svcIdent = label(c, r, "serviceIdentifier", P.serviceId, 17);
  const lIdent = label(c, r, "listenerIdentifier", P.listenerId, 20);
  const action = parseAction(c, "defaultAction", r.body["defaultAction"], true);
  c.done();
  const svc = s.service(svcIdent);
  const l = s.listener(svc, lIdent);
  s.requireActive("SERVICE", svc, "service");
  l.defaultAction = resolveAction(s, action!, l.protocol, "defaultAction");
  l.lastUpdatedAt = s.now();
  const v = listenerView(s, l);
  delete v["createdAt"];
  delete v["lastUpdatedAt"];
  return v;
};

export const deleteListener: Handler = (s, r) => {
  const c = new Check();
  const svcIdent = label(c, r, "serviceIdentifier", P.serviceId, 17);
  const lIdent = label(c, r, "listenerIdentifier", P.listenerId, 20);
  c.done();
  const svc = s.service(svcIdent);
  const l = s.listener(svc, lIdent);
  if (svc.status === "DELETE_IN_PROGRESS") s.requireActive("SERVICE", svc, "service");
  deleteListenerCascade(s, l.id);
  return undefined;
};
