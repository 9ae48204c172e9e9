// Injected faults (throttling, 5xx, lost responses, hangs past the SDK timeout, connection
// resets) and Lattice's async states: the provider converges to the same state as without
// them, reports Pending while something is in progress, honours DRAINING targets.
import test from "ava";
import {
  converge, defaultConfigYaml, desiredOf, docs, fake, gateway, gatewayClass, httpRoute, normalized, provider, service, simpleRule,
} from "./fixtures.js";
import { TAG } from "../src/tags.js";

const world = (ips = ["10.0.0.1", "10.0.0.2"]) => docs(
  gatewayClass(), defaultConfigYaml(), gateway("gw"), service("web", ips), service("api", ["10.0.1.1"]),
  httpRoute("web", "gw", `${simpleRule("/", "web")}\n${simpleRule("/api", "api")}`, ["web.example.com"]),
  httpRoute("other", "gw", simpleRule("/", "api")),
);

async function cleanState(): Promise<unknown> {
  const lattice = await fake();
  const p = provider(lattice);
  await converge(p, desiredOf(world()));
  await p.close();
  const s = normalized(lattice);
  await lattice.close();
  return s;
}

test("throttling, 5xx, lost responses, hangs and resets: retried, same final state, no duplicates", async (t) => {
  const clean = await cleanState();
  const lattice = await fake();
  t.teardown(() => lattice.close());
  const p = provider(lattice, { requestTimeoutMs: 300 });
  t.teardown(() => p.close());
  const h = [
    lattice.inject.add({ mutating: true, skip: 1, times: 3, fault: { kind: "throttle", retryAfterSeconds: 0 } }),
    lattice.inject.add({ operation: "CreateService", times: 1, when: "after", fault: { kind: "internal" } }),
    lattice.inject.add({ operation: "CreateTargetGroup", skip: 1, times: 1, when: "after", fault: { kind: "unavailable" } }),
    lattice.inject.add({ operation: "CreateRule", skip: 2, times: 1, when: "after", fault: { kind: "reset" } }),
    lattice.inject.add({ operation: "CreateListener", times: 1, fault: { kind: "hang" } }),
    lattice.inject.add({ operation: "RegisterTargets", times: 1, when: "after", fault: { kind: "internal" } }),
    lattice.inject.add({ operation: "GetServiceNetwork", times: 2, fault: { kind: "throttle" } }),
  ];
  const r = await converge(p, desiredOf(world()));
  h.forEach((x, i) => t.true(x.hits > 0, `fault ${i} fired`));
  t.like(r.gateways[0], { programmed: true });
  t.true(r.routes.every((x) => x.error === undefined), JSON.stringify(r.routes.map((x) => x.error)));
  t.deepEqual(normalized(lattice), clean);
  t.deepEqual((await p.plan(desiredOf(world()))).changes, []);
  // What the operator's metrics read: every attempt by result, and the retries.
  const stats = p.stats();
  const count = (op: string, result: string) => stats.apiCalls.find((c) => c.operation === op && c.result === result)?.count ?? 0;
  t.is(count("GetServiceNetwork", "throttled"), 2);
  t.true(count("GetServiceNetwork", "success") >= 1);
  t.is(stats.apiCalls.filter((c) => c.result === "throttled").reduce((n, c) => n + c.count, 0), 5, "3 mutating + 2 GetServiceNetwork throttles");
  t.true(count("CreateService", "error") >= 1, "the lost CreateService response counts as an error");
  t.true(stats.retries >= 9, `retries ${stats.retries}`);
});

