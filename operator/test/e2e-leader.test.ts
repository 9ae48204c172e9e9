// Two operators on one control plane with short lease timings: exactly one writes status;
// when it stops (and releases the Lease) the other takes over and writes.
import test from "ava";
import { startControlPlane, type ControlPlane } from "@gatehouse/test-harness";
import {
  Kube, controllerFor, eventually, gatewayYaml, parentCondition, routeYaml, serviceYaml, startOperator, type RunningOperator,
} from "./e2e-helpers.js";

const CONTROLLER = controllerFor("leader");
let cp: ControlPlane;
let kube: Kube;
const running: RunningOperator[] = [];

test.before(async () => {
  cp = await startControlPlane();
  kube = new Kube(cp);
});

test.after.always(async () => {
  await Promise.all(running.map((r) => r.stop()));
  kube?.close();
  await cp?.stop();
});

const written = (r: RunningOperator) => r.metrics.value("gatehouse_status_writes_total", { result: "written" });

test("exactly one of two replicas writes status; the other takes over after the leader stops", async (t) => {
  const ns = await cp.newNamespace("leader");
  const lease = { leaderElect: true, leaseNamespace: ns, leaseName: "gatehouse", leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 300 };
  const [a, b] = await Promise.all([
    startOperator(cp, { ...lease, controllerNames: [CONTROLLER], identity: "replica-a" }),
    startOperator(cp, { ...lease, controllerNames: [CONTROLLER], identity: "replica-b" }),
  ]);
  running.push(a!, b!);
  await eventually(() => a!.op.elector.isLeader() || b!.op.elector.isLeader(), "a leader");
  const [leader, standby] = a!.op.elector.isLeader() ? [a!, b!] : [b!, a!];
  const holder = await kube.get("Lease", ns, "gatehouse");
  t.is(holder?.spec.holderIdentity, leader.settings.identity);

  await kube.apply(gatewayYaml(`gc-${ns}`, CONTROLLER) + "---" + serviceYaml() + "---" + routeYaml("first"), ns);
  await kube.waitFor("HTTPRoute", ns, "first", (o) => parentCondition(o, CONTROLLER, "Accepted")?.status === "True", "route Accepted");
  await standby.op.reconciler.idle();
  t.true(await written(leader) > 0, "the leader wrote");
  t.is(await written(standby), 0, "the standby wrote nothing");
  t.truthy(standby.op.reconciler.last?.graph.routes.find((r) => r.key === `${ns}/first`), "the standby computed it too");
  t.is(await standby.metrics.value("gatehouse_leader"), 0);

  const t0 = Date.now();
  await leader.stop();
  await eventually(() => standby.op.elector.isLeader(), "standby takes over", 30_000);
  t.log(`takeover after ${Date.now() - t0} ms (lease ${lease.leaseDurationMs} ms; the stopping leader released it)`);
  await kube.apply(routeYaml("second", { hostname: "second.example.com" }), ns);
  await kube.waitFor("HTTPRoute", ns, "second", (o) => parentCondition(o, CONTROLLER, "Accepted")?.status === "True", "the new leader writes");
  t.true(await written(standby) > 0);
  t.is((await kube.get("Lease", ns, "gatehouse"))?.spec.holderIdentity, standby.settings.identity);
});
