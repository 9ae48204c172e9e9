// Lattice's validation and limits surface as the SDK's typed exceptions: names, identifiers,
// matches, actions, priorities, quotas, protocol rules, uniqueness.
import * as L from "@aws-sdk/client-vpc-lattice";
import test from "ava";
import { ZERO_DELAYS, type FakeLattice } from "../src/index.js";
import { client, fake, forward, ipTargetGroupConfig, rejects, VPC } from "./helpers.js";

let f: FakeLattice;
let c: L.VPCLatticeClient;
test.before(async () => {
  f = await fake(12, { clock: "manual", delays: ZERO_DELAYS });
  c = client(f);
});
test.after.always(() => f.close());
test.beforeEach(() => f.reset());

async function service(name = "svc-a-b".replace("svc-", "s-"), domain?: string) {
  return c.send(new L.CreateServiceCommand({ name, ...(domain ? { customDomainName: domain } : {}) }));
}
async function tg(name: string, protocol: "HTTP" | "HTTPS" | "TCP" = "HTTP") {
  return c.send(new L.CreateTargetGroupCommand({ name, type: "IP", config: ipTargetGroupConfig(80, protocol) }));
}

test.serial("service names: 3–40 of [a-z0-9-], no svc- prefix, no leading/trailing/double hyphens", async (t) => {
  for (const bad of ["ab", "a".repeat(41), "svc-x", "-abc", "abc-", "a--b", "Abc", "a_b"]) {
    const e = await rejects(t, c.send(new L.CreateServiceCommand({ name: bad })), L.ValidationException);
    t.is(e.$metadata.httpStatusCode, 400);
    t.is(e.reason, "fieldValidationFailed");
    t.deepEqual(e.fieldList?.map((x) => x.name), ["name"], bad);
  }
  await t.notThrowsAsync(c.send(new L.CreateServiceCommand({ name: "a".repeat(40) })));
  await t.notThrowsAsync(c.send(new L.CreateServiceCommand({ name: "abc" })));
});

test.serial("names of service networks (≤ 63), listeners and rules (3–63) and target groups (3–128)", async (t) => {
  await rejects(t, c.send(new L.CreateServiceNetworkCommand({ name: "n".repeat(64) })), L.ValidationException);
  await t.notThrowsAsync(c.send(new L.CreateServiceNetworkCommand({ name: "n".repeat(63) })));
  await rejects(t, c.send(new L.CreateTargetGroupCommand({ name: "tg-x", type: "IP", config: ipTargetGroupConfig() })), L.ValidationException);
  await rejects(t, c.send(new L.CreateTargetGroupCommand({ name: "t".repeat(129), type: "IP", config: ipTargetGroupConfig() })), L.ValidationException);
  await t.notThrowsAsync(c.send(new L.CreateTargetGroupCommand({ name: "t".repeat(128), type: "IP", config: ipTargetGroupConfig() })));
  const svc = await service();
  const e = await rejects(t, c.send(new L.CreateListenerCommand({ serviceIdentifier: svc.id, name: "listener-1", protocol: "HTTP", defaultAction: { fixedResponse: { statusCode: 404 } } })), L.ValidationException);
  t.deepEqual(e.fieldList?.map((x) => x.name), ["name"]);
});

test.serial("several bad fields are reported together in fieldList", async (t) => {
  const e = await rejects(
    t,
    c.send(new L.CreateTargetGroupCommand({ name: "x", type: "NOPE" as L.TargetGroupType, config: { port: 70000, protocol: "HTTP", vpcIdentifier: "vpc-bad" } })),
    L.ValidationException,
  );
  t.deepEqual(e.fieldList?.map((x) => x.name).sort(), ["config.port", "config.vpcIdentifier", "name", "type"]);
  t.regex(e.message, /^4 validation errors detected: /);
});

