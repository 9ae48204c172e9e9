// Every operation of the fake through the real SDK client: what is created reads back the
// same through Get and List, updates stick, deletes remove, tags and auth policies round-trip.
import * as L from "@aws-sdk/client-vpc-lattice";
import test from "ava";
import { ZERO_DELAYS, OPERATIONS, type FakeLattice } from "../src/index.js";
import { client, fake, forward, ipTargetGroupConfig, VPC } from "./helpers.js";

let f: FakeLattice;
let c: L.VPCLatticeClient;

test.before(async () => {
  f = await fake(11, { clock: "manual", delays: ZERO_DELAYS });
  c = client(f);
});
test.after.always(() => f.close());

test.serial("service networks: create, get, list, update, delete", async (t) => {
  const created = await c.send(new L.CreateServiceNetworkCommand({ name: "net-a", authType: "NONE", tags: { team: "x" } }));
  t.regex(created.id!, /^sn-[0-9a-z]{17}$/);
  t.is(created.arn, `arn:aws:vpc-lattice:us-west-2:123456789012:servicenetwork/${created.id}`);
  t.is(created.name, "net-a");
  t.is(created.authType, "NONE");

  const got = await c.send(new L.GetServiceNetworkCommand({ serviceNetworkIdentifier: created.arn }));
  t.is(got.id, created.id);
  t.true(got.createdAt instanceof Date);
  t.is(got.numberOfAssociatedVPCs, 0);
  t.is(got.numberOfAssociatedServices, 0);

  const list = await c.send(new L.ListServiceNetworksCommand({}));
  t.deepEqual(list.items?.map((i) => i.name), ["net-a"]);

  const upd = await c.send(new L.UpdateServiceNetworkCommand({ serviceNetworkIdentifier: created.id, authType: "AWS_IAM" }));
  t.is(upd.authType, "AWS_IAM");
  t.is((await c.send(new L.GetServiceNetworkCommand({ serviceNetworkIdentifier: created.id }))).authType, "AWS_IAM");

  const tags = await c.send(new L.ListTagsForResourceCommand({ resourceArn: created.arn }));
  t.deepEqual(tags.tags, { team: "x" });

  await c.send(new L.DeleteServiceNetworkCommand({ serviceNetworkIdentifier: created.id }));
  t.deepEqual((await c.send(new L.ListServiceNetworksCommand({}))).items, []);
});

