// Targets: batches of ≤ 100 with per-target failures, health (UNUSED, INITIAL → HEALTHY,
// UNAVAILABLE without health checks), DRAINING after deregistration for a configurable time.
import * as L from "@aws-sdk/client-vpc-lattice";
import test from "ava";
import { ZERO_DELAYS } from "../src/index.js";
import { client, fake, forward, ipTargetGroupConfig, rejects } from "./helpers.js";

async function setup(n: number, delays = {}) {
  const f = await fake(17, { host: `127.0.17.${n}`, clock: "manual", delays: { ...ZERO_DELAYS, ...delays } });
  const c = client(f);
  const svc = await c.send(new L.CreateServiceCommand({ name: "app" }));
  const tg = await c.send(new L.CreateTargetGroupCommand({ name: "app-tg", type: "IP", config: ipTargetGroupConfig(8080) }));
  return { f, c, svc, tg };
}

test("register: ≤ 100 a call, invalid targets listed as unsuccessful, the group's port by default", async (t) => {
  const { f, c, tg } = await setup(1);
  t.teardown(() => f.close());
  const many = Array.from({ length: 101 }, (_, i) => ({ id: `10.0.0.${i}` }));
  const e = await rejects(t, c.send(new L.RegisterTargetsCommand({ targetGroupIdentifier: tg.id, targets: many })), L.ValidationException);
  t.deepEqual(e.fieldList?.map((x) => x.name), ["targets"]);
  await rejects(t, c.send(new L.RegisterTargetsCommand({ targetGroupIdentifier: tg.id, targets: [] })), L.ValidationException);
  const r = await c.send(new L.RegisterTargetsCommand({ targetGroupIdentifier: tg.id, targets: [{ id: "10.0.0.1" }, { id: "fe80::1" }, { id: "10.0.0.2", port: 9000 }, { id: "not-an-ip" }] }));
  t.deepEqual(r.successful, [{ id: "10.0.0.1", port: 8080 }, { id: "10.0.0.2", port: 9000 }]);
  t.deepEqual(r.unsuccessful?.map((x) => [x.id, x.failureCode]), [["fe80::1", "InvalidTarget"], ["not-an-ip", "InvalidTarget"]]);
  // Registering again changes nothing.
  const again = await c.send(new L.RegisterTargetsCommand({ targetGroupIdentifier: tg.id, targets: [{ id: "10.0.0.1" }] }));
  t.deepEqual(again.successful, [{ id: "10.0.0.1", port: 8080 }]);
  t.is(f.state.counts().targets, 2);
  await rejects(t, c.send(new L.RegisterTargetsCommand({ targetGroupIdentifier: "tg-0123456789abcdef0", targets: [{ id: "10.0.0.1" }] })), L.ResourceNotFoundException);
});

test("targets per group quota", async (t) => {
  const { f, c, tg } = await setup(2);
  t.teardown(() => f.close());
  f.state.limits.targetsPerTargetGroup = 3;
  await c.send(new L.RegisterTargetsCommand({ targetGroupIdentifier: tg.id, targets: [{ id: "10.0.0.1" }, { id: "10.0.0.2" }] }));
  await rejects(t, c.send(new L.RegisterTargetsCommand({ targetGroupIdentifier: tg.id, targets: [{ id: "10.0.0.3" }, { id: "10.0.0.4" }] })), L.ServiceQuotaExceededException);
});

test("health: UNUSED until a service forwards to the group, then INITIAL → HEALTHY; overrides from the test", async (t) => {
  const { f, c, svc, tg } = await setup(3, { targetHealthCheck: 5000 });
  t.teardown(() => f.close());
  await c.send(new L.RegisterTargetsCommand({ targetGroupIdentifier: tg.id, targets: [{ id: "10.0.0.1" }] }));
  const status = async () => (await c.send(new L.ListTargetsCommand({ targetGroupIdentifier: tg.id }))).items?.map((x) => x.status);
  t.deepEqual(await status(), ["UNUSED"]);
  await c.send(new L.CreateListenerCommand({ serviceIdentifier: svc.id, name: "http", protocol: "HTTP", defaultAction: forward(tg.id!) }));
  t.deepEqual(await status(), ["INITIAL"]);
  f.advance(5000);
  t.deepEqual(await status(), ["HEALTHY"]);
  t.true(f.state.setTargetHealth(tg.id!, "10.0.0.1", 8080, "UNHEALTHY"));
  t.deepEqual(await status(), ["UNHEALTHY"]);
  f.state.setTargetHealth(tg.arn!, "10.0.0.1", undefined, undefined);
  t.deepEqual(await status(), ["HEALTHY"]);
});