test.serial("identifiers must be ids or ARNs of the right kind; unknown ones are ResourceNotFoundException", async (t) => {
  await rejects(t, c.send(new L.GetServiceCommand({ serviceIdentifier: "orders" })), L.ValidationException);
  await rejects(t, c.send(new L.GetServiceCommand({ serviceIdentifier: "sn-0123456789abcdef0" })), L.ValidationException);
  const nf = await rejects(t, c.send(new L.GetServiceCommand({ serviceIdentifier: "svc-0123456789abcdef0" })), L.ResourceNotFoundException);
  t.is(nf.$metadata.httpStatusCode, 404);
  t.is(nf.resourceId, "svc-0123456789abcdef0");
  t.is(nf.resourceType, "SERVICE");
  await rejects(t, c.send(new L.GetTargetGroupCommand({ targetGroupIdentifier: "tg-0123456789abcdef0" })), L.ResourceNotFoundException);
  const svc = await service();
  const other = await service("other");
  const l = await c.send(new L.CreateListenerCommand({ serviceIdentifier: svc.id, name: "http", protocol: "HTTP", defaultAction: { fixedResponse: { statusCode: 404 } } }));
  // A listener is found only under its own service.
  await rejects(t, c.send(new L.GetListenerCommand({ serviceIdentifier: other.id, listenerIdentifier: l.id })), L.ResourceNotFoundException);
});

test.serial("names are unique: services, service networks, target groups, listeners and rules per parent", async (t) => {
  await service("dup");
  const e = await rejects(t, service("dup"), L.ConflictException);
  t.is(e.$metadata.httpStatusCode, 409);
  t.is(e.resourceType, "SERVICE");
  await c.send(new L.CreateServiceNetworkCommand({ name: "dup" }));
  await rejects(t, c.send(new L.CreateServiceNetworkCommand({ name: "dup" })), L.ConflictException);
  await tg("dup");
  await rejects(t, tg("dup"), L.ConflictException);
  const svc = await service("with-listeners");
  const fixed = { fixedResponse: { statusCode: 404 } };
  const l = await c.send(new L.CreateListenerCommand({ serviceIdentifier: svc.id, name: "one", protocol: "HTTP", port: 80, defaultAction: fixed }));
  await rejects(t, c.send(new L.CreateListenerCommand({ serviceIdentifier: svc.id, name: "one", protocol: "HTTP", port: 81, defaultAction: fixed })), L.ConflictException);
  await rejects(t, c.send(new L.CreateListenerCommand({ serviceIdentifier: svc.id, name: "two", protocol: "HTTPS", port: 80, defaultAction: fixed })), L.ConflictException);
  const rule = { serviceIdentifier: svc.id, listenerIdentifier: l.id, match: { httpMatch: { method: "GET" } }, action: fixed };
  await c.send(new L.CreateRuleCommand({ ...rule, name: "r-one", priority: 1 }));
  await rejects(t, c.send(new L.CreateRuleCommand({ ...rule, name: "r-one", priority: 2 })), L.ConflictException);
  const pe = await rejects(t, c.send(new L.CreateRuleCommand({ ...rule, name: "r-two", priority: 1 })), L.ConflictException);
  t.regex(pe.message, /priority 1/);
});

test.serial("rule matches: ≤ 5 header matches, one match type each, paths from /, something to match on", async (t) => {
  const svc = await service();
  const l = await c.send(new L.CreateListenerCommand({ serviceIdentifier: svc.id, name: "http", protocol: "HTTP", defaultAction: { fixedResponse: { statusCode: 404 } } }));
  const base = { serviceIdentifier: svc.id, listenerIdentifier: l.id, name: "rule-a".replace("rule-", "r-"), priority: 1, action: { fixedResponse: { statusCode: 404 } } };
  const headers = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `h${i}`, match: { exact: "v" } }));
  const six = await rejects(t, c.send(new L.CreateRuleCommand({ ...base, match: { httpMatch: { headerMatches: headers(6) } } })), L.ValidationException);
  t.deepEqual(six.fieldList?.map((x) => x.name), ["match.httpMatch.headerMatches"]);
  await t.notThrowsAsync(c.send(new L.CreateRuleCommand({ ...base, match: { httpMatch: { headerMatches: headers(5) } } })));
  const two = await rejects(
    t,
    c.send(new L.CreateRuleCommand({ ...base, name: "r-b", priority: 2, match: { httpMatch: { headerMatches: [{ name: "x", match: { exact: "a", prefix: "b" } as unknown as L.HeaderMatchType }] } } })),
    L.ValidationException,
  );
  t.deepEqual(two.fieldList?.map((x) => x.name), ["match.httpMatch.headerMatches.1.member.match"]);
  await rejects(t, c.send(new L.CreateRuleCommand({ ...base, name: "r-c", priority: 3, match: { httpMatch: { pathMatch: { match: { prefix: "api" } } } } })), L.ValidationException);
  await rejects(t, c.send(new L.CreateRuleCommand({ ...base, name: "r-d", priority: 4, match: { httpMatch: { pathMatch: { match: { exact: `/${"a".repeat(200)}` } } } } })), L.ValidationException);
  await rejects(t, c.send(new L.CreateRuleCommand({ ...base, name: "r-e", priority: 5, match: { httpMatch: {} } })), L.ValidationException);
  await rejects(t, c.send(new L.CreateRuleCommand({ ...base, name: "r-f", priority: 6, match: { httpMatch: { headerMatches: [{ name: "x".repeat(101), match: { contains: "a" } }] } } })), L.ValidationException);
});

