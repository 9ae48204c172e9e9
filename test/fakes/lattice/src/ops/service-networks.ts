// CreateServiceNetwork, GetServiceNetwork, ListServiceNetworks, UpdateServiceNetwork,
// DeleteServiceNetwork.
import { conflict, quotaExceeded } from "../errors.js";
import { QUOTA_CODES } from "../options.js";
import { AUTH_TYPES, Check, P } from "../validate.js";
import { serviceNetworkSummary, serviceNetworkView, compact } from "../views.js";
import { clientToken, countWhere, label, params, type Handler } from "./common.js";

export const createServiceNetwork: Handler = (s, r) => {
  const c = new Check();
  const name = c.str("name", r.body["name"], { required: true, min: 3, max: 63, pattern: P.serviceNetworkName });
  const authType = c.str("authType", r.body["authType"], { enum: AUTH_TYPES }) ?? "NONE";
  const tags = c.tags("tags", r.body["tags"]);
  const sharing = c.obj("sharingConfig", r.body["sharingConfig"]);
  if (sharing) c.bool("sharingConfig.enabled", sharing["enabled"]);
  const token = clientToken(c, r);
  c.done();
  return s.idempotent("CreateServiceNetwork", token, params(r), () => {
    for (const sn of s.serviceNetworks.values()) {
      if (sn.name === name) throw conflict("SERVICE_NETWORK", sn.id, `A service network named '${name}' already exists.`);
    }
    if (s.serviceNetworks.size >= s.opts.limits.serviceNetworksPerRegion) {
      throw quotaExceeded("SERVICE_NETWORK", QUOTA_CODES.serviceNetworksPerRegion, `You have reached the quota of ${s.opts.limits.serviceNetworksPerRegion} service networks.`);
    }
    const id = s.ids.id("sn");
    const now = s.now();
    const sn = {
      id,
      arn: s.arns.serviceNetwork(id),
      seq: s.seq(),
      createdAt: now,
      lastUpdatedAt: now,
      name: name!,
      authType,
      ...(sharing ? { sharingConfig: { enabled: sharing["enabled"] === true } } : {}),
    };
    s.serviceNetworks.set(id, sn);
    s.setTags(sn.arn, tags);
    const render = () => compact({ id, name: sn.name, arn: sn.arn, sharingConfig: sn.sharingConfig, authType: sn.authType });
    return { result: render(), replay: render };
  });
};

export const getServiceNetwork: Handler = (s, r) => {
  const c = new Check();
  const id = label(c, r, "serviceNetworkIdentifier", P.serviceNetworkId);
  c.done();
  return serviceNetworkView(s, s.serviceNetwork(id));
};

export const listServiceNetworks: Handler = (s, r) => {
  const page = s.page("servicenetworks", [...s.serviceNetworks.values()], r.query);
  return compact({ items: page.items.map((sn) => serviceNetworkSummary(s, sn)), nextToken: page.nextToken });
};

export const updateServiceNetwork: Handler = (s, r) => {
  const c = new Check();
  const id = label(c, r, "serviceNetworkIdentifier", P.serviceNetworkId);
  const authType = c.str("authType", r.body["authType"], { required: true, enum: AUTH_TYPES });
  c.done();
  const sn = s.serviceNetwork(id);
  sn.authType = authType!;
  sn.lastUpdatedAt = s.now();
  return { id: sn.id, name: sn.name, arn: sn.arn, authType: sn.authType };
};

export const deleteServiceNetwork: Handler = (s, r) => {
  const c = new Check();
  const id = label(c, r, "serviceNetworkIdentifier", P.serviceNetworkId);
  c.done();
  const sn = s.serviceNetwork(id);
  const vpcs = countWhere(s.vpcAssociations, (a) => a.snId === sn.id);
  const svcs = countWhere(s.serviceAssociations, (a) => a.snId === sn.id);
  if (vpcs || svcs) {
    throw conflict(
      "SERVICE_NETWORK",
      sn.id,
      `The service network '${sn.id}' still has ${vpcs} VPC association(s) and ${svcs} service association(s); delete them first.`,
    );
  }
  s.serviceNetworks.delete(sn.id);
  s.tags.delete(sn.arn);
  s.authPolicies.delete(sn.id);
  return undefined;
};
