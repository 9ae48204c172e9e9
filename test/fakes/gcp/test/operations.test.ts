import test from "ava";
import { randomUUID } from "node:crypto";
import { type FakeCompute, startFakeCompute } from "../src/index.js";
import { CODE, type Clients, PROJECT, REGION, ZONE, clients, closeAll, failure, run, waitDone } from "./helpers.js";

let fake: FakeCompute;
let c: Clients;

test.before(async () => {
  fake = await startFakeCompute({ project: PROJECT, host: "127.41.0.2", waitTimeoutMs: 100, quotas: { URL_MAPS: 1 } });
  c = clients(fake);
});

test.after.always(async () => {
  await closeAll(c);
  await fake.close();
});

test.afterEach.always(() => {
  fake.reset();
  fake.state.operations.delayMs = 10;
});

const hc = (name: string) => ({ project: PROJECT, healthCheckResource: { name, type: "HTTP" } });

test.serial("operations go PENDING → RUNNING → DONE; wait returns before DONE when the operation is slow, so the caller loops", async (t) => {
  fake.state.operations.hold(); // "slow": nothing completes until released
  const [lro] = await c.healthChecks.insert(hc("slow"));
  const first = lro.latestResponse as unknown as { name: string; status: string; operationType: string; targetLink: string; targetId: string };
  t.is(first.status, "PENDING");
  t.is(first.operationType, "insert");
  t.true(first.targetLink.endsWith(`/projects/${PROJECT}/global/healthChecks/slow`));
  // not there until the operation completes
  t.is((await failure(c.healthChecks.get({ project: PROJECT, healthCheck: "slow" }))).code, CODE.NOT_FOUND);
  const [w1] = await c.globalOperations.wait({ project: PROJECT, operation: first.name });
  t.is(w1.status, "RUNNING", "wait returned at its limit, before DONE");
  const [w2] = await c.globalOperations.wait({ project: PROJECT, operation: first.name });
  t.is(w2.status, "RUNNING");
  fake.state.operations.release();
  const done = await waitDone(c, w2);
  t.is(done.status, "DONE");
  const [got] = await c.globalOperations.get({ project: PROJECT, operation: first.name });
  t.is(got.status, "DONE");
  t.is(got.progress, 100);
  t.truthy(got.endTime);
  // the client's LRO handle carries the numeric id as its name; get/wait accept it too
  t.is(String(lro.name), String(got.id));
  const [byId] = await c.globalOperations.wait({ project: PROJECT, operation: String(got.id) });
  t.is(byId.name, first.name);
  const [hcr] = await c.healthChecks.get({ project: PROJECT, healthCheck: "slow" });
  t.is(String(hcr.id), String(got.targetId));
});

test.serial("with a delay, operations complete on their own and wait blocks until DONE", async (t) => {
  fake.state.operations.delayMs = 50; // < waitTimeoutMs (100)
  const [lro] = await c.healthChecks.insert(hc("timed"));
  const op = lro.latestResponse as unknown as { name: string };
  let status: unknown;
  for (let i = 0; i < 50 && status !== "DONE"; i++) [{ status }] = await c.globalOperations.wait({ project: PROJECT, operation: op.name });
  t.is(status, "DONE");
  t.truthy(fake.state.get("global/healthChecks/timed"));
});

test.serial("regional and zonal mutations return regional and zonal operations", async (t) => {
  const [r] = await c.regionHealthChecks.insert({ project: PROJECT, region: REGION, healthCheckResource: { name: "rhc", type: "TCP" } });
  const rop = r.latestResponse as unknown as { region?: string; zone?: string; selfLink: string };
  t.true(rop.region?.endsWith(`/regions/${REGION}`));
  t.true(rop.selfLink.includes(`/regions/${REGION}/operations/`));
  await waitDone(c, rop);
  const [z] = await c.negs.insert({ project: PROJECT, zone: ZONE, networkEndpointGroupResource: { name: "zneg", defaultPort: 80 } });
  const zop = z.latestResponse as unknown as { zone?: string; selfLink: string };
  t.true(zop.zone?.endsWith(`/zones/${ZONE}`));
  t.true(zop.selfLink.includes(`/zones/${ZONE}/operations/`));
  t.is((await waitDone(c, zop)).status, "DONE");
  // an operation is only found in its own scope
  const name = String((z.latestResponse as unknown as { name: string }).name);
  t.is((await failure(c.globalOperations.get({ project: PROJECT, operation: name }))).code, CODE.NOT_FOUND);
});

test.serial("a second mutation of a resource whose operation is still running gets 400 resourceNotReady", async (t) => {
  fake.state.operations.hold();
  const [lro] = await c.healthChecks.insert(hc("busy"));
  // referencing it while it is being created
  const f = await failure(c.backendServices.insert({ project: PROJECT, backendServiceResource: { name: "bs", healthChecks: ["global/healthChecks/busy"] } }));
  t.is(f.httpStatusCode, 400);
  t.is(f.reason, "resourceNotReady");
  // inserting it again
  t.is((await failure(c.healthChecks.insert(hc("busy")))).httpStatusCode, 409);
  t.is(fake.state.operations.pending(), 1);
  fake.state.operations.release();
  await waitDone(c, lro.latestResponse as unknown as { name: string });
  await run(c, c.healthChecks.patch({ project: PROJECT, healthCheck: "busy", healthCheckResource: { checkIntervalSec: 10 } }));
  fake.state.operations.hold();
  await c.healthChecks.patch({ project: PROJECT, healthCheck: "busy", healthCheckResource: { timeoutSec: 2 } });
  const f2 = await failure(c.healthChecks.delete({ project: PROJECT, healthCheck: "busy" }));
  t.is(f2.reason, "resourceNotReady");
  t.is(fake.state.operations.completeAll(), 1);
  fake.state.operations.release();
  const [got] = await c.healthChecks.get({ project: PROJECT, healthCheck: "busy" });
  t.is(got.checkIntervalSec, 10);
  t.is(got.timeoutSec, 2);
});

