// Fault injection and the call log: throttling and 5xx retried by the SDK's standard retry,
// hangs until the client times out, lost responses after the change was made, "crash after
// the k-th mutating call", and call counting.
import * as L from "@aws-sdk/client-vpc-lattice";
import test from "ava";
import { ZERO_DELAYS, type CallRecord, type FakeLattice } from "../src/index.js";
import { client, fake, ipTargetGroupConfig, rejects } from "./helpers.js";

let f: FakeLattice;
let c: L.VPCLatticeClient;
test.before(async () => {
  f = await fake(16, { clock: "manual", delays: ZERO_DELAYS });
  c = client(f);
});
test.after.always(() => f.close());
test.beforeEach(() => f.reset());

test.serial("injected throttling is retried by the SDK's standard retry", async (t) => {
  const h = f.inject.next("CreateService", { kind: "throttle", retryAfterSeconds: 0 });
  const svc = await c.send(new L.CreateServiceCommand({ name: "throttled" }));
  t.is(svc.$metadata.attempts, 2);
  t.is(h.hits, 1);
  t.is(f.state.counts().service, 1);
  const calls = f.calls.list({ operation: "CreateService" });
  t.deepEqual(calls.map((x) => [x.status, x.error, x.fault, x.applied]), [
    [429, "ThrottlingException", "throttle", false],
    [201, undefined, undefined, true],
  ]);
});

test.serial("throttling that does not stop surfaces as ThrottlingException with Retry-After", async (t) => {
  f.inject.add({ operation: "ListServices", times: Number.POSITIVE_INFINITY, fault: { kind: "throttle", retryAfterSeconds: 0 } });
  const e = await rejects(t, c.send(new L.ListServicesCommand({})), L.ThrottlingException);
  t.is(e.$metadata.httpStatusCode, 429);
  t.is(e.$metadata.attempts, 3);
  t.is(e.retryAfterSeconds, 0);
  t.is(f.calls.count({ operation: "ListServices" }), 3);
});

test.serial("a 500 is InternalServerException and retried; a 503 too", async (t) => {
  f.inject.next("ListServices", { kind: "internal" });
  t.is((await c.send(new L.ListServicesCommand({}))).$metadata.attempts, 2);
  f.inject.next("ListServices", { kind: "unavailable" });
  t.is((await c.send(new L.ListServicesCommand({}))).$metadata.attempts, 2);
  const once = client(f, { maxAttempts: 1 });
  f.inject.next("ListServices", { kind: "internal" });
  const e = await rejects(t, once.send(new L.ListServicesCommand({})), L.InternalServerException);
  t.is(e.$metadata.httpStatusCode, 500);
});

test.serial("the n-th call from now fails, counting only the chosen operation", async (t) => {
  const once = client(f, { maxAttempts: 1 });
  f.inject.nth(3, { kind: "internal" }, { operation: "GetService" });
  const svc = await once.send(new L.CreateServiceCommand({ name: "target" }));
  await once.send(new L.GetServiceCommand({ serviceIdentifier: svc.id }));
  await once.send(new L.ListServicesCommand({}));
  await once.send(new L.GetServiceCommand({ serviceIdentifier: svc.id }));
  await rejects(t, once.send(new L.GetServiceCommand({ serviceIdentifier: svc.id })), L.InternalServerException);
  await t.notThrowsAsync(once.send(new L.GetServiceCommand({ serviceIdentifier: svc.id })));
});

test.serial("a hang lasts until the client times out; the SDK's retry then succeeds", async (t) => {
  const timed = client(f, { requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true } });
  f.inject.next("CreateTargetGroup", { kind: "hang" });
  const tg = await timed.send(new L.CreateTargetGroupCommand({ name: "hung", type: "IP", config: ipTargetGroupConfig() }));
  t.is(tg.$metadata.attempts, 2);
  t.is(f.state.counts().targetGroup, 1);
  const calls = f.calls.list({ operation: "CreateTargetGroup" });
  t.deepEqual(calls.map((x) => [x.fault, x.applied, x.status]), [["hang", false, undefined], [undefined, true, 201]]);
});

test.serial("a hang after the change (response lost): the retry gets the same resource through its client token", async (t) => {
  const timed = client(f, { requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true } });
  f.inject.next("CreateService", { kind: "hang" }, "after");
  const svc = await timed.send(new L.CreateServiceCommand({ name: "lost" }));
  t.is(svc.$metadata.attempts, 2);
  t.is(f.state.counts().service, 1);
  t.deepEqual(f.calls.list({ operation: "CreateService" }).map((x) => x.applied), [true, true]);
});

