// Service network ↔ VPC and service network ↔ service associations: Create/Get/List/Update/
// Delete, with CREATE_IN_PROGRESS → ACTIVE and DELETE_IN_PROGRESS → gone on the fake's clock.
import { conflict, invalid, quotaExceeded } from "../errors.js";
import { QUOTA_CODES } from "../options.js";
import { GONE } from "../store.js";
import { Check, P } from "../validate.js";
import { compact, serviceAssociationView, vpcAssociationSummary, vpcAssociationView } from "../views.js";
import { clientToken, countWhere, label, params, type Handler } from "./common.js";

// ---- VPC associations -------------------------------------------------------------------

export const createServiceNetworkVpcAssociation: Handler = (s, r) => {
  const c = new Check();
  const snIdent = c.str("serviceNetworkIdentifier", r.body["serviceNetworkIdentifier"], {
    required: true,
    min: 3,
    max: 2048,
    pattern: P.serviceNetworkId,
  });
  const vpcId = c.str("vpcIdentifier", r.body["vpcIdentifier"], { required: true, min: 5, max: 50, pattern: P.vpcId });
  const sgs = securityGroups(c, r.body["securityGroupIds"], 0);
  const privateDns = c.bool("privateDnsEnabled", r.body["privateDnsEnabled"]);
  const dnsOptions = c.obj("dnsOptions", r.body["dnsOptions"]);
  const tags = c.tags("tags", r.body["tags"]);
  const token = clientToken(c, r);
  c.done();
  return s.idempotent("CreateServiceNetworkVpcAssociation", token, params(r), () => {
    const sn = s.serviceNetwork(snIdent!);
    for (const a of s.vpcAssociations.values()) {
      if (a.vpcId === vpcId) {
        throw conflict(
          "SERVICE_NETWORK_VPC_ASSOCIATION",
          a.id,
          `The VPC '${vpcId}' is already associated with service network '${a.snId}' (${a.status}).`,
        );
      }
    }
    if (countWhere(s.vpcAssociations, (a) => a.snId === sn.id) >= s.opts.limits.vpcAssociationsPerServiceNetwork) {
      throw quotaExceeded("SERVICE_NETWORK_VPC_ASSOCIATION", QUOTA_CODES.vpcAssociationsPerServiceNetwork, "Too many VPC associations for this service network.", sn.id);
    }
    const id = s.ids.id("snva");
    const now = s.now();
    const a = {
      id,
      arn: s.arns.vpcAssociation(id),
      seq: s.seq(),
      createdAt: now,
      lastUpdatedAt: now,
      status: "",
      snId: sn.id,
      vpcId: vpcId!,
      securityGroupIds: sgs ?? [],
      ...(privateDns !== undefined ? { privateDnsEnabled: privateDns } : {}),
      ...(dnsOptions ? { dnsOptions } : {}),
    };
    s.transition(a, "CREATE_IN_PROGRESS", "ACTIVE", s.opts.delays.vpcAssociationCreate);
    s.vpcAssociations.set(id, a);
    s.setTags(a.arn, tags);
    const render = () =>
      compact({
        id,
        status: a.status,
        arn: a.arn,
        createdBy: s.opts.accountId,
        securityGroupIds: [...a.securityGroupIds],
        privateDnsEnabled: a.privateDnsEnabled,
        dnsOptions: a.dnsOptions,
      });
    return { result: render(), replay: render };
  });
};

function securityGroups(c: Check, value: unknown, min: number): string[] | undefined {
  const list = c.list("securityGroupIds", value, { min, max: 5 });
  if (!list) return undefined;
  return list.map((v, i) => c.str(`securityGroupIds.${i + 1}.member`, v, { required: true, min: 5, max: 200, pattern: P.securityGroupId }) ?? "");
}

export const getServiceNetworkVpcAssociation: Handler = (s, r) => {
  const c = new Check();
  const id = label(c, r, "serviceNetworkVpcAssociationIdentifier", P.vpcAssociationId, 17);
  c.done();
  return vpcAssociationView(s, s.vpcAssociation(id));
};

export const listServiceNetworkVpcAssociations: Handler = (s, r) => {
  const c = new Check();
  const sn = c.str("serviceNetworkIdentifier", r.query.get("serviceNetworkIdentifier") ?? undefined, { min: 3, max: 2048, pattern: P.serviceNetworkId });
  const vpc = c.str("vpcIdentifier", r.query.get("vpcIdentifier") ?? undefined, { min: 5, max: 50, pattern: P.vpcId });
  c.done();
  if (sn === undefined && vpc === undefined) {
    throw invalid("Specify a serviceNetworkIdentifier or a vpcIdentifier.", "serviceNetworkIdentifier");
  }
  const snId = sn?.split("/").pop();
  const items = [...s.vpcAssociations.values()].filter((a) => (snId === undefined || a.snId === snId) && (vpc === undefined || a.vpcId === vpc));
  const page = s.page("servicenetworkvpcassociations", items, r.query);
  return compact({ items: page.items.map((a) => vpcAssociationSummary(s, a)), nextToken: page.nextToken });
};

export const updateServiceNetworkVpcAssociation: Handler = (s, r) => {
  const c = new Check();
  const id = label(c, r, "serviceNetworkVpcAssociationIdentifier", P.vpcAssociationId, 17);
  const sgs = securityGroups(c, r.body["securityGroupIds"], 1);
  if (r.body["securityGroupIds"] === undefined) c.missing("securityGroupIds");
  c.done();
  const a = s.vpcAssociation(id);
  s.requireActive("SERVICE_NETWORK_VPC_ASSOCIATION", a, "service network VPC association");
  a.securityGroupIds = sgs ?? [];
  a.lastUpdatedAt = s.now();
  return { id: a.id, arn: a.arn, status: a.status, createdBy: s.opts.accountId, securityGroupIds: [...a.securityGroupIds] };
};

