// The operations the fake serves: HTTP method and path template (as in the API model), the
// success status, and whether the operation changes state.
import type { Handler } from "./ops/common.js";
import * as assoc from "./ops/associations.js";
import * as auth from "./ops/auth-policies.js";
import * as listeners from "./ops/listeners.js";
import * as rules from "./ops/rules.js";
import * as sn from "./ops/service-networks.js";
import * as svc from "./ops/services.js";
import * as tags from "./ops/tags.js";
import * as tg from "./ops/target-groups.js";
import * as targets from "./ops/targets.js";

export interface Route {
  operation: string;
  method: string;
  /** Path segments; `{name}` is a label. */
  segments: string[];
  status: number;
  mutating: boolean;
  handler: Handler;
}

const table: [string, string, string, number, Handler][] = [
  ["CreateServiceNetwork", "POST", "/servicenetworks", 201, sn.createServiceNetwork],
  ["GetServiceNetwork", "GET", "/servicenetworks/{serviceNetworkIdentifier}", 200, sn.getServiceNetwork],
  ["ListServiceNetworks", "GET", "/servicenetworks", 200, sn.listServiceNetworks],
  ["UpdateServiceNetwork", "PATCH", "/servicenetworks/{serviceNetworkIdentifier}", 200, sn.updateServiceNetwork],
  ["DeleteServiceNetwork", "DELETE", "/servicenetworks/{serviceNetworkIdentifier}", 204, sn.deleteServiceNetwork],

  ["CreateServiceNetworkVpcAssociation", "POST", "/servicenetworkvpcassociations", 200, assoc.createServiceNetworkVpcAssociation],
  ["GetServiceNetworkVpcAssociation", "GET", "/servicenetworkvpcassociations/{serviceNetworkVpcAssociationIdentifier}", 200, assoc.getServiceNetworkVpcAssociation],
  ["ListServiceNetworkVpcAssociations", "GET", "/servicenetworkvpcassociations", 200, assoc.listServiceNetworkVpcAssociations],
  ["UpdateServiceNetworkVpcAssociation", "PATCH", "/servicenetworkvpcassociations/{serviceNetworkVpcAssociationIdentifier}", 200, assoc.updateServiceNetworkVpcAssociation],
  ["DeleteServiceNetworkVpcAssociation", "DELETE", "/servicenetworkvpcassociations/{serviceNetworkVpcAssociationIdentifier}", 200, assoc.deleteServiceNetworkVpcAssociation],

  ["CreateServiceNetworkServiceAssociation", "POST", "/servicenetworkserviceassociations", 200, assoc.createServiceNetworkServiceAssociation],
  ["GetServiceNetworkServiceAssociation", "GET", "/servicenetworkserviceassociations/{serviceNetworkServiceAssociationIdentifier}", 200, assoc.getServiceNetworkServiceAssociation],
  ["ListServiceNetworkServiceAssociations", "GET", "/servicenetworkserviceassociations", 200, assoc.listServiceNetworkServiceAssociations],
  ["DeleteServiceNetworkServiceAssociation", "DELETE", "/servicenetworkserviceassociations/{serviceNetworkServiceAssociationIdentifier}", 200, assoc.deleteServiceNetworkServiceAssociation],

  ["CreateService", "POST", "/services", 201, svc.createService],
  ["GetService", "GET", "/services/{serviceIdentifier}", 200, svc.getService],
  ["ListServices", "GET", "/services", 200, svc.listServices],
  ["UpdateService", "PATCH", "/services/{serviceIdentifier}", 200, svc.updateService],
  ["DeleteService", "DELETE", "/services/{serviceIdentifier}", 200, svc.deleteService],

  ["CreateListener", "POST", "/services/{serviceIdentifier}/listeners", 201, listeners.createListener],
  ["GetListener", "GET", "/services/{serviceIdentifier}/listeners/{listenerIdentifier}", 200, listeners.getListener],
  ["ListListeners", "GET", "/services/{serviceIdentifier}/listeners", 200, listeners.listListeners],
  ["UpdateListener", "PATCH", "/services/{serviceIdentifier}/listeners/{listenerIdentifier}", 200, listeners.updateListener],
  ["DeleteListener", "DELETE", "/services/{serviceIdentifier}/listeners/{listenerIdentifier}", 204, listeners.deleteListener],

  ["CreateRule", "POST", "/services/{serviceIdentifier}/listeners/{listenerIdentifier}/rules", 201, rules.createRule],
  ["GetRule", "GET", "/services/{serviceIdentifier}/listeners/{listenerIdentifier}/rules/{ruleIdentifier}", 200, rules.getRule],
  ["ListRules", "GET", "/services/{serviceIdentifier}/listeners/{listenerIdentifier}/rules", 200, rules.listRules],
  ["UpdateRule", "PATCH", "/services/{serviceIdentifier}/listeners/{listenerIdentifier}/rules/{ruleIdentifier}", 200, rules.updateRule],
  ["DeleteRule", "DELETE", "/services/{serviceIdentifier}/listeners/{listenerIdentifier}/rules/{ruleIdentifier}", 204, rules.deleteRule],
  ["BatchUpdateRule", "PATCH", "/services/{serviceIdentifier}/listeners/{listenerIdentifier}/rules", 200, rules.batchUpdateRule],

  ["CreateTargetGroup", "POST", "/targetgroups", 201, tg.createTargetGroup],
  ["GetTargetGroup", "GET", "/targetgroups/{targetGroupIdentifier}", 200, tg.getTargetGroup],
  ["ListTargetGroups", "GET", "/targetgroups", 200, tg.listTargetGroups],
  ["UpdateTargetGroup", "PATCH", "/targetgroups/{targetGroupIdentifier}", 200, tg.updateTargetGroup],
  ["DeleteTargetGroup", "DELETE", "/targetgroups/{targetGroupIdentifier}", 200, tg.deleteTargetGroup],

  ["RegisterTargets", "POST", "/targetgroups/{targetGroupIdentifier}/registertargets", 200, targets.registerTargets],
  ["DeregisterTargets", "POST", "/targetgroups/{targetGroupIdentifier}/deregistertargets", 200, targets.deregisterTargets],
  ["ListTargets", "POST", "/targetgroups/{targetGroupIdentifier}/listtargets", 200, targets.listTargets],

  ["TagResource", "POST", "/tags/{resourceArn}", 200, tags.tagResource],
  ["UntagResource", "DELETE", "/tags/{resourceArn}", 200, tags.untagResource],
  ["ListTagsForResource", "GET", "/tags/{resourceArn}", 200, tags.listTagsForResource],

  ["PutAuthPolicy", "PUT", "/authpolicy/{resourceIdentifier}", 200, auth.putAuthPolicy],
  ["GetAuthPolicy", "GET", "/authpolicy/{resourceIdentifier}", 200, auth.getAuthPolicy],
  ["DeleteAuthPolicy", "DELETE", "/authpolicy/{resourceIdentifier}", 204, auth.deleteAuthPolicy],
];

const READ_ONLY = /^(Get|List)/;

export const ROUTES: Route[] = table.map(([operation, method, path, status, handler]) => ({
  operation,
  method,
  segments: path.split("/").slice(1),
  status,
  mutating: !READ_ONLY.test(operation),
  handler,
}));

/** Operation names the fake serves. */
export const OPERATIONS: readonly string[] = ROUTES.map((r) => r.operation);

/**
 * Finds the route for a method and raw path (segments still percent-encoded, so an ARN label
 * with encoded slashes stays one segment). Returns the route and its decoded labels.
 */
export function match(method: string, rawPath: string): { route: Route; labels: Record<string, string> } | undefined {
  const segs = rawPath.split("/").slice(1);
  if (segs.length && segs.at(-1) === "") segs.pop();
  for (const route of ROUTES) {
    if (route.method !== method || route.segments.length !== segs.length) continue;
    const labels: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < segs.length && ok; i++) {
      const want = route.segments[i]!;
      const got = segs[i]!;
      if (want.startsWith("{")) {
        try {
          labels[want.slice(1, -1)] = decodeURIComponent(got);
        } catch {
          ok = false;
        }
      } else ok = want === got;
    }
    if (ok) return { route, labels };
  }
  return undefined;
}