test.serial("rule priorities: 1–2000 (the model's range, adjustable), unique per listener", async (t) => {
  const svc = await service();
  const l = await c.send(new L.CreateListenerCommand({ serviceIdentifier: svc.id, name: "http", protocol: "HTTP", defaultAction: { fixedResponse: { statusCode: 404 } } }));
  const rule = (name: string, priority: number) =>
    c.send(new L.CreateRuleCommand({ serviceIdentifier: svc.id, listenerIdentifier: l.id, name, priority, match: { httpMatch: { method: "GET" } }, action: { fixedResponse: { statusCode: 404 } } }));
  await rejects(t, rule("r-zero", 0), L.ValidationException);
  await rejects(t, rule("r-big", 2001), L.ValidationException);
  await t.notThrowsAsync(rule("r-max", 2000));
  f.state.limits.maxRulePriority = 100;
  try {
    await rejects(t, rule("r-101", 101), L.ValidationException);
  } finally {
    f.state.limits.maxRulePriority = 2000;
  }
});

test.serial("forward actions: 1–10 target groups, weights 0–999, each group existing and once", async (t) => {
  const svc = await service();
  const groups = [];
  for (let i = 0; i < 11; i++) groups.push((await tg(`g${i}x`)).id!);
  const l = (defaultAction: L.RuleAction, name = "http") => c.send(new L.CreateListenerCommand({ serviceIdentifier: svc.id, name, protocol: "HTTP", defaultAction }));
  const eleven = await rejects(t, l(forward(...groups)), L.ValidationException);
  t.deepEqual(eleven.fieldList?.map((x) => x.name), ["defaultAction.forward.targetGroups"]);
  await rejects(t, l(forward([groups[0]!, 1000])), L.ValidationException);
  await rejects(t, l(forward(groups[0]!, groups[0]!)), L.ValidationException);
  await rejects(t, l({ forward: { targetGroups: [] } }), L.ValidationException);
  await rejects(t, l(forward("tg-0123456789abcdef0")), L.ResourceNotFoundException);
  await rejects(t, l({ forward: { targetGroups: [{ targetGroupIdentifier: groups[0]! }] }, fixedResponse: { statusCode: 404 } } as unknown as L.RuleAction), L.ValidationException);
  await t.notThrowsAsync(l(forward(...groups.slice(0, 10).map((g, i) => [g, i * 100] as [string, number]))));
});

