// Async states on the fake's clock (CREATE_IN_PROGRESS → ACTIVE, DELETE_IN_PROGRESS → gone)
// and the dependencies that make deletes and uses wait for them.
import * as L from "@aws-sdk/client-vpc-lattice";
import test from "ava";
import { DEFAULT_DELAYS, ZERO_DELAYS } from "../src/index.js";
import { client, fake, forward, ipTargetGroupConfig, rejects, VPC } from "./helpers.js";

test("creates go CREATE_IN_PROGRESS → ACTIVE as the clock advances", async (t) => {
  const f = await fake(15, { clock: "manual" });
  t.teardown(() => f.close());
  const c = client(f);
  const svc = await c.send(new L.CreateServiceCommand({ name: "slow" }));
  t.is(svc.status, "CREATE_IN_PROGRESS");
  const tg = await c.send(new L.CreateTargetGroupCommand({ name: "slow-tg", type: "IP", config: ipTargetGroupConfig() }));
  t.is(tg.status, "CREATE_IN_PROGRESS");
  f.advance(DEFAULT_DELAYS.targetGroupCreate - 1);
  t.is((await c.send(new L.GetTargetGroupCommand({ targetGroupIdentifier: tg.id }))).status, "CREATE_IN_PROGRESS");
  f.advance(1);
  t.is((await c.send(new L.GetTargetGroupCommand({ targetGroupIdentifier: tg.id }))).status, "ACTIVE");
  t.is((await c.send(new L.GetServiceCommand({ serviceIdentifier: svc.id }))).status, "CREATE_IN_PROGRESS");
  f.advance(DEFAULT_DELAYS.serviceCreate);
  t.is((await c.send(new L.GetServiceCommand({ serviceIdentifier: svc.id }))).status, "ACTIVE");

  const sn = await c.send(new L.CreateServiceNetworkCommand({ name: "net" }));
  const va = await c.send(new L.CreateServiceNetworkVpcAssociationCommand({ serviceNetworkIdentifier: sn.id, vpcIdentifier: VPC }));
  const sa = await c.send(new L.CreateServiceNetworkServiceAssociationCommand({ serviceNetworkIdentifier: sn.id, serviceIdentifier: svc.id }));
  t.deepEqual([va.status, sa.status], ["CREATE_IN_PROGRESS", "CREATE_IN_PROGRESS"]);
  f.state.settle();
  const vas = await c.send(new L.ListServiceNetworkVpcAssociationsCommand({ vpcIdentifier: VPC }));
  t.deepEqual(vas.items?.map((x) => x.status), ["ACTIVE"]);
  t.is((await c.send(new L.GetServiceNetworkServiceAssociationCommand({ serviceNetworkServiceAssociationIdentifier: sa.id }))).status, "ACTIVE");
});

test("a resource still being created cannot be used or deleted yet (ConflictException)", async (t) => {
  const f = await fake(15, { clock: "manual", host: "127.0.15.2" });
  t.teardown(() => f.close());
  const c = client(f);
  const svc = await c.send(new L.CreateServiceCommand({ name: "young" }));
  const tg = await c.send(new L.CreateTargetGroupCommand({ name: "young-tg", type: "IP", config: ipTargetGroupConfig() }));
  const fixed = { fixedResponse: { statusCode: 404 } };
  await rejects(t, c.send(new L.CreateListenerCommand({ serviceIdentifier: svc.id, name: "http", protocol: "HTTP", defaultAction: fixed })), L.ConflictException);
  await rejects(t, c.send(new L.RegisterTargetsCommand({ targetGroupIdentifier: tg.id, targets: [{ id: "10.0.0.1" }] })), L.ConflictException);
  await rejects(t, c.send(new L.DeleteTargetGroupCommand({ targetGroupIdentifier: tg.id })), L.ConflictException);
  f.advance(DEFAULT_DELAYS.targetGroupCreate);
  await rejects(t, c.send(new L.CreateListenerCommand({ serviceIdentifier: svc.id, name: "http", protocol: "HTTP", defaultAction: forward(tg.id!) })), L.ConflictException);
  f.advance(DEFAULT_DELAYS.serviceCreate);
  await t.notThrowsAsync(c.send(new L.CreateListenerCommand({ serviceIdentifier: svc.id, name: "http", protocol: "HTTP", defaultAction: forward(tg.id!) })));
});