test.serial("requestId: the same id returns the same operation and makes no second change", async (t) => {
  const requestId = randomUUID();
  const [a] = await c.healthChecks.insert({ ...hc("idem"), requestId });
  const [b] = await c.healthChecks.insert({ ...hc("idem"), requestId });
  const opA = a.latestResponse as unknown as { name: string };
  const opB = b.latestResponse as unknown as { name: string; error?: unknown };
  t.is(opB.name, opA.name);
  const done = await waitDone(c, opB);
  t.falsy(done.error, "the retry did not fail with 409");
  // after DONE, a retry still answers with the same (DONE) operation
  const [again] = await c.healthChecks.insert({ ...hc("idem"), requestId });
  t.is((again.latestResponse as unknown as { name: string; status: string }).name, opA.name);
  t.is((again.latestResponse as unknown as { status: string }).status, "DONE");
  t.is(fake.state.resources("healthChecks").length, 1);
  const inserts = fake.calls.list({ method: "healthChecks.insert" });
  t.deepEqual(inserts.map((x) => x.replayed), [false, true, true]);
  t.is(fake.calls.mutating(), 3, "every insert call is still counted as a mutating call");
  // a different id for the same name is a new request: 409
  t.is((await failure(c.healthChecks.insert({ ...hc("idem"), requestId: randomUUID() }))).httpStatusCode, 409);
  // requestId must be a UUID
  const bad = await failure(c.healthChecks.insert({ ...hc("idem2"), requestId: "not-a-uuid" }));
  t.is(bad.httpStatusCode, 400);
  t.regex(bad.message, /valid UUID/);
});

test.serial("requestId makes a retried delete safe", async (t) => {
  await run(c, c.healthChecks.insert(hc("gone")));
  const requestId = randomUUID();
  await run(c, c.healthChecks.delete({ project: PROJECT, healthCheck: "gone", requestId }));
  // a retry after the first call's response was lost: same operation, no 404
  const done = await run(c, c.healthChecks.delete({ project: PROJECT, healthCheck: "gone", requestId }));
  t.is(done.status, "DONE");
  t.is((await failure(c.healthChecks.delete({ project: PROJECT, healthCheck: "gone" }))).code, CODE.NOT_FOUND);
});

test.serial("quota: an insert beyond the limit ends DONE with QUOTA_EXCEEDED in error.errors[] and creates nothing", async (t) => {
  await run(c, c.backendServices.insert({ project: PROJECT, backendServiceResource: { name: "q-bs" } }));
  await run(c, c.urlMaps.insert({ project: PROJECT, urlMapResource: { name: "q-um1", defaultService: "global/backendServices/q-bs" } }));
  const [lro] = await c.urlMaps.insert({ project: PROJECT, urlMapResource: { name: "q-um2", defaultService: "global/backendServices/q-bs" } });
  const done = await waitDone(c, lro.latestResponse as unknown as { name: string });
  const err = done.error as { errors: Array<{ code: string; message: string }> };
  t.is(err.errors[0]?.code, "QUOTA_EXCEEDED");
  t.regex(err.errors[0]!.message, /Quota 'URL_MAPS' exceeded/);
  const [op] = await c.globalOperations.get({ project: PROJECT, operation: String(done.name) });
  t.is(op.httpErrorStatusCode, 403);
  t.is((await failure(c.urlMaps.get({ project: PROJECT, urlMap: "q-um2" }))).code, CODE.NOT_FOUND);
});

test.serial("injected QUOTA_EXCEEDED on one operation", async (t) => {
  const h = fake.inject.quotaExceeded({ method: "backendServices.insert" }, { metric: "BACKEND_SERVICES", limit: 5 });
  const [lro] = await c.backendServices.insert({ project: PROJECT, backendServiceResource: { name: "inj-bs" } });
  const done = await waitDone(c, lro.latestResponse as unknown as { name: string });
  t.is((done.error as { errors: Array<{ code: string }> }).errors[0]?.code, "QUOTA_EXCEEDED");
  t.is(h.hits, 1);
  t.deepEqual(fake.state.resources("backendServices"), []);
  // the rule was used up: the retry succeeds
  await run(c, c.backendServices.insert({ project: PROJECT, backendServiceResource: { name: "inj-bs" } }));
  t.is(fake.state.resources("backendServices").length, 1);
});

test.serial("operations.list pages through operations", async (t) => {
  for (const n of ["l1", "l2", "l3"]) await run(c, c.healthChecks.insert(hc(n)));
  const names: string[] = [];
  for await (const op of c.globalOperations.listAsync({ project: PROJECT, maxResults: 2 })) names.push(String(op.operationType));
  t.deepEqual(names, ["insert", "insert", "insert"]);
});
