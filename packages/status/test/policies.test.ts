import test from "ava";
import { cond } from "@gatehouse/model";
import { computeStatuses, type StatusCondition } from "../src/index.js";
import { OURS, T0, T1, graph, policy } from "./fixtures.js";

type Ancestor = { ancestorRef: Record<string, unknown>; controllerName: string; conditions: StatusCondition[] };

const ok = [cond("Accepted", true, "Accepted", "policy accepted"), cond("ResolvedRefs", true, "ResolvedRefs", "")];
const theirs = { ancestorRef: { name: "eg", namespace: "infra" }, controllerName: "gateway.envoyproxy.io/gatewayclass-controller", conditions: [] };

test("BackendTLSPolicy: one ancestor per Gateway of ours, sorted; other controllers' kept first in place", (t) => {
  const stale = { ancestorRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name: "old", namespace: "infra" }, controllerName: OURS, conditions: [] };
  const node = policy([
    { gatewayKey: "infra/b", controllerName: OURS, conditions: ok },
    { gatewayKey: "infra/a", controllerName: OURS, conditions: ok },
  ], { ancestors: [theirs, stale] });
  const [u] = computeStatuses({ graph: graph({ backendTLSPolicies: [node] }), results: [], now: T0 });
  t.is(u!.kind, "BackendTLSPolicy");
  t.deepEqual([u!.namespace, u!.name, u!.generation], ["app", "tls", 2]);
  const as = (u!.status as { ancestors: Ancestor[] }).ancestors;
  t.is(as[0], theirs as unknown as Ancestor);
  t.deepEqual(as.slice(1).map((a) => a.ancestorRef), [
    { group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "infra", name: "a" },
    { group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "infra", name: "b" },
  ]);
  t.deepEqual(as[1]!.conditions[0], { type: "Accepted", status: "True", observedGeneration: 2, lastTransitionTime: T0, reason: "Accepted", message: "policy accepted" });
});

test("BackendTLSPolicy: transition time kept for an existing ancestor", (t) => {
  const first = computeStatuses({ graph: graph({ backendTLSPolicies: [policy([{ gatewayKey: "infra/a", controllerName: OURS, conditions: ok }])] }), results: [], now: T0 });
  const again = computeStatuses({ graph: graph({ backendTLSPolicies: [policy([{ gatewayKey: "infra/a", controllerName: OURS, conditions: ok }], first[0]!.status)] }), results: [], now: T1 });
  t.deepEqual(again[0]!.status, first[0]!.status);
  const flipped = [cond("Accepted", false, "Conflicted", "older policy wins"), ok[1]!];
  const third = computeStatuses({ graph: graph({ backendTLSPolicies: [policy([{ gatewayKey: "infra/a", controllerName: OURS, conditions: flipped }], first[0]!.status)] }), results: [], now: T1 });
  const cs = (third[0]!.status as { ancestors: Ancestor[] }).ancestors[0]!.conditions;
  t.deepEqual(cs.map((c) => c.lastTransitionTime), [T1, T0]);
});

test("BackendTLSPolicy: ancestors capped at 16, other controllers never dropped", (t) => {
  const others = Array.from({ length: 10 }, (_, i) => ({ ...theirs, ancestorRef: { name: `o${i}` } }));
  const ours = Array.from({ length: 10 }, (_, i) => ({ gatewayKey: `infra/g${String(i).padStart(2, "0")}`, controllerName: OURS, conditions: ok }));
  const [u] = computeStatuses({ graph: graph({ backendTLSPolicies: [policy(ours, { ancestors: others })] }), results: [], now: T0 });
  const as = (u!.status as { ancestors: Ancestor[] }).ancestors;
  t.is(as.length, 16);
  t.deepEqual(as.slice(0, 10), others as never);
  t.is(as[15]!.ancestorRef.name, "g05");
});
