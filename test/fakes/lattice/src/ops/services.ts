// CreateService, GetService, ListServices, UpdateService, DeleteService. Deleting a service
// takes its listeners, rules and auth policy with it; an associated service cannot be deleted.
import { conflict, quotaExceeded } from "../errors.js";
import { QUOTA_CODES } from "../options.js";
import { GONE } from "../store.js";
import { AUTH_TYPES, Check, P } from "../validate.js";
import { compact, serviceSummary, serviceView } from "../views.js";
import { clientToken, countWhere, label, params, type Handler } from "./common.js";

export const createService: Handler = (s, r) => {
  const c = new Check();
  const name = c.str("name", r.body["name"], { required: true, min: 3, max: 40, pattern: P.serviceName });
  const domain = c.str("customDomainName", r.body["customDomainName"], { min: 3, max: 255 });
  const cert = c.str("certificateArn", r.body["certificateArn"], { min: 0, max: 2048, pattern: P.certificateArn });
  const authType = c.str("authType", r.body["authType"], { enum: AUTH_TYPES }) ?? "NONE";
  const tags = c.tags("tags", r.body["tags"]);
  const token = clientToken(c, r);
  c.done();
  return s.idempotent("CreateService", token, params(r), () => {
    for (const svc of s.services.values()) {
      if (svc.name === name) throw conflict("SERVICE", svc.id, `A service named '${name}' already exists.`);
    }
    if (s.services.size >= s.opts.limits.servicesPerRegion) {
      throw quotaExceeded("SERVICE", QUOTA_CODES.servicesPerRegion, `You have reached the quota of ${s.opts.limits.servicesPerRegion} services.`);
    }
    const id = s.ids.id("svc");
    const now = s.now();
    const svc = {
      id,
      arn: s.arns.service(id),
      seq: s.seq(),
      createdAt: now,
      lastUpdatedAt: now,
      status: "",
      name: name!,
      ...(domain ? { customDomainName: domain } : {}),
      ...(cert ? { certificateArn: cert } : {}),
      authType,
      dnsEntry: {
        domainName: `${name}-${id.slice(4)}.${s.ids.dnsGroup()}.vpc-lattice-svcs.${s.opts.region}.on.aws`,
        hostedZoneId: s.ids.hostedZoneId(),
      },
    };
    s.transition(svc, "CREATE_IN_PROGRESS", "ACTIVE", s.opts.delays.serviceCreate);
    s.services.set(id, svc);
    s.setTags(svc.arn, tags);
    const render = () =>
      compact({
        id,
        arn: svc.arn,
        name: svc.name,
        customDomainName: svc.customDomainName,
        certificateArn: svc.certificateArn,
        status: svc.status,
        authType: svc.authType,
        dnsEntry: { ...svc.dnsEntry },
      });
    return { result: render(), replay: render };
  });
};

export const getService: Handler = (s, r) => {
  const c = new Check();
  const id = label(c, r, "serviceIdentifier", P.serviceId, 17);
  c.done();
  return serviceView(s.service(id));
};

export const listServices: Handler = (s, r) => {
  const page = s.page("services", [...s.services.values()], r.query);
  return compact({ items: page.items.map(serviceSummary), nextToken: page.nextToken });
};

export const updateService: Handler = (s, r) => {
  const c = new Check();
  const id = label(c, r, "serviceIdentifier", P.serviceId, 17);
  const cert = c.str("certificateArn", r.body["certificateArn"], { min: 0, max: 2048, pattern: P.certificateArn });
  const authType = c.str("authType", r.body["authType"], { enum: AUTH_TYPES });
  c.done();
  const svc = s.service(id);
  s.requireActive("SERVICE", svc, "service");
  if (cert !== undefined) {
    if (cert === "") delete svc.certificateArn;
    else svc.certificateArn = cert;
  }
  if (authType !== undefined) svc.authType = authType;
  svc.lastUpdatedAt = s.now();
  return compact({
    id: svc.id,
    arn: svc.arn,
    name: svc.name,
    customDomainName: svc.customDomainName,
    certificateArn: svc.certificateArn,
    authType: svc.authType,
  });
};

export const deleteService: Handler = (s, r) => {
  const c = new Check();
  const id = label(c, r, "serviceIdentifier", P.serviceId, 17);
  c.done();
  const svc = s.service(id);
  if (svc.status !== "DELETE_IN_PROGRESS") {
    const assocs = countWhere(s.serviceAssociations, (a) => a.svcId === svc.id);
    if (assocs) {
      throw conflict("SERVICE", svc.id, `The service '${svc.id}' is associated with ${assocs} service network(s); delete the associations first.`);
    }
    s.requireActive("SERVICE", svc, "service");
    for (const l of [...s.listeners.values()]) {
      if (l.svcId !== svc.id) continue;
      deleteListenerCascade(s, l.id);
    }
    s.transition(svc, "DELETE_IN_PROGRESS", GONE, s.opts.delays.serviceDelete);
    svc.lastUpdatedAt = s.now();
  }
  return { id: svc.id, arn: svc.arn, name: svc.name, status: svc.status };
};

/** Removes a listener with its rules and their tags. */
export function deleteListenerCascade(s: Parameters<Handler>[0], listenerId: string): void {
  const l = s.listeners.get(listenerId);
  if (!l) return;
  for (const rule of [...s.rules.values()]) {
    if (rule.listenerId !== l.id) continue;
    s.rules.delete(rule.id);
    s.tags.delete(rule.arn);
  }
  s.listeners.delete(l.id);
  s.tags.delete(l.arn);
}