test("requireActive: false lets transient resources be used", async (t) => {
  const f = await fake(15, { clock: "manual", host: "127.0.15.3", requireActive: false });
  t.teardown(() => f.close());
  const c = client(f);
  const svc = await c.send(new L.CreateServiceCommand({ name: "young" }));
  await t.notThrowsAsync(c.send(new L.CreateListenerCommand({ serviceIdentifier: svc.id, name: "http", protocol: "HTTP", defaultAction: { fixedResponse: { statusCode: 404 } } })));
});

test("deletion order is enforced: rules/listeners → associations → service → target groups → network", async (t) => {
  const f = await fake(15, { clock: "manual", host: "127.0.15.4", delays: { ...ZERO_DELAYS, serviceAssociationDelete: 1000, vpcAssociationDelete: 1000, serviceDelete: 1000, targetGroupDelete: 1000 } });
  t.teardown(() => f.close());
  const c = client(f);
  const sn = await c.send(new L.CreateServiceNetworkCommand({ name: "net" }));
  const va = await c.send(new L.CreateServiceNetworkVpcAssociationCommand({ serviceNetworkIdentifier: sn.id, vpcIdentifier: VPC }));
  const svc = await c.send(new L.CreateServiceCommand({ name: "app" }));
  const sa = await c.send(new L.CreateServiceNetworkServiceAssociationCommand({ serviceNetworkIdentifier: sn.id, serviceIdentifier: svc.id }));
  const tg = await c.send(new L.CreateTargetGroupCommand({ name: "app-tg", type: "IP", config: ipTargetGroupConfig() }));
  const tg2 = await c.send(new L.CreateTargetGroupCommand({ name: "app-tg2", type: "IP", config: ipTargetGroupConfig() }));
  const l = await c.send(new L.CreateListenerCommand({ serviceIdentifier: svc.id, name: "http", protocol: "HTTP", defaultAction: forward(tg.id!) }));
  await c.send(new L.CreateRuleCommand({ serviceIdentifier: svc.id, listenerIdentifier: l.id, name: "rule", priority: 1, match: { httpMatch: { method: "GET" } }, action: forward(tg2.id!) }));

  // A target group in use by a listener or a rule cannot go.
  const inUse = await rejects(t, c.send(new L.DeleteTargetGroupCommand({ targetGroupIdentifier: tg2.id })), L.ConflictException);
  t.is(inUse.resourceId, tg2.id);
  // A network with associations cannot go; a service with an association cannot go.
  await rejects(t, c.send(new L.DeleteServiceNetworkCommand({ serviceNetworkIdentifier: sn.id })), L.ConflictException);
  await rejects(t, c.send(new L.DeleteServiceCommand({ serviceIdentifier: svc.id })), L.ConflictException);

  t.is((await c.send(new L.DeleteServiceNetworkServiceAssociationCommand({ serviceNetworkServiceAssociationIdentifier: sa.id }))).status, "DELETE_IN_PROGRESS");
  // Deleting again while it is on its way out answers the same.
  t.is((await c.send(new L.DeleteServiceNetworkServiceAssociationCommand({ serviceNetworkServiceAssociationIdentifier: sa.id }))).status, "DELETE_IN_PROGRESS");
  // Still DELETE_IN_PROGRESS: the service stays associated.
  await rejects(t, c.send(new L.DeleteServiceCommand({ serviceIdentifier: svc.id })), L.ConflictException);
  f.advance(1000);
  await rejects(t, c.send(new L.GetServiceNetworkServiceAssociationCommand({ serviceNetworkServiceAssociationIdentifier: sa.id })), L.ResourceNotFoundException);

  // Deleting the service takes its listeners and rules along.
  const del = await c.send(new L.DeleteServiceCommand({ serviceIdentifier: svc.id }));
  t.is(del.status, "DELETE_IN_PROGRESS");
  t.like(f.state.counts(), { listener: 0, rule: 0 });
  await rejects(t, c.send(new L.UpdateServiceCommand({ serviceIdentifier: svc.id, authType: "AWS_IAM" })), L.ConflictException);
  await c.send(new L.DeleteTargetGroupCommand({ targetGroupIdentifier: tg.id }));
  await c.send(new L.DeleteTargetGroupCommand({ targetGroupIdentifier: tg2.id }));
  await c.send(new L.DeleteServiceNetworkVpcAssociationCommand({ serviceNetworkVpcAssociationIdentifier: va.id }));
  await rejects(t, c.send(new L.DeleteServiceNetworkCommand({ serviceNetworkIdentifier: sn.id })), L.ConflictException);
  f.advance(1000);
  await c.send(new L.DeleteServiceNetworkCommand({ serviceNetworkIdentifier: sn.id }));
  t.true(f.state.isEmpty());
  t.deepEqual(f.state.counts(), { serviceNetwork: 0, service: 0, vpcAssociation: 0, serviceAssociation: 0, listener: 0, rule: 0, targetGroup: 0, targets: 0 });
});