export const deleteServiceNetworkVpcAssociation: Handler = (s, r) => {
  const c = new Check();
  const id = label(c, r, "serviceNetworkVpcAssociationIdentifier", P.vpcAssociationId, 17);
  c.done();
  const a = s.vpcAssociation(id);
  if (a.status !== "DELETE_IN_PROGRESS") {
    s.requireActive("SERVICE_NETWORK_VPC_ASSOCIATION", a, "service network VPC association");
    s.transition(a, "DELETE_IN_PROGRESS", GONE, s.opts.delays.vpcAssociationDelete);
    a.lastUpdatedAt = s.now();
  }
  return { id: a.id, status: a.status, arn: a.arn };
};

// ---- service associations ---------------------------------------------------------------

export const createServiceNetworkServiceAssociation: Handler = (s, r) => {
  const c = new Check();
  const svcIdent = c.str("serviceIdentifier", r.body["serviceIdentifier"], { required: true, min: 17, max: 2048, pattern: P.serviceId });
  const snIdent = c.str("serviceNetworkIdentifier", r.body["serviceNetworkIdentifier"], {
    required: true,
    min: 3,
    max: 2048,
    pattern: P.serviceNetworkId,
  });
  const tags = c.tags("tags", r.body["tags"]);
  const token = clientToken(c, r);
  c.done();
  return s.idempotent("CreateServiceNetworkServiceAssociation", token, params(r), () => {
    const sn = s.serviceNetwork(snIdent!);
    const svc = s.service(svcIdent!);
    s.requireActive("SERVICE", svc, "service");
    for (const a of s.serviceAssociations.values()) {
      if (a.snId === sn.id && a.svcId === svc.id) {
        throw conflict(
          "SERVICE_NETWORK_SERVICE_ASSOCIATION",
          a.id,
          `The service '${svc.id}' is already associated with service network '${sn.id}' (${a.status}).`,
        );
      }
    }
    if (countWhere(s.serviceAssociations, (a) => a.snId === sn.id) >= s.opts.limits.serviceAssociationsPerServiceNetwork) {
      throw quotaExceeded("SERVICE_NETWORK_SERVICE_ASSOCIATION", QUOTA_CODES.serviceAssociationsPerServiceNetwork, "Too many service associations for this service network.", sn.id);
    }
    const id = s.ids.id("snsa");
    const now = s.now();
    const a = { id, arn: s.arns.serviceAssociation(id), seq: s.seq(), createdAt: now, lastUpdatedAt: now, status: "", snId: sn.id, svcId: svc.id };
    s.transition(a, "CREATE_IN_PROGRESS", "ACTIVE", s.opts.delays.serviceAssociationCreate);
    s.serviceAssociations.set(id, a);
    s.setTags(a.arn, tags);
    const render = () =>
      compact({
        id,
        status: a.status,
        arn: a.arn,
        createdBy: s.opts.accountId,
        customDomainName: svc.customDomainName,
        dnsEntry: { ...svc.dnsEntry },
      });
    return { result: render(), replay: render };
  });
};

export const getServiceNetworkServiceAssociation: Handler = (s, r) => {
  const c = new Check();
  const id = label(c, r, "serviceNetworkServiceAssociationIdentifier", P.serviceAssociationId, 17);
  c.done();
  return serviceAssociationView(s, s.serviceAssociation(id));
};

export const listServiceNetworkServiceAssociations: Handler = (s, r) => {
  const c = new Check();
  const sn = c.str("serviceNetworkIdentifier", r.query.get("serviceNetworkIdentifier") ?? undefined, { min: 3, max: 2048, pattern: P.serviceNetworkId });
  const svc = c.str("serviceIdentifier", r.query.get("serviceIdentifier") ?? undefined, { min: 17, max: 2048, pattern: P.serviceId });
  c.done();
  if (sn === undefined && svc === undefined) {
    throw invalid("Specify a serviceNetworkIdentifier or a serviceIdentifier.", "serviceNetworkIdentifier");
  }
  const snId = sn?.split("/").pop();
  const svcId = svc?.split("/").pop();
  const items = [...s.serviceAssociations.values()].filter((a) => (snId === undefined || a.snId === snId) && (svcId === undefined || a.svcId === svcId));
  const page = s.page("servicenetworkserviceassociations", items, r.query);
  return compact({
    items: page.items.map((a) => serviceAssociationView(s, a)),
    nextToken: page.nextToken,
  });
};

export const deleteServiceNetworkServiceAssociation: Handler = (s, r) => {
  const c = new Check();
  const id = label(c, r, "serviceNetworkServiceAssociationIdentifier", P.serviceAssociationId, 17);
  c.done();
  const a = s.serviceAssociation(id);
  if (a.status !== "DELETE_IN_PROGRESS") {
    s.requireActive("SERVICE_NETWORK_SERVICE_ASSOCIATION", a, "service network service association");
    s.transition(a, "DELETE_IN_PROGRESS", GONE, s.opts.delays.serviceAssociationDelete);
    a.lastUpdatedAt = s.now();
  }
  return { id: a.id, status: a.status, arn: a.arn };
};