test.serial("quotas: listeners per service (2), rules per listener (10), adjustable", async (t) => {
  const svc = await service();
  const fixed = { fixedResponse: { statusCode: 404 } };
  const l = await c.send(new L.CreateListenerCommand({ serviceIdentifier: svc.id, name: "a-l", protocol: "HTTP", defaultAction: fixed }));
  await c.send(new L.CreateListenerCommand({ serviceIdentifier: svc.id, name: "b-l", protocol: "HTTPS", defaultAction: fixed }));
  const q = await rejects(t, c.send(new L.CreateListenerCommand({ serviceIdentifier: svc.id, name: "c-l", protocol: "HTTP", port: 8080, defaultAction: fixed })), L.ServiceQuotaExceededException);
  t.is(q.$metadata.httpStatusCode, 402);
  t.is(q.quotaCode, "L-D64E952E");
  t.is(q.serviceCode, "vpc-lattice");
  t.is(q.resourceType, "LISTENER");
  for (let i = 1; i <= 10; i++) {
    await c.send(new L.CreateRuleCommand({ serviceIdentifier: svc.id, listenerIdentifier: l.id, name: `rule${i}`, priority: i, match: { httpMatch: { method: "GET" } }, action: fixed }));
  }
  const r = await rejects(
    t,
    c.send(new L.CreateRuleCommand({ serviceIdentifier: svc.id, listenerIdentifier: l.id, name: "rule11", priority: 11, match: { httpMatch: { method: "GET" } }, action: fixed })),
    L.ServiceQuotaExceededException,
  );
  t.is(r.resourceType, "RULE");
  f.state.limits.rulesPerListener = 11;
  await t.notThrowsAsync(c.send(new L.CreateRuleCommand({ serviceIdentifier: svc.id, listenerIdentifier: l.id, name: "rule11", priority: 11, match: { httpMatch: { method: "GET" } }, action: fixed })));
  f.state.limits.rulesPerListener = 10;
});

test.serial("TLS_PASSTHROUGH listeners: need a custom domain, forward only to TCP groups, take no rules", async (t) => {
  const plain = await service("plain");
  const tls = await service("tls", "tls.example.com");
  const tcp = await tg("tcp-group", "TCP");
  const http = await tg("http-group", "HTTP");
  await rejects(t, c.send(new L.CreateListenerCommand({ serviceIdentifier: plain.id, name: "tls", protocol: "TLS_PASSTHROUGH", defaultAction: forward(tcp.id!) })), L.ValidationException);
  await rejects(t, c.send(new L.CreateListenerCommand({ serviceIdentifier: tls.id, name: "tls", protocol: "TLS_PASSTHROUGH", defaultAction: forward(http.id!) })), L.ValidationException);
  await rejects(t, c.send(new L.CreateListenerCommand({ serviceIdentifier: tls.id, name: "tls", protocol: "TLS_PASSTHROUGH", defaultAction: { fixedResponse: { statusCode: 404 } } })), L.ValidationException);
  await rejects(t, c.send(new L.CreateListenerCommand({ serviceIdentifier: tls.id, name: "http", protocol: "HTTP", defaultAction: forward(tcp.id!) })), L.ValidationException);
  const l = await c.send(new L.CreateListenerCommand({ serviceIdentifier: tls.id, name: "tls", protocol: "TLS_PASSTHROUGH", defaultAction: forward(tcp.id!) }));
  t.is(l.port, 443);
  await rejects(
    t,
    c.send(new L.CreateRuleCommand({ serviceIdentifier: tls.id, listenerIdentifier: l.id, name: "r-x", priority: 1, match: { httpMatch: { method: "GET" } }, action: forward(tcp.id!) })),
    L.ValidationException,
  );
});

test.serial("target group configs: required members per type, defaults, health check ranges", async (t) => {
  await rejects(t, c.send(new L.CreateTargetGroupCommand({ name: "no-config", type: "IP" })), L.ValidationException);
  await rejects(t, c.send(new L.CreateTargetGroupCommand({ name: "no-vpc", type: "IP", config: { port: 80, protocol: "HTTP" } })), L.ValidationException);
  await rejects(t, c.send(new L.CreateTargetGroupCommand({ name: "tcp-version", type: "IP", config: { ...ipTargetGroupConfig(80, "TCP"), protocolVersion: "HTTP1" } })), L.ValidationException);
  await rejects(t, c.send(new L.CreateTargetGroupCommand({ name: "lambda-port", type: "LAMBDA", config: { port: 80 } })), L.ValidationException);
  await rejects(
    t,
    c.send(new L.CreateTargetGroupCommand({ name: "bad-hc", type: "IP", config: { ...ipTargetGroupConfig(), healthCheck: { healthCheckIntervalSeconds: 2 } } })),
    L.ValidationException,
  );
  const lambda = await c.send(new L.CreateTargetGroupCommand({ name: "fn-lambda", type: "LAMBDA" }));
  t.deepEqual(lambda.config, { lambdaEventStructureVersion: "V1" });
  const tcp = await c.send(new L.CreateTargetGroupCommand({ name: "tcp", type: "IP", config: ipTargetGroupConfig(443, "TCP") }));
  t.deepEqual(tcp.config, { port: 443, protocol: "TCP", ipAddressType: "IPV4", vpcIdentifier: VPC, healthCheck: { enabled: false } });
  const v6 = await c.send(new L.CreateTargetGroupCommand({ name: "ipv6-group", type: "IP", config: { ...ipTargetGroupConfig(), ipAddressType: "IPV6" } }));
  t.is(v6.config?.ipAddressType, "IPV6");
});

