import test from "ava";
import { randomUUID } from "node:crypto";
import { type FakeCompute, startFakeCompute } from "../src/index.js";
import { CODE, type Clients, PROJECT, clients, closeAll, failure, run, waitDone } from "./helpers.js";

let fake: FakeCompute;
let c: Clients;

test.before(async () => {
  fake = await startFakeCompute({ project: PROJECT, host: "127.41.0.4", operationDelayMs: 0 });
  c = clients(fake);
});

test.after.always(async () => {
  await closeAll(c);
  await fake.close();
});

test.afterEach.always(() => {
  fake.reset();
});

const hc = (name: string) => ({ project: PROJECT, healthCheckResource: { name, type: "HTTP" } });

test.serial("429 rateLimitExceeded surfaces as RESOURCE_EXHAUSTED with the API's body; nothing is created", async (t) => {
  const h = fake.inject.rateLimit({ method: "healthChecks.insert" });
  const f = await failure(c.healthChecks.insert(hc("rl")));
  t.is(f.code, CODE.RESOURCE_EXHAUSTED);
  t.is(f.httpStatusCode, 429);
  t.is(f.reason, "rateLimitExceeded");
  t.regex(f.message, /Quota exceeded for quota metric 'Queries'/);
  t.is(h.hits, 1);
  t.deepEqual(fake.state.resources(), []);
  await run(c, c.healthChecks.insert(hc("rl")));
  t.deepEqual(fake.calls.list({ method: "healthChecks.insert" }).map((x) => [x.status, x.injected]), [
    [429, "http 429"],
    [200, undefined],
  ]);
});

test.serial("503 on a mutation surfaces as UNAVAILABLE (the client does not retry non-idempotent calls)", async (t) => {
  fake.inject.unavailable({ mutating: true });
  const f = await failure(c.healthChecks.insert(hc("u")));
  t.is(f.code, CODE.UNAVAILABLE);
  t.is(f.httpStatusCode, 503);
  t.is(f.reason, "backendError");
  t.is(fake.calls.count({ method: "healthChecks.insert" }), 1);
});

test.serial("500 surfaces as INTERNAL", async (t) => {
  fake.inject.internalError({ method: /\.insert$/ });
  const f = await failure(c.healthChecks.insert(hc("i")));
  t.is(f.code, CODE.INTERNAL);
  t.is(f.httpStatusCode, 500);
});

test.serial("503 on a get is retried by the client itself (idempotent) and succeeds; the log shows both calls", async (t) => {
  await run(c, c.healthChecks.insert(hc("g")));
  fake.inject.unavailable({ method: "healthChecks.get" });
  const [got] = await c.healthChecks.get({ project: PROJECT, healthCheck: "g" });
  t.is(got.name, "g");
  t.deepEqual(fake.calls.list({ method: "healthChecks.get" }).map((x) => x.status), [503, 200]);
});

test.serial("a hang ends with the client's deadline (DEADLINE_EXCEEDED); the fake keeps serving", async (t) => {
  fake.inject.hang({ method: "healthChecks.insert" });
  const f = await failure(c.healthChecks.insert(hc("h"), { timeout: 300 }));
  t.is(f.code, CODE.DEADLINE_EXCEEDED);
  const [call] = fake.calls.list({ method: "healthChecks.insert" });
  t.is(call?.injected, "hang");
  t.is(call?.status, undefined, "never answered");
  t.deepEqual(fake.state.resources(), []);
  await run(c, c.healthChecks.insert(hc("h")));
  t.is(fake.state.resources().length, 1);
});

test.serial("faults can skip calls and target any call by predicate (e.g. the 3rd mutating call)", async (t) => {
  const h = fake.inject.add({ mutating: true, skip: 2, times: 1, fault: { kind: "http", status: 503 } });
  await run(c, c.healthChecks.insert(hc("a")));
  await run(c, c.healthChecks.insert(hc("b")));
  t.is((await failure(c.healthChecks.insert(hc("c")))).httpStatusCode, 503);
  await run(c, c.healthChecks.insert(hc("c")));
  t.is(h.hits, 1);
  const custom = fake.inject.fail({ when: (call) => call.path.endsWith("/healthChecks/a") && call.verb === "DELETE" }, 403, "forbidden", "Required 'compute.healthChecks.delete' permission");
  const f = await failure(c.healthChecks.delete({ project: PROJECT, healthCheck: "a" }));
  t.is(f.httpStatusCode, 403);
  t.is(f.reason, "forbidden");
  t.is(custom.hits, 1);
});

test.serial("call log: method ids, mutating flags, counters and marks", async (t) => {
  await run(c, c.healthChecks.insert(hc("x")));
  await c.healthChecks.get({ project: PROJECT, healthCheck: "x" });
  await c.healthChecks.list({ project: PROJECT });
  const mark = fake.calls.mark();
  // a "no-op reconcile": reads only
  await c.healthChecks.get({ project: PROJECT, healthCheck: "x" });
  await c.healthChecks.list({ project: PROJECT });
  t.is(fake.calls.mutating(mark), 0);
  t.is(fake.calls.count({ since: mark }), 2);
  await run(c, c.healthChecks.patch({ project: PROJECT, healthCheck: "x", healthCheckResource: { checkIntervalSec: 7 } }));
  t.is(fake.calls.mutating(mark), 1);
  t.deepEqual(fake.calls.byMethod({ mutating: true }), { "compute.healthChecks.insert": 1, "compute.healthChecks.patch": 1 });
  t.deepEqual(fake.calls.byMethod({ mutating: false }), { "compute.healthChecks.get": 2, "compute.healthChecks.list": 2 });
  const unknown = await fetch(`${fake.url}/compute/v1/projects/${PROJECT}/global/backendBuckets`);
  t.is(unknown.status, 404);
  t.is(fake.calls.count({ method: "unknown" }), 1);
});

test.serial("a lost response: the change happened; a retry with the same requestId gets the same operation, not 409", async (t) => {
  fake.inject.dropResponse({ method: "healthChecks.insert" });
  const requestId = randomUUID();
  const f = await failure(c.healthChecks.insert({ ...hc("lost"), requestId }));
  t.is(f.code, CODE.UNAVAILABLE);
  t.is(fake.state.resources("healthChecks").length, 1, "the insert took effect");
  const [lro] = await c.healthChecks.insert({ ...hc("lost"), requestId });
  const done = await waitDone(c, lro.latestResponse as unknown as { name: string });
  t.falsy(done.error);
  t.deepEqual(fake.calls.list({ method: "healthChecks.insert" }).map((x) => [x.injected, x.replayed]), [
    ["dropResponse", false],
    [undefined, true],
  ]);
  // without the requestId the retry is a new insert: 409
  t.is((await failure(c.healthChecks.insert(hc("lost")))).httpStatusCode, 409);
});

test.serial("subscribe: a listener sees every answered call (e.g. to stop the process under test after its k-th mutation)", async (t) => {
  const seen: string[] = [];
  const off = fake.calls.subscribe((call) => {
    if (call.mutating) seen.push(`${call.method} ${call.status}`);
  });
  await run(c, c.healthChecks.insert(hc("s1")));
  await c.healthChecks.get({ project: PROJECT, healthCheck: "s1" });
  await run(c, c.healthChecks.delete({ project: PROJECT, healthCheck: "s1" }));
  off();
  await run(c, c.healthChecks.insert(hc("s2")));
  t.deepEqual(seen, ["compute.healthChecks.insert 200", "compute.healthChecks.delete 200"]);
});
