// clientToken on creates: same token and parameters → the same resource, other parameters →
// ConflictException; the SDK's own token survives its retries.
import * as L from "@aws-sdk/client-vpc-lattice";
import test from "ava";
import { ZERO_DELAYS, type FakeLattice } from "../src/index.js";
import { client, fake, forward, ipTargetGroupConfig, rejects, VPC } from "./helpers.js";

let f: FakeLattice;
let c: L.VPCLatticeClient;
test.before(async () => {
  f = await fake(13, { clock: "manual", delays: ZERO_DELAYS });
  c = client(f);
});
test.after.always(() => f.close());
test.beforeEach(() => f.reset());

test.serial("same token, same parameters: one resource, the same answer", async (t) => {
  const input = { name: "orders", clientToken: "tok-1", tags: { a: "1" } };
  const a = await c.send(new L.CreateServiceCommand(input));
  const b = await c.send(new L.CreateServiceCommand({ tags: { a: "1" }, clientToken: "tok-1", name: "orders" }));
  t.is(a.id, b.id);
  t.is(f.state.counts().service, 1);
  const sn1 = await c.send(new L.CreateServiceNetworkCommand({ name: "net", clientToken: "tok-1" }));
  const sn2 = await c.send(new L.CreateServiceNetworkCommand({ name: "net", clientToken: "tok-1" }));
  t.is(sn1.id, sn2.id);
});

test.serial("same token, other parameters: ConflictException", async (t) => {
  await c.send(new L.CreateServiceCommand({ name: "orders", clientToken: "tok-2" }));
  const e = await rejects(t, c.send(new L.CreateServiceCommand({ name: "payments", clientToken: "tok-2" })), L.ConflictException);
  t.regex(e.message, /tok-2/);
  t.is(f.state.counts().service, 1);
});

test.serial("a replay reports the resource as it is now", async (t) => {
  f.state.delays.serviceCreate = 1000;
  try {
    const a = await c.send(new L.CreateServiceCommand({ name: "later", clientToken: "tok-3" }));
    t.is(a.status, "CREATE_IN_PROGRESS");
    f.advance(1000);
    const b = await c.send(new L.CreateServiceCommand({ name: "later", clientToken: "tok-3" }));
    t.is(b.id, a.id);
    t.is(b.status, "ACTIVE");
  } finally {
    f.state.delays.serviceCreate = 0;
  }
});

test.serial("without a token of their own, SDK calls still are idempotent across the SDK's retries", async (t) => {
  // The response of the first attempt is lost after the change was made; the SDK retries with
  // the token it generated, and the fake answers with the same target group.
  f.inject.next("CreateTargetGroup", { kind: "internal" }, "after");
  const tg = await c.send(new L.CreateTargetGroupCommand({ name: "retried", type: "IP", config: ipTargetGroupConfig() }));
  t.is(tg.$metadata.attempts, 2);
  t.is(f.state.counts().targetGroup, 1);
  const creates = f.calls.list({ operation: "CreateTargetGroup" });
  t.is(creates.length, 2);
  const body0 = creates[0]!.input.body as { clientToken?: string };
  const body1 = creates[1]!.input.body as { clientToken?: string };
  t.truthy(body0.clientToken);
  t.is(body0.clientToken, body1.clientToken);
});

test.serial("two creates with different tokens and the same name: the second is a name conflict", async (t) => {
  await c.send(new L.CreateTargetGroupCommand({ name: "same", type: "IP", config: ipTargetGroupConfig() }));
  await rejects(t, c.send(new L.CreateTargetGroupCommand({ name: "same", type: "IP", config: ipTargetGroupConfig() })), L.ConflictException);
});

test.serial("every create honours its token: associations, listeners, rules", async (t) => {
  const sn = await c.send(new L.CreateServiceNetworkCommand({ name: "net" }));
  const svc = await c.send(new L.CreateServiceCommand({ name: "svc-one".replace("svc-", "s-") }));
  const tg = await c.send(new L.CreateTargetGroupCommand({ name: "group", type: "IP", config: ipTargetGroupConfig() }));
  const twice = async <T extends { id?: string }>(make: () => Promise<T>) => {
    const a = await make();
    const b = await make();
    t.is(a.id, b.id);
    return a;
  };
  await twice(() => c.send(new L.CreateServiceNetworkVpcAssociationCommand({ serviceNetworkIdentifier: sn.id, vpcIdentifier: VPC, clientToken: "va" })));
  await twice(() => c.send(new L.CreateServiceNetworkServiceAssociationCommand({ serviceNetworkIdentifier: sn.id, serviceIdentifier: svc.id, clientToken: "sa" })));
  const l = await twice(() => c.send(new L.CreateListenerCommand({ serviceIdentifier: svc.id, name: "http", protocol: "HTTP", defaultAction: forward(tg.id!), clientToken: "l" })));
  await twice(() =>
    c.send(new L.CreateRuleCommand({ serviceIdentifier: svc.id, listenerIdentifier: l.id, name: "rule", priority: 1, match: { httpMatch: { method: "GET" } }, action: forward(tg.id!), clientToken: "r" })),
  );
  t.like(f.state.counts(), { vpcAssociation: 1, serviceAssociation: 1, listener: 1, rule: 1 });
});
