// The API server restarts under a running operator: watches break and are restarted, and
// the operator converges: a change made after the restart gets its status, nothing is duplicated.
import test from "ava";
import { OPERATOR_TOKENS } from "../src/ports.js";
import type { KubeSource } from "../src/kube/source/index.js";
import {
  controllerFor, eventually, gatewayYaml, parentCondition, parents, routeYaml, serviceYaml, useOperator,
} from "./e2e-helpers.js";

const CONTROLLER = controllerFor("restart");
const env = useOperator(CONTROLLER);

test.serial("restartApiServer mid-run: the operator converges and no status entry is duplicated", async (t) => {
  const ns = await env.cp.newNamespace("restart");
  await env.kube.apply(gatewayYaml(`gc-${ns}`, CONTROLLER) + "---" + serviceYaml() + "---" + routeYaml("before"), ns);
  await env.kube.waitFor("HTTPRoute", ns, "before", (o) => parentCondition(o, CONTROLLER, "Accepted")?.status === "True", "route Accepted");
  const restartsBefore = await env.run.metrics.value("gatehouse_informer_restarts_total");

  await env.cp.restartApiServer();

  // Made after the restart: only a re-established watch can deliver it.
  await env.kube.apply(routeYaml("after", { hostname: "after.example.com" }), ns);
  const after = await env.kube.waitFor("HTTPRoute", ns, "after", (o) => parentCondition(o, CONTROLLER, "Accepted")?.status === "True",
    "route created after the restart Accepted", 120_000);
  // A spec change to the old route is picked up too.
  await env.kube.update("HTTPRoute", ns, "before", (o) => { o.spec.hostnames = ["nowhere.other.org"]; });
  const before = await env.kube.waitFor("HTTPRoute", ns, "before",
    (o) => parentCondition(o, CONTROLLER, "Accepted")?.reason === "NoMatchingListenerHostname", "old route re-evaluated", 120_000);

  t.is(parents(after, CONTROLLER).length, 1, "one entry of ours");
  t.is(parents(before, CONTROLLER).length, 1, "one entry of ours");
  t.is(before.status.parents.length, 1, "no duplicated parents");
  await env.kube.waitFor("Gateway", ns, "gw", (o) => o.status?.listeners?.[0]?.attachedRoutes === 1, "attachedRoutes counts only the accepted route");
  const gw = await env.kube.get("Gateway", ns, "gw");
  t.is(gw?.status.conditions.filter((c: { type: string }) => c.type === "Programmed").length, 1, "conditions not duplicated");
  await eventually(async () => (await env.run.metrics.value("gatehouse_informer_restarts_total")) > restartsBefore, "watch restarts counted");
  t.pass();
});

test.serial("an expired watch (410 Gone on resume from an old resourceVersion) relists and converges", async (t) => {
  const ns = await env.cp.newNamespace("expired");
  await env.kube.apply(gatewayYaml(`gc-${ns}`, CONTROLLER) + "---" + serviceYaml(), ns);
  await env.kube.waitFor("Gateway", ns, "gw", (o) => o.status?.conditions?.some((c: { type: string; status: string }) => c.type === "Programmed" && c.status === "True"), "Gateway Programmed");
  const source = env.run.container.get<KubeSource>(OPERATOR_TOKENS.Source);
  const relists = await env.run.metrics.value("gatehouse_informer_relists_total", { kind: "HTTPRoute" });
  source.pauseWatchForTest("HTTPRoute");
  await env.kube.apply(routeYaml("missed", { hostname: "missed.example.com" }), ns);
  // Resuming from resourceVersion 1, long compacted out of the watch window: the server answers 410.
  source.resumeWatchForTest("HTTPRoute", "1");
  await env.kube.waitFor("HTTPRoute", ns, "missed", (o) => parentCondition(o, CONTROLLER, "Accepted")?.status === "True", "route made while the watch was paused", 120_000);
  t.log(`HTTPRoute relists: ${relists} → ${await env.run.metrics.value("gatehouse_informer_relists_total", { kind: "HTTPRoute" })}`);
  t.true(await env.run.metrics.value("gatehouse_informer_relists_total", { kind: "HTTPRoute" }) > relists, "relisted after 410");
});