test("an error that is not transient is reported on the route (no secrets), the rest is programmed", async (t) => {
  const lattice = await fake();
  t.teardown(() => lattice.close());
  const p = provider(lattice);
  t.teardown(() => p.close());
  lattice.inject.add({ operation: "CreateService", times: 1, fault: { kind: "error", status: 402, code: "ServiceQuotaExceededException", message: "You have reached the quota of 500 services." } });
  const r = await converge(p, desiredOf(world()));
  const failed = r.routes.filter((x) => x.error);
  t.is(failed.length, 1);
  t.like(failed[0]!.error, { reason: "Invalid" });
  t.regex(failed[0]!.error!.message, /ServiceQuotaExceededException: You have reached the quota/);
  t.notRegex(failed[0]!.error!.message, /fake|secret/i);
  t.like(r.gateways[0], { programmed: true });
  // Next reconcile: it goes through.
  const again = await converge(p, desiredOf(world()));
  t.true(again.routes.every((x) => x.error === undefined));
});

test("in-progress states: Pending with a message, then programmed once Lattice is done", async (t) => {
  const lattice = await fake({ clock: "manual", delays: { serviceCreate: 1000, targetGroupCreate: 500, vpcAssociationCreate: 2000, serviceAssociationCreate: 1000, serviceDelete: 1000, serviceAssociationDelete: 1000, targetGroupDelete: 500, vpcAssociationDelete: 2000, targetHealthCheck: 1000, targetDrain: 300_000 } });
  t.teardown(() => lattice.close());
  const p = provider(lattice, { waitMs: 50, pollMs: 10 });
  t.teardown(() => p.close());
  const r1 = await converge(p, desiredOf(world()));
  t.like(r1.gateways[0], { programmed: false, reason: "Pending" });
  t.regex(r1.gateways[0]!.message, /VPC association .* is CREATE_IN_PROGRESS; will retry/);
  t.true(r1.routes.every((x) => x.error?.reason === "Pending"));
  t.is(r1.requeueAfterMs, 5000, "asks to be called again");
  for (let i = 0; i < 5; i++) {
    lattice.advance(2000);
    const r = await converge(p, desiredOf(world()));
    if (r.gateways[0]!.programmed && r.routes.every((x) => !x.error)) break;
  }
  t.deepEqual((await p.plan(desiredOf(world()))).changes, []);
  t.like(lattice.state.counts(), { service: 2, serviceAssociation: 2, rule: 4, targetGroup: 3 });

  // An endpoint goes: it drains (300 s); it comes back while draining: registered again.
  await converge(p, desiredOf(world(["10.0.0.1"])));
  const tgOf = () => lattice.state.snapshot().targetGroups.find((g) => String(g["name"]).includes("-web-"))!["id"] as string;
  const statusOf = () => Object.fromEntries((lattice.state.snapshot().targets[tgOf()] ?? []).map((x) => [x["id"], x["status"]]));
  t.is(statusOf()["10.0.0.2"], "DRAINING");
  lattice.calls.clear();
  await converge(p, desiredOf(world(["10.0.0.1"])));
  t.is(lattice.calls.count({ mutating: true }), 0, "a draining target is left to drain");
  await converge(p, desiredOf(world()));
  t.not(statusOf()["10.0.0.2"], "DRAINING");
  t.deepEqual(lattice.calls.counters({ mutating: true }), { RegisterTargets: 1 });

  // Finalize waits for the association's deletion.
  const f1 = await p.finalize({ kind: "HTTPRoute", namespace: "default", name: "other" });
  t.false(f1.done);
  t.regex(f1.message, /DELETE_IN_PROGRESS|being deleted/);
  lattice.advance(5000);
  const f2 = await p.finalize({ kind: "HTTPRoute", namespace: "default", name: "other" });
  t.true(f2.done, f2.message);
  for (const r of ["web"]) {
    for (let i = 0; i < 5; i++) {
      const f = await p.finalize({ kind: "HTTPRoute", namespace: "default", name: r });
      if (f.done) break;
      lattice.advance(5000);
    }
  }
  for (let i = 0; i < 5; i++) {
    const f = await p.finalize({ kind: "Gateway", namespace: "default", name: "gw" });
    if (f.done) break;
    lattice.advance(5000);
  }
  lattice.state.settle();
  t.true(lattice.state.isEmpty({ key: TAG.cluster }));
});
