import test from "ava";
import compute from "@google-cloud/compute";
import type { FakeCompute } from "@gatehouse/fake-gcp";
import { PROJECT, converge, desiredOf, manyRoutes, normalized, provider, startFake } from "./fixture.js";

let fake: FakeCompute;
test.before(async () => { fake = await startFake(3); });
test.after.always(async () => { await fake.close(); });
test.beforeEach(() => fake.reset());

async function cleanRun(objects: unknown[]): Promise<unknown> {
  fake.reset();
  const p = provider(fake);
  await converge(p, desiredOf(objects));
  await p.close();
  const s = normalized(fake);
  fake.reset();
  return s;
}

test.serial("429s, 500s, 503s, a hung call and a lost response: converges to the clean result", async (t) => {
  const objects = manyRoutes(3);
  const clean = await cleanRun(objects);
  fake.inject.rateLimit({ mutating: true }, 3);
  fake.inject.add({ mutating: true, skip: 4, times: 2, fault: { kind: "http", status: 503 } });
  fake.inject.add({ method: /\.get$/, skip: 3, times: 2, fault: { kind: "http", status: 500 } });
  fake.inject.add({ method: /urlMaps\.insert/, times: 1, fault: { kind: "hang" } });
  fake.inject.add({ method: /backendServices\.insert/, skip: 1, times: 1, fault: { kind: "dropResponse" } });
  fake.inject.add({ method: /networkEndpointGroups\.attachNetworkEndpoints/, times: 1, fault: { kind: "dropResponse" } });
  const p = provider(fake, { callTimeoutMs: 400 });
  const res = await converge(p, desiredOf(objects));
  t.true(res.gateways[0]!.programmed, res.gateways[0]!.message);
  t.deepEqual(normalized(fake), clean);
  t.deepEqual(fake.internalErrors, []);
  const mark = fake.calls.mark();
  await converge(p, desiredOf(objects));
  t.is(fake.calls.mutating(mark), 0);
  const stats = p.stats();
  t.true(stats.retries >= 5);
  t.true(stats.apiCalls.some((c) => c.result === "throttled"));
  t.true(stats.apiCalls.some((c) => c.operation === "urlMaps.insert" && c.result === "success"));
  await p.close();
});

test.serial("412: the URL map changed behind our back; the update re-reads and wins", async (t) => {
  const objects = manyRoutes(2);
  const p = provider(fake);
  await converge(p, desiredOf(objects));
  // someone else patches the URL map: our remembered fingerprint is stale now
  const urlMaps = new compute.UrlMapsClient(fake.clientOptions() as never);
  const [um] = await urlMaps.get({ project: PROJECT, urlMap: "gh-default-web-80" });
  const [lro] = await urlMaps.patch({ project: PROJECT, urlMap: "gh-default-web-80", urlMapResource: { fingerprint: um.fingerprint!, headerAction: { requestHeadersToRemove: ["x-other"] } } });
  for (let i = 0; i < 50 && (await urlMaps.get({ project: PROJECT, urlMap: "gh-default-web-80" }))[0].fingerprint === um.fingerprint; i++) await new Promise((r) => setTimeout(r, 10));
  t.truthy(lro);
  const edited = manyRoutes(3);
  const mark = fake.calls.mark();
  const res = await converge(p, desiredOf(edited));
  t.true(res.gateways[0]!.programmed, res.gateways[0]!.message);
  t.true(fake.calls.list({ method: /urlMaps\.update/, since: mark }).some((c) => c.status === 412));
  // the provider's state equals a clean run of the edited scenario (the foreign headerAction is gone)
  const after = normalized(fake);
  await urlMaps.close();
  await p.close();
  t.deepEqual(after, await cleanRun(edited));
});
