import test from "ava";
import { cond } from "@gatehouse/model";
import type { ProviderResults } from "@gatehouse/provider-api";
import { computeStatuses, type StatusCondition, type StatusUpdate } from "../src/index.js";
import { OURS, T0, T1, graph, parent, route } from "./fixtures.js";

type Parent = { parentRef: Record<string, unknown>; controllerName: string; conditions: StatusCondition[] };

function parentsOf(u: StatusUpdate | undefined): Parent[] {
  return (u!.status as { parents: Parent[] }).parents;
}

const other1 = { parentRef: { name: "mesh", kind: "Service", group: "" }, controllerName: "istio.io/mesh", conditions: [{ type: "Accepted", status: "True" }] };
const other2 = { parentRef: { name: "theirs", namespace: "x" }, controllerName: "example.net/gw", conditions: [] };

test("route: one entry per parent with parentRef as the user wrote it", (t) => {
  const r = route([parent(0, "gw"), parent(1, "gw2", { sectionName: "https" })], {
    parentRefs: [{ name: "gw", namespace: "infra" }, { group: "gateway.networking.k8s.io", kind: "Gateway", name: "gw2", namespace: "infra", sectionName: "https" }],
  });
  const ps = parentsOf(computeStatuses({ graph: graph({ routes: [r] }), results: [], now: T0 })[0]);
  t.deepEqual(ps.map((p) => p.parentRef), [
    { namespace: "infra", name: "gw" },
    { group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "infra", name: "gw2", sectionName: "https" },
  ]);
  t.true(ps.every((p) => p.controllerName === OURS));
  t.deepEqual(ps[0]!.conditions, [
    { type: "Accepted", status: "True", observedGeneration: 4, lastTransitionTime: T0, reason: "Accepted", message: "ok" },
    { type: "ResolvedRefs", status: "True", observedGeneration: 4, lastTransitionTime: T0, reason: "ResolvedRefs", message: "ok" },
  ]);
});

test("route: other controllers' entries kept untouched and in order; ours replaced in place; stale ours removed", (t) => {
  const oldOurs = {
    parentRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name: "gw", namespace: "infra" }, controllerName: OURS,
    conditions: [{ type: "Accepted", status: "True", lastTransitionTime: "2020-01-01T00:00:00Z", reason: "Accepted", message: "", observedGeneration: 1 },
      { type: "ResolvedRefs", status: "False", lastTransitionTime: "2020-01-01T00:00:00Z", reason: "BackendNotFound", message: "" }],
  };
  const stale = { parentRef: { name: "gone", namespace: "infra" }, controllerName: OURS, conditions: [] };
  const status = { parents: [other1, stale, oldOurs, other2] };
  // spec now names gw (old entry spelled with group/kind) and a new Gateway
  const r = route([parent(0, "gw"), parent(1, "new")], {
    parentRefs: [{ name: "gw", namespace: "infra" }, { name: "new", namespace: "infra" }],
  }, status);
  const ps = parentsOf(computeStatuses({ graph: graph({ routes: [r] }), results: [], now: T1 })[0]);
  t.is(ps.length, 4);
  t.is(ps[0], other1 as unknown as Parent, "other entries are the same objects, untouched");
  t.deepEqual(ps[1]!.parentRef, { namespace: "infra", name: "gw" }, "ours replaced at its old position");
  t.is(ps[2], other2 as unknown as Parent);
  t.deepEqual(ps[3]!.parentRef, { namespace: "infra", name: "new" }, "new ones appended");
  t.false(ps.some((p) => p.parentRef.name === "gone"), "stale entry of ours removed");
  // matched despite different spelling of the ref (defaults): times carried per condition
  const [acc, rr] = ps[1]!.conditions;
  t.is(acc!.lastTransitionTime, "2020-01-01T00:00:00Z");
  t.is(acc!.observedGeneration, 4);
  t.is(rr!.lastTransitionTime, T1, "ResolvedRefs changed False → True");
  t.true(ps[3]!.conditions.every((c) => c.lastTransitionTime === T1));
});

test("route: provider error on a parent turns Accepted False with its reason; the other parent is unaffected", (t) => {
  const r = route([parent(0, "gw"), parent(1, "gw2")], { parentRefs: [{ name: "gw", namespace: "infra" }, { name: "gw2", namespace: "infra" }] });
  const results: ProviderResults[] = [{
    controllerName: OURS, gateways: [],
    routes: [{ route: "httproute/app/web", gatewayKey: "infra/gw2", error: { reason: "NoResources", message: "target group limit" } },
      { route: "httproute/app/web", gatewayKey: "infra/gw" }],
  }];
  const ps = parentsOf(computeStatuses({ graph: graph({ routes: [r] }), results, now: T0 })[0]);
  t.is(ps[0]!.conditions[0]!.status, "True");
  const acc = ps[1]!.conditions.find((c) => c.type === "Accepted")!;
  t.deepEqual([acc.status, acc.reason], ["False", "NoResources"]);
  t.regex(acc.message, /target group limit/);
  t.deepEqual(ps[1]!.conditions.map((c) => c.type), ["Accepted", "ResolvedRefs"], "order stable");
});

test("route: a parent the graph rejected keeps the graph's reason over a provider error", (t) => {
  const p = parent(0, "gw", { conditions: [cond("Accepted", false, "NotAllowedByListeners", "ns not allowed"), cond("ResolvedRefs", true, "ResolvedRefs", "")] });
  const r = route([p], { parentRefs: [{ name: "gw", namespace: "infra" }] });
  const results: ProviderResults[] = [{ controllerName: OURS, gateways: [], routes: [{ route: "httproute/app/web", gatewayKey: "infra/gw", error: { reason: "X", message: "y" } }] }];
  const acc = parentsOf(computeStatuses({ graph: graph({ routes: [r] }), results, now: T0 })[0])[0]!.conditions[0]!;
  t.deepEqual([acc.reason, acc.message], ["NotAllowedByListeners", "ns not allowed"]);
});

test("route: garbage in the existing status never throws and non-object entries are kept", (t) => {
  for (const status of [null, 5, "x", { parents: "nope" }, { parents: [null, 3, { controllerName: OURS }, { controllerName: OURS, parentRef: 7 }] }]) {
    const r = route([parent(0, "gw")], { parentRefs: [{ name: "gw", namespace: "infra" }] }, status);
    const ps = parentsOf(computeStatuses({ graph: graph({ routes: [r] }), results: [], now: T0 })[0]);
    t.is(ps.filter((p) => p && typeof p === "object" && (p as Parent).controllerName === OURS && (p as Parent).parentRef?.name === "gw").length, 1);
  }
  const r = route([parent(0, "gw")], { parentRefs: [{ name: "gw", namespace: "infra" }] }, { parents: [null, 3] });
  t.deepEqual(parentsOf(computeStatuses({ graph: graph({ routes: [r] }), results: [], now: T0 })[0]).slice(0, 2), [null, 3] as never);
});

test("route: unreadable spec parentRef falls back to the normalized ref", (t) => {
  const r = route([parent(0, "gw")], { parentRefs: ["garbage"] });
  const ps = parentsOf(computeStatuses({ graph: graph({ routes: [r] }), results: [], now: T0 })[0]);
  t.deepEqual(ps[0]!.parentRef, { group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "infra", name: "gw" });
});