test("the real clock: states advance by themselves; advance() skips ahead", async (t) => {
  const f = await fake(15, { host: "127.0.15.5", delays: { serviceCreate: 60_000 } });
  t.teardown(() => f.close());
  const c = client(f);
  const svc = await c.send(new L.CreateServiceCommand({ name: "wall" }));
  t.is(svc.status, "CREATE_IN_PROGRESS");
  f.advance(60_000);
  t.is((await c.send(new L.GetServiceCommand({ serviceIdentifier: svc.id }))).status, "ACTIVE");
  const short = await fake(15, { host: "127.0.15.6", delays: { serviceCreate: 50 } });
  t.teardown(() => short.close());
  const sc = client(short);
  const s2 = await sc.send(new L.CreateServiceCommand({ name: "wall" }));
  // Liveness bound only: poll until ACTIVE.
  let status = s2.status;
  for (let i = 0; i < 200 && status !== "ACTIVE"; i++) {
    await new Promise((r) => setTimeout(r, 10));
    status = (await sc.send(new L.GetServiceCommand({ serviceIdentifier: s2.id }))).status;
  }
  t.is(status, "ACTIVE");
});

test("autoAdvanceMs: a manual clock that moves with every request", async (t) => {
  const f = await fake(15, { host: "127.0.15.7", clock: "manual", autoAdvanceMs: 500 });
  t.teardown(() => f.close());
  const c = client(f);
  const svc = await c.send(new L.CreateServiceCommand({ name: "ticks" }));
  t.is(svc.status, "CREATE_IN_PROGRESS");
  t.is((await c.send(new L.GetServiceCommand({ serviceIdentifier: svc.id }))).status, "CREATE_IN_PROGRESS");
  t.is((await c.send(new L.GetServiceCommand({ serviceIdentifier: svc.id }))).status, "ACTIVE");
});

test("reset() empties everything and restarts ids for a seeded fake", async (t) => {
  const f = await fake(15, { host: "127.0.15.8", clock: "manual", delays: ZERO_DELAYS, seed: "fixed" });
  t.teardown(() => f.close());
  const c = client(f);
  const a = await c.send(new L.CreateServiceCommand({ name: "one" }));
  f.reset();
  t.true(f.state.isEmpty());
  t.is(f.calls.count(), 0);
  const b = await c.send(new L.CreateServiceCommand({ name: "one" }));
  t.is(b.id, a.id);
});
