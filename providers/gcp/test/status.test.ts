// What the GCP backend cannot express reaches the route's status through the core, on the
// exact rule: declared-unsupported features (the graph rejects them per rule) and what only
// the provider knows (regex on the global external class).
import test from "ava";
import type { FakeCompute } from "@gatehouse/fake-gcp";
import { backend, classes, converge, gateway, provider, route, run, service, startFake } from "./fixture.js";

let fake: FakeCompute;
test.before(async () => { fake = await startFake(6); });
test.after.always(async () => { await fake.close(); });

type Cond = { type: string; status: string; reason: string; message: string };
function routeConditions(statuses: { kind: string; name: string; status: Record<string, unknown> }[], name: string): Cond[] {
  const s = statuses.find((u) => u.kind === "HTTPRoute" && u.name === name);
  const parents = (s?.status["parents"] ?? []) as { conditions: Cond[] }[];
  return parents[0]?.conditions ?? [];
}

test("a port redirect (not declared) is rejected by the core on its rule", (t) => {
  const objects = [...classes(), gateway("web"), ...service("a"),
    route("redir", "web", [
      { backendRefs: [backend("a")] },
      { matches: [{ path: { type: "PathPrefix", value: "/x" } }], filters: [{ type: "RequestRedirect", requestRedirect: { port: 8443 } }] },
    ])];
  const { statuses } = run(objects);
  const partial = routeConditions(statuses, "redir").find((c) => c.type === "PartiallyInvalid")!;
  t.is(partial.status, "True");
  t.regex(partial.message, /spec\.rules\[1\]\.filters\[0\]\.requestRedirect\.port: port redirects are not supported by gatehouse\.dev\/gcp/);
});

test.serial("regex on the global external class: the provider's error lands on the route, naming the rule", async (t) => {
  const objects = [...classes(), gateway("web"), ...service("a"),
    route("re", "web", [
      { backendRefs: [backend("a")] },
      { matches: [{ headers: [{ type: "RegularExpression", name: "x-id", value: "[0-9]+" }] }], backendRefs: [backend("a")] },
    ])];
  const p = provider(fake);
  const results = await converge(p, run(objects).desired);
  await p.finalize({ kind: "Gateway", namespace: "default", name: "web" });
  await p.close();
  const { statuses } = run(objects, [results]);
  const accepted = routeConditions(statuses, "re").find((c) => c.type === "Accepted")!;
  t.is(accepted.status, "False");
  t.is(accepted.reason, "UnsupportedValue");
  t.regex(accepted.message, /httproute\/default\/re\/rule\/1\/match\/0: regular expression matches are not available on the global external/);
});
