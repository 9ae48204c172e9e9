// Crash test: stop the provider after its k-th mutating call (for every k of a clean run),
// start a new instance with empty memory, converge: the fake must hold exactly what a clean
// run leaves (no leaked or duplicate resource), and finalizing every Gateway leaves nothing.
import test from "ava";
import type { FakeCompute } from "@gatehouse/fake-gcp";
import type { DesiredState } from "@gatehouse/ir";
import { backend, classes, converge, desiredOf, gateway, normalized, provider, route, service, startFake } from "./fixture.js";

let fake: FakeCompute;
test.before(async () => { fake = await startFake(4); });
test.after.always(async () => { await fake.close(); });

class Crash extends Error {}

function scenario(): DesiredState {
  const objects: unknown[] = [...classes(), gateway("web"), gateway("other")];
  for (const s of ["a", "b", "c"]) objects.push(...service(s, 3));
  objects.push(
    route("one", "web", [{ matches: [{ path: { type: "PathPrefix", value: "/a" } }], backendRefs: [backend("a", 3), backend("b", 1)] }]),
    route("two", "web", [{ matches: [{ path: { type: "PathPrefix", value: "/b" } }],
      filters: [{ type: "RequestMirror", requestMirror: { backendRef: backend("c") } }], backendRefs: [backend("b")] }], { hostnames: ["b.example.com"] }),
    route("three", "other", [{ backendRefs: [backend("c")] }]),
  );
  return desiredOf(objects);
}

function state(): { resources: unknown; endpoints: Record<string, unknown> } {
  const endpoints: Record<string, unknown> = {};
  for (const p of fake.state.paths()) if (p.includes("/networkEndpointGroups/")) endpoints[p] = fake.state.endpoints(p);
  return { resources: normalized(fake), endpoints };
}

test.serial("crash after every k-th mutation, restart, converge: same state as a clean run; then delete leaves nothing", async (t) => {
  const desired = scenario();
  fake.reset();
  const clean = provider(fake);
  await converge(clean, desired);
  await clean.close();
  const want = state();
  const total = fake.calls.mutating();
  t.true(total > 20, `only ${total} mutations`);

  for (let k = 1; k <= total; k++) {
    fake.reset();
    // Most runs with operations DONE at once (fast); every third with operations still
    // running when the process stops, so the restart meets in-flight inserts and deletes.
    fake.state.operations.delayMs = k % 3 === 0 ? 3 : 0;
    let armed = true;
    const p1 = provider(fake, { afterMutation: (_m, n) => { if (armed && n >= k) { armed = false; throw new Crash(`crash after mutation ${k}`); } } });
    await t.throwsAsync(() => converge(p1, desired), { instanceOf: Crash }, `k=${k}`);
    await p1.close();
    const p2 = provider(fake);
    const res = await converge(p2, desired);
    for (const g of res.gateways) t.true(g.programmed, `k=${k}: ${g.key}: ${g.message}`);
    t.deepEqual(state(), want, `k=${k}: state differs from a clean run`);
    const mark = fake.calls.mark();
    await converge(p2, desired);
    t.is(fake.calls.mutating(mark), 0, `k=${k}: a second reconcile mutates`);
    if (k === total || k % 7 === 0) {
      for (const g of ["web", "other"]) {
        const fin = await p2.finalize({ kind: "Gateway", namespace: "default", name: g });
        t.true(fin.done, `k=${k}: ${fin.message}`);
      }
      t.deepEqual(fake.state.paths(), [], `k=${k}: resources left after finalize`);
    }
    await p2.close();
    t.deepEqual(fake.internalErrors, []);
  }
});