test.serial("tags: at most 50, no aws: prefix, unknown ARNs not found", async (t) => {
  const svc = await service();
  const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
  await rejects(t, c.send(new L.TagResourceCommand({ resourceArn: svc.arn, tags: many })), L.ValidationException);
  await rejects(t, c.send(new L.TagResourceCommand({ resourceArn: svc.arn, tags: { "aws:x": "v" } })), L.ValidationException);
  await rejects(t, c.send(new L.CreateServiceCommand({ name: "tagged", tags: many })), L.ValidationException);
  await rejects(t, c.send(new L.ListTagsForResourceCommand({ resourceArn: "arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0123456789abcdef0" })), L.ResourceNotFoundException);
});

test.serial("VPC associations: one service network per VPC, ≤ 5 security groups, a filter is required to list", async (t) => {
  const a = await c.send(new L.CreateServiceNetworkCommand({ name: "net-a" }));
  const b = await c.send(new L.CreateServiceNetworkCommand({ name: "net-b" }));
  await c.send(new L.CreateServiceNetworkVpcAssociationCommand({ serviceNetworkIdentifier: a.id, vpcIdentifier: VPC }));
  await rejects(t, c.send(new L.CreateServiceNetworkVpcAssociationCommand({ serviceNetworkIdentifier: b.id, vpcIdentifier: VPC })), L.ConflictException);
  const sgs = Array.from({ length: 6 }, (_, i) => `sg-1234567${i}`);
  await rejects(t, c.send(new L.CreateServiceNetworkVpcAssociationCommand({ serviceNetworkIdentifier: b.id, vpcIdentifier: "vpc-87654321", securityGroupIds: sgs })), L.ValidationException);
  await rejects(t, c.send(new L.ListServiceNetworkVpcAssociationsCommand({})), L.ValidationException);
  await rejects(t, c.send(new L.CreateServiceNetworkVpcAssociationCommand({ serviceNetworkIdentifier: "sn-0123456789abcdef0", vpcIdentifier: "vpc-87654321" })), L.ResourceNotFoundException);
});

test.serial("auth policies: valid JSON of at most 10 KB on an existing service or network", async (t) => {
  const svc = await service();
  await rejects(t, c.send(new L.PutAuthPolicyCommand({ resourceIdentifier: svc.id, policy: "not json" })), L.ValidationException);
  await rejects(t, c.send(new L.PutAuthPolicyCommand({ resourceIdentifier: svc.id, policy: JSON.stringify({ a: "x".repeat(11 * 1024) }) })), L.ValidationException);
  await rejects(t, c.send(new L.PutAuthPolicyCommand({ resourceIdentifier: "svc-0123456789abcdef0", policy: "{}" })), L.ResourceNotFoundException);
  await rejects(t, c.send(new L.PutAuthPolicyCommand({ resourceIdentifier: "tg-0123456789abcdef0", policy: "{}" })), L.ValidationException);
});

test.serial("unsigned requests are AccessDeniedException, unknown paths UnknownOperationException", async (t) => {
  const res = await fetch(`${f.endpoint}/services`);
  t.is(res.status, 403);
  t.is(res.headers.get("x-amzn-errortype"), "AccessDeniedException");
  const res2 = await fetch(`${f.endpoint}/nothing`, { headers: { authorization: "x" } });
  t.is(res2.status, 404);
  t.is(res2.headers.get("x-amzn-errortype"), "UnknownOperationException");
  const res3 = await fetch(`${f.endpoint}/services`, { method: "POST", body: "{oops", headers: { authorization: "x" } });
  t.is(res3.status, 400);
  t.like(await res3.json(), { reason: "cannotParse" });
});
