import test from "ava";
import type { FakeCompute } from "@gatehouse/fake-gcp";
import { converge, desiredOf, manyRoutes, provider, startFake } from "./fixture.js";

let fake: FakeCompute;
test.before(async () => { fake = await startFake(1); });
test.after.always(async () => { await fake.close(); });
test.beforeEach(() => fake.reset());

test.serial("a Gateway with routes becomes a programmed global external load balancer", async (t) => {
  const p = provider(fake);
  const desired = desiredOf(manyRoutes(3));
  const res = await converge(p, desired);
  t.deepEqual(fake.internalErrors, []);
  const gw = res.gateways[0]!;
  t.true(gw.programmed, gw.message);
  t.regex(gw.addresses[0]?.value ?? "", /^34\.120\./);
  t.truthy(gw.annotations?.["gatehouse.dev/url-maps"]);
  t.log(fake.state.paths());
  const counts = p.callCounts();
  t.log(counts);
  // a no-op reconcile: no mutation
  const before = fake.calls.mark();
  const again = await converge(p, desired);
  t.true(again.gateways[0]!.programmed);
  t.is(fake.calls.mutating(before), 0);
  await p.close();
});