test("health checks off: UNAVAILABLE", async (t) => {
  const { f, c, svc } = await setup(4);
  t.teardown(() => f.close());
  const tcp = await c.send(new L.CreateTargetGroupCommand({ name: "tcp-tg", type: "IP", config: ipTargetGroupConfig(443, "TCP") }));
  const tls = await c.send(new L.CreateServiceCommand({ name: "tls", customDomainName: "tls.example.com" }));
  await c.send(new L.CreateListenerCommand({ serviceIdentifier: tls.id, name: "tls", protocol: "TLS_PASSTHROUGH", defaultAction: forward(tcp.id!) }));
  await c.send(new L.RegisterTargetsCommand({ targetGroupIdentifier: tcp.id, targets: [{ id: "10.0.0.9" }] }));
  t.deepEqual((await c.send(new L.ListTargetsCommand({ targetGroupIdentifier: tcp.id }))).items?.map((x) => x.status), ["UNAVAILABLE"]);
  t.truthy(svc.id);
});

test("deregister: DRAINING for the drain time, then gone; idempotent; re-register cancels the drain", async (t) => {
  const { f, c, tg } = await setup(5, { targetDrain: 300_000 });
  t.teardown(() => f.close());
  await c.send(new L.RegisterTargetsCommand({ targetGroupIdentifier: tg.id, targets: [{ id: "10.0.0.1" }, { id: "10.0.0.2" }, { id: "10.0.0.3" }] }));
  const d = await c.send(new L.DeregisterTargetsCommand({ targetGroupIdentifier: tg.id, targets: [{ id: "10.0.0.1" }, { id: "10.0.0.2", port: 8080 }, { id: "10.9.9.9" }] }));
  t.deepEqual(d.successful?.map((x) => x.id), ["10.0.0.1", "10.0.0.2", "10.9.9.9"]);
  t.deepEqual(d.unsuccessful, []);
  const list = async () => (await c.send(new L.ListTargetsCommand({ targetGroupIdentifier: tg.id }))).items?.map((x) => [x.id, x.status, x.reasonCode]);
  t.deepEqual(await list(), [["10.0.0.1", "DRAINING", "Target.Deregistering"], ["10.0.0.2", "DRAINING", "Target.Deregistering"], ["10.0.0.3", "UNUSED", "TargetGroup.NotInUse"]]);
  await c.send(new L.RegisterTargetsCommand({ targetGroupIdentifier: tg.id, targets: [{ id: "10.0.0.2" }] }));
  f.advance(299_999);
  t.deepEqual((await list())?.map((x) => x[1]), ["DRAINING", "UNUSED", "UNUSED"]);
  f.advance(1);
  t.deepEqual((await list())?.map((x) => x[0]), ["10.0.0.3", "10.0.0.2"]);
  const filtered = await c.send(new L.ListTargetsCommand({ targetGroupIdentifier: tg.id, targets: [{ id: "10.0.0.2" }] }));
  t.deepEqual(filtered.items?.map((x) => x.id), ["10.0.0.2"]);
});

test("a target group's targets go with it", async (t) => {
  const { f, c, tg } = await setup(6);
  t.teardown(() => f.close());
  await c.send(new L.RegisterTargetsCommand({ targetGroupIdentifier: tg.id, targets: [{ id: "10.0.0.1" }] }));
  await c.send(new L.DeleteTargetGroupCommand({ targetGroupIdentifier: tg.id }));
  t.is(f.state.counts().targets, 0);
});

test("instance, Lambda and ALB targets", async (t) => {
  const { f, c } = await setup(7);
  t.teardown(() => f.close());
  const inst = await c.send(new L.CreateTargetGroupCommand({ name: "inst", type: "INSTANCE", config: ipTargetGroupConfig(80) }));
  const r = await c.send(new L.RegisterTargetsCommand({ targetGroupIdentifier: inst.id, targets: [{ id: "i-0123456789abcdef0" }, { id: "10.0.0.1" }] }));
  t.deepEqual([r.successful?.length, r.unsuccessful?.length], [1, 1]);
  const fn = await c.send(new L.CreateTargetGroupCommand({ name: "fn-group", type: "LAMBDA" }));
  const lr = await c.send(new L.RegisterTargetsCommand({ targetGroupIdentifier: fn.id, targets: [{ id: "arn:aws:lambda:us-west-2:123456789012:function:f" }] }));
  t.deepEqual(lr.successful, [{ id: "arn:aws:lambda:us-west-2:123456789012:function:f" }]);
  await rejects(t, c.send(new L.RegisterTargetsCommand({ targetGroupIdentifier: fn.id, targets: [{ id: "arn:aws:lambda:us-west-2:123456789012:function:g" }] })), L.ServiceQuotaExceededException);
});