test.serial("a whole service: network, associations, service, target groups, listener, rules, targets, tags, auth policy", async (t) => {
  const sn = await c.send(new L.CreateServiceNetworkCommand({ name: "mesh" }));
  const snva = await c.send(new L.CreateServiceNetworkVpcAssociationCommand({ serviceNetworkIdentifier: sn.id, vpcIdentifier: VPC, securityGroupIds: ["sg-12345678"] }));
  t.regex(snva.id!, /^snva-[0-9a-z]{17}$/);
  t.is(snva.status, "ACTIVE");
  t.is(snva.createdBy, "123456789012");
  t.deepEqual(snva.securityGroupIds, ["sg-12345678"]);

  const gotVa = await c.send(new L.GetServiceNetworkVpcAssociationCommand({ serviceNetworkVpcAssociationIdentifier: snva.arn }));
  t.like(gotVa, { id: snva.id, vpcId: VPC, serviceNetworkId: sn.id, serviceNetworkName: "mesh", serviceNetworkArn: sn.arn, status: "ACTIVE" });
  const vaList = await c.send(new L.ListServiceNetworkVpcAssociationsCommand({ serviceNetworkIdentifier: sn.id }));
  t.deepEqual(vaList.items?.map((i) => i.id), [snva.id]);
  const vaUpd = await c.send(new L.UpdateServiceNetworkVpcAssociationCommand({ serviceNetworkVpcAssociationIdentifier: snva.id, securityGroupIds: ["sg-87654321", "sg-0123456789abcdef0"] }));
  t.deepEqual(vaUpd.securityGroupIds, ["sg-87654321", "sg-0123456789abcdef0"]);

  const svc = await c.send(new L.CreateServiceCommand({
    name: "orders",
    customDomainName: "orders.example.com",
    certificateArn: "arn:aws:acm:us-west-2:123456789012:certificate/abcd-1234",
    authType: "AWS_IAM",
    tags: { owner: "gatehouse" },
  }));
  t.regex(svc.id!, /^svc-[0-9a-z]{17}$/);
  t.is(svc.status, "ACTIVE");
  t.regex(svc.dnsEntry!.domainName!, new RegExp(`^orders-${svc.id!.slice(4)}\\.[0-9a-f]{7}\\.vpc-lattice-svcs\\.us-west-2\\.on\\.aws$`));
  t.regex(svc.dnsEntry!.hostedZoneId!, /^Z[0-9A-Z]+$/);
  const gotSvc = await c.send(new L.GetServiceCommand({ serviceIdentifier: svc.id }));
  t.like(gotSvc, { name: "orders", customDomainName: "orders.example.com", certificateArn: svc.certificateArn, authType: "AWS_IAM", status: "ACTIVE" });
  t.deepEqual((await c.send(new L.ListServicesCommand({}))).items?.map((i) => i.name), ["orders"]);
  const svcUpd = await c.send(new L.UpdateServiceCommand({ serviceIdentifier: svc.arn, authType: "NONE", certificateArn: "arn:aws:acm:us-west-2:123456789012:certificate/ffff-0000" }));
  t.is(svcUpd.authType, "NONE");
  t.is(svcUpd.certificateArn, "arn:aws:acm:us-west-2:123456789012:certificate/ffff-0000");

  const snsa = await c.send(new L.CreateServiceNetworkServiceAssociationCommand({ serviceIdentifier: svc.id, serviceNetworkIdentifier: sn.arn }));
  t.regex(snsa.id!, /^snsa-[0-9a-z]{17}$/);
  t.is(snsa.customDomainName, "orders.example.com");
  t.deepEqual(snsa.dnsEntry, svc.dnsEntry);
  const gotSa = await c.send(new L.GetServiceNetworkServiceAssociationCommand({ serviceNetworkServiceAssociationIdentifier: snsa.id }));
  t.like(gotSa, { serviceId: svc.id, serviceName: "orders", serviceNetworkId: sn.id, serviceNetworkName: "mesh", status: "ACTIVE" });
  t.deepEqual((await c.send(new L.ListServiceNetworkServiceAssociationsCommand({ serviceIdentifier: svc.id }))).items?.map((i) => i.id), [snsa.id]);
  const snGot = await c.send(new L.GetServiceNetworkCommand({ serviceNetworkIdentifier: sn.id }));
  t.is(snGot.numberOfAssociatedServices, 1);
  t.is(snGot.numberOfAssociatedVPCs, 1);

  const tgA = await c.send(new L.CreateTargetGroupCommand({ name: "orders-v1", type: "IP", config: ipTargetGroupConfig(8080) }));
  const tgB = await c.send(new L.CreateTargetGroupCommand({
    name: "orders-v2",
    type: "IP",
    config: { ...ipTargetGroupConfig(9090), protocolVersion: "GRPC", healthCheck: { path: "/healthz", healthCheckIntervalSeconds: 10 } },
  }));
  t.regex(tgA.id!, /^tg-[0-9a-z]{17}$/);
  t.like(tgA.config, { port: 8080, protocol: "HTTP", protocolVersion: "HTTP1", ipAddressType: "IPV4", vpcIdentifier: VPC });
  t.like(tgB.config?.healthCheck, { enabled: true, path: "/healthz", healthCheckIntervalSeconds: 10, healthCheckTimeoutSeconds: 5 });
  const tgUpd = await c.send(new L.UpdateTargetGroupCommand({ targetGroupIdentifier: tgB.arn, healthCheck: { healthyThresholdCount: 3 } }));
  t.like(tgUpd.config?.healthCheck, { path: "/healthz", healthyThresholdCount: 3 });
  t.deepEqual((await c.send(new L.ListTargetGroupsCommand({ vpcIdentifier: VPC }))).items?.map((i) => i.name), ["orders-v1", "orders-v2"]);
  t.deepEqual((await c.send(new L.ListTargetGroupsCommand({ targetGroupType: "LAMBDA" }))).items, []);

  const listener = await c.send(new L.CreateListenerCommand({ serviceIdentifier: svc.id, name: "https", protocol: "HTTPS", defaultAction: forward(tgA.arn!) }));
  t.regex(listener.id!, /^listener-[0-9a-z]{17}$/);
  t.is(listener.arn, `${svc.arn}/listener/${listener.id}`);
  t.is(listener.port, 443);
  t.deepEqual(listener.defaultAction, { forward: { targetGroups: [{ targetGroupIdentifier: tgA.id, weight: 1 }] } });
  const gotL = await c.send(new L.GetListenerCommand({ serviceIdentifier: svc.id, listenerIdentifier: listener.arn }));
  t.like(gotL, { name: "https", protocol: "HTTPS", port: 443, serviceId: svc.id, serviceArn: svc.arn });
  t.deepEqual((await c.send(new L.ListListenersCommand({ serviceIdentifier: svc.id }))).items?.map((i) => i.id), [listener.id]);
  const lUpd = await c.send(new L.UpdateListenerCommand({ serviceIdentifier: svc.id, listenerIdentifier: listener.id, defaultAction: { fixedResponse: { statusCode: 404 } } }));
  t.deepEqual(lUpd.defaultAction, { fixedResponse: { statusCode: 404 } });

  const match: L.RuleMatch = {
    httpMatch: {
      method: "GET",
      pathMatch: { match: { prefix: "/api" }, caseSensitive: true },
      headerMatches: [
        { name: "x-canary", match: { exact: "yes" } },
        { name: "user-agent", match: { contains: "curl" }, caseSensitive: false },
      ],
    },
  };
  const rule = await c.send(new L.CreateRuleCommand({
    serviceIdentifier: svc.id,
    listenerIdentifier: listener.id,
    name: "canary",
    priority: 10,
    match,
    action: forward([tgA.id!, 90], [tgB.id!, 10]),
    tags: { route: "r1" },
  }));
  t.regex(rule.id!, /^rule-[0-9a-z]{17}$/);
  t.is(rule.arn, `${listener.arn}/rule/${rule.id}`);
  t.deepEqual(rule.match, match);
  t.is(rule.priority, 10);
  const gotR = await c.send(new L.GetRuleCommand({ serviceIdentifier: svc.id, listenerIdentifier: listener.id, ruleIdentifier: rule.arn }));
  t.like(gotR, { name: "canary", isDefault: false, priority: 10 });
  t.deepEqual(gotR.action, forward([tgA.id!, 90], [tgB.id!, 10]));

  const rule2 = await c.send(new L.CreateRuleCommand({
    serviceIdentifier: svc.id,
    listenerIdentifier: listener.id,
    name: "exact",
    priority: 20,
    match: { httpMatch: { pathMatch: { match: { exact: "/status" } } } },
    action: { fixedResponse: { statusCode: 404 } },
  }));
  const rules = await c.send(new L.ListRulesCommand({ serviceIdentifier: svc.id, listenerIdentifier: listener.id }));
  t.deepEqual(rules.items?.map((r) => [r.name, r.isDefault, r.priority]), [["default", true, undefined], ["canary", false, 10], ["exact", false, 20]]);
  const defaultRule = rules.items![0]!;
  const gotDefault = await c.send(new L.GetRuleCommand({ serviceIdentifier: svc.id, listenerIdentifier: listener.id, ruleIdentifier: defaultRule.id }));
  t.deepEqual(gotDefault.action, { fixedResponse: { statusCode: 404 } });

  const ruleUpd = await c.send(new L.UpdateRuleCommand({ serviceIdentifier: svc.id, listenerIdentifier: listener.id, ruleIdentifier: rule.id, priority: 5, action: forward(tgB.id!) }));
  t.is(ruleUpd.priority, 5);
  t.deepEqual(ruleUpd.match, match);
  const batch = await c.send(new L.BatchUpdateRuleCommand({
    serviceIdentifier: svc.id,
    listenerIdentifier: listener.id,
    rules: [
      { ruleIdentifier: rule.id, priority: 20 },
      { ruleIdentifier: rule2.id, priority: 5 },
    ],
  }));
  t.deepEqual(batch.successful?.map((s) => [s.id, s.priority]), [[rule.id, 20], [rule2.id, 5]]);
  t.deepEqual(batch.unsuccessful, []);

  // tgB is what the canary rule forwards to now; tgA is used by nothing.
  const gotTgB = await c.send(new L.GetTargetGroupCommand({ targetGroupIdentifier: tgB.id }));
  t.deepEqual(gotTgB.serviceArns, [svc.arn]);
  t.is((await c.send(new L.GetTargetGroupCommand({ targetGroupIdentifier: tgA.arn }))).serviceArns, undefined);
  const reg = await c.send(new L.RegisterTargetsCommand({ targetGroupIdentifier: tgB.id, targets: [{ id: "10.0.0.1" }, { id: "10.0.0.2", port: 9091 }] }));
  t.deepEqual(reg.successful, [{ id: "10.0.0.1", port: 9090 }, { id: "10.0.0.2", port: 9091 }]);
  t.deepEqual(reg.unsuccessful, []);
  const targets = await c.send(new L.ListTargetsCommand({ targetGroupIdentifier: tgB.id }));
  t.deepEqual(targets.items?.map((x) => [x.id, x.port, x.status]), [["10.0.0.1", 9090, "HEALTHY"], ["10.0.0.2", 9091, "HEALTHY"]]);
  await c.send(new L.RegisterTargetsCommand({ targetGroupIdentifier: tgA.id, targets: [{ id: "10.0.1.1" }] }));
  t.deepEqual((await c.send(new L.ListTargetsCommand({ targetGroupIdentifier: tgA.id }))).items?.map((x) => x.status), ["UNUSED"]);
  const dereg = await c.send(new L.DeregisterTargetsCommand({ targetGroupIdentifier: tgB.id, targets: [{ id: "10.0.0.2", port: 9091 }] }));
  t.deepEqual(dereg.successful, [{ id: "10.0.0.2", port: 9091 }]);

  await c.send(new L.TagResourceCommand({ resourceArn: rule.arn, tags: { extra: "1" } }));
  t.deepEqual((await c.send(new L.ListTagsForResourceCommand({ resourceArn: rule.arn }))).tags, { route: "r1", extra: "1" });
  await c.send(new L.UntagResourceCommand({ resourceArn: rule.arn, tagKeys: ["route"] }));
  t.deepEqual((await c.send(new L.ListTagsForResourceCommand({ resourceArn: rule.arn }))).tags, { extra: "1" });

  const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "vpc-lattice-svcs:Invoke", Resource: "*" }] });
  const put = await c.send(new L.PutAuthPolicyCommand({ resourceIdentifier: svc.arn, policy }));
  t.deepEqual([put.policy, put.state], [policy, "Inactive"]);
  await c.send(new L.UpdateServiceCommand({ serviceIdentifier: svc.id, authType: "AWS_IAM" }));
  const gotP = await c.send(new L.GetAuthPolicyCommand({ resourceIdentifier: svc.id }));
  t.is(gotP.state, "Active");
  t.true(gotP.createdAt instanceof Date);
  await c.send(new L.DeleteAuthPolicyCommand({ resourceIdentifier: svc.id }));
  await t.throwsAsync(c.send(new L.GetAuthPolicyCommand({ resourceIdentifier: svc.id })), { instanceOf: L.ResourceNotFoundException });

  // Tear down in dependency order.
  await c.send(new L.DeleteRuleCommand({ serviceIdentifier: svc.id, listenerIdentifier: listener.id, ruleIdentifier: rule.id }));
  await c.send(new L.DeleteListenerCommand({ serviceIdentifier: svc.id, listenerIdentifier: listener.id }));
  const delSa = await c.send(new L.DeleteServiceNetworkServiceAssociationCommand({ serviceNetworkServiceAssociationIdentifier: snsa.id }));
  t.is(delSa.status, "DELETE_IN_PROGRESS");
  const delVa = await c.send(new L.DeleteServiceNetworkVpcAssociationCommand({ serviceNetworkVpcAssociationIdentifier: snva.id }));
  t.is(delVa.status, "DELETE_IN_PROGRESS");
  const delSvc = await c.send(new L.DeleteServiceCommand({ serviceIdentifier: svc.id }));
  t.is(delSvc.status, "DELETE_IN_PROGRESS");
  const delA = await c.send(new L.DeleteTargetGroupCommand({ targetGroupIdentifier: tgA.id }));
  t.is(delA.status, "DELETE_IN_PROGRESS");
  await c.send(new L.DeleteTargetGroupCommand({ targetGroupIdentifier: tgB.arn }));
  await c.send(new L.DeleteServiceNetworkCommand({ serviceNetworkIdentifier: sn.id }));
  t.true(f.state.isEmpty());
  t.deepEqual(f.state.snapshot().tags, {});
});

test.serial("every operation of the route table was exercised", (t) => {
  const seen = new Set(f.calls.list({ ok: true }).map((x) => x.operation));
  t.deepEqual(OPERATIONS.filter((op) => !seen.has(op)), []);
});