test.serial("a hang with no retries left is the client's timeout error", async (t) => {
  const timed = client(f, { requestHandler: { requestTimeout: 200, throwOnRequestTimeout: true }, maxAttempts: 1 });
  f.inject.next("ListServices", { kind: "hang" });
  const e = await t.throwsAsync(timed.send(new L.ListServicesCommand({})));
  t.regex(`${e?.name} ${e?.message}`, /timeout|timed out/i);
});

test.serial("a reset connection is retried", async (t) => {
  f.inject.next("ListTargetGroups", { kind: "reset" });
  const r = await c.send(new L.ListTargetGroupsCommand({}));
  t.is(r.$metadata.attempts, 2);
});

test.serial("an injected error of any code arrives as that SDK exception", async (t) => {
  f.inject.next("CreateService", { kind: "error", status: 409, code: "ConflictException", members: { resourceId: "x", resourceType: "SERVICE" } });
  const e = await rejects(t, c.send(new L.CreateServiceCommand({ name: "conflicted" })), L.ConflictException);
  t.is(e.resourceId, "x");
  t.is(f.state.counts().service, 0);
  f.inject.next("CreateService", { kind: "error", status: 402, code: "ServiceQuotaExceededException", members: { resourceType: "SERVICE", serviceCode: "vpc-lattice", quotaCode: "q" } });
  await rejects(t, c.send(new L.CreateServiceCommand({ name: "quota" })), L.ServiceQuotaExceededException);
});

test.serial("a delay answers normally, later", async (t) => {
  f.inject.next("ListServices", { kind: "delay", ms: 50 });
  const r = await c.send(new L.ListServicesCommand({}));
  t.is(r.$metadata.attempts, 1);
  t.is(f.calls.list({ operation: "ListServices" })[0]!.fault, "delay");
});

test.serial("afterMutating(k): every change after the k-th fails, reads keep working", async (t) => {
  const once = client(f, { maxAttempts: 1 });
  const crash = f.inject.afterMutating(3, { kind: "internal" });
  const made: string[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      made.push((await once.send(new L.CreateTargetGroupCommand({ name: `step${i}`, type: "IP", config: ipTargetGroupConfig() }))).name!);
      await once.send(new L.ListTargetGroupsCommand({}));
    }
  } catch (e) {
    t.true(e instanceof L.InternalServerException);
  }
  t.deepEqual(made, ["step0", "step1", "step2"]);
  t.is(f.calls.count({ mutating: true, applied: true }), 3);
  t.is(f.state.counts().targetGroup, 3);
  await t.notThrowsAsync(once.send(new L.ListTargetGroupsCommand({})));
  await rejects(t, once.send(new L.CreateServiceCommand({ name: "after-crash" })), L.InternalServerException);
  crash.remove();
  await t.notThrowsAsync(once.send(new L.CreateServiceCommand({ name: "restarted" })));
});

test.serial("the call log: operations in order, inputs, mutating flags, counters, subscriptions", async (t) => {
  const seen: CallRecord[] = [];
  const off = f.calls.on((call) => seen.push(call));
  const svc = await c.send(new L.CreateServiceCommand({ name: "logged", tags: { k: "v" } }));
  await c.send(new L.GetServiceCommand({ serviceIdentifier: svc.arn }));
  await c.send(new L.UntagResourceCommand({ resourceArn: svc.arn, tagKeys: ["k", "other"] }));
  await c.send(new L.ListServicesCommand({ maxResults: 5 }));
  off();
  await c.send(new L.ListServicesCommand({}));
  const log = f.calls.list();
  t.deepEqual(log.map((x) => [x.seq, x.operation, x.mutating]), [
    [1, "CreateService", true],
    [2, "GetService", false],
    [3, "UntagResource", true],
    [4, "ListServices", false],
    [5, "ListServices", false],
  ]);
  t.like(log[0]!.input.body as object, { name: "logged", tags: { k: "v" } });
  t.deepEqual(log[1]!.input.labels, { serviceIdentifier: svc.arn });
  t.deepEqual(log[2]!.input.query, { tagKeys: ["k", "other"] });
  t.deepEqual(log[3]!.input.query, { maxResults: "5" });
  t.deepEqual(f.calls.counters(), { CreateService: 1, GetService: 1, UntagResource: 1, ListServices: 2 });
  t.is(f.calls.count({ mutating: true }), 2);
  t.is(f.calls.count({ operation: ["GetService", "ListServices"] }), 3);
  t.is(seen.length, 4);
  f.calls.clear();
  t.is(f.calls.count(), 0);
});
