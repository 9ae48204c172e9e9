import "reflect-metadata";
import test from "ava";
import { Container } from "inversify";
import { TOKENS, emptySnapshot } from "@gatehouse/model";
import type { ProviderResults } from "@gatehouse/provider-api";
import { computeStatuses, statusChanged, statusModule, type StatusInput } from "../src/index.js";
import { OURS, T0, T1, gateway, gatewayClass, graph, parent, policy, route } from "./fixtures.js";
import { cond } from "@gatehouse/model";

const results: ProviderResults[] = [{
  controllerName: OURS,
  gateways: [{ key: "infra/gw", programmed: true, reason: "Programmed", message: "", addresses: [{ value: "10.0.0.1" }], listeners: [] }],
  routes: [],
}];

function input(now: string, statuses?: Map<string, unknown>): StatusInput {
  const s = (k: string) => statuses?.get(k);
  return {
    graph: graph({
      backendTLSPolicies: [policy([{ gatewayKey: "infra/gw", controllerName: OURS, conditions: [cond("Accepted", true, "Accepted", "")] }], s("BackendTLSPolicy/app/tls"))],
      routes: [route([parent(0, "gw")], { parentRefs: [{ name: "gw", namespace: "infra" }] }, s("HTTPRoute/app/web"))],
      gateways: [gateway({ status: s("Gateway/infra/gw") })],
      gatewayClasses: [gatewayClass(s("GatewayClass//gh"))],
    }),
    results, now,
  };
}

test("output: sorted by kind (class, gateway, routes, policies) then namespace/name", (t) => {
  const out = computeStatuses(input(T0));
  t.deepEqual(out.map((u) => `${u.kind}/${u.namespace}/${u.name}`), [
    "GatewayClass//gh", "Gateway/infra/gw", "HTTPRoute/app/web", "BackendTLSPolicy/app/tls",
  ]);
  t.deepEqual(out.map((u) => u.generation), [3, 7, 4, 2]);
});

test("no flapping: writing the output back and recomputing later gives the same status", (t) => {
  const first = computeStatuses(input(T0));
  const stored = new Map(first.map((u) => [`${u.kind}/${u.namespace}/${u.name}`, JSON.parse(JSON.stringify(u.status))]));
  const second = computeStatuses(input(T1, stored));
  t.deepEqual(second, first);
  for (const u of second) t.false(statusChanged(stored.get(`${u.kind}/${u.namespace}/${u.name}`), u.status));
  t.true(statusChanged(undefined, first[0]!.status));
});

test("pure and deterministic: same input, same output; input not mutated", (t) => {
  const i = input(T0);
  const before = JSON.stringify(i);
  t.deepEqual(computeStatuses(i), computeStatuses(i));
  t.is(JSON.stringify(i), before);
});

test("statusChanged: deep equality, key order ignored, array order and values not", (t) => {
  t.false(statusChanged({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }));
  t.false(statusChanged({ a: 1, x: undefined }, { a: 1 }));
  t.true(statusChanged({ a: [1, 2] }, { a: [2, 1] }));
  t.true(statusChanged({ a: { t: "2020" } }, { a: { t: "2021" } }));
  t.true(statusChanged({ a: 1 }, { a: 1, b: null }));
  t.true(statusChanged({ a: [] }, { a: {} }));
  t.false(statusChanged(undefined, {}));
});

test("snapshot given: routes and policies that left the graph lose our entries, keep others", (t) => {
  const snapshot = emptySnapshot();
  const theirs = { parentRef: { name: "x" }, controllerName: "other/ctrl", conditions: [] };
  snapshot.HTTPRoute.push(
    { kind: "HTTPRoute", metadata: { name: "left", namespace: "app", generation: 9 }, spec: {},
      status: { parents: [theirs, { parentRef: { name: "gw", namespace: "infra" }, controllerName: OURS, conditions: [] }] } } as never,
    { kind: "HTTPRoute", metadata: { name: "clean", namespace: "app" }, spec: {}, status: { parents: [theirs] } } as never,
  );
  snapshot.BackendTLSPolicy.push({ metadata: { name: "p", namespace: "app", generation: 1 }, spec: {},
    status: { ancestors: [{ ancestorRef: { name: "gw" }, controllerName: OURS, conditions: [] }] } } as never);
  const out = computeStatuses({ graph: graph({}), results: [], now: T0, snapshot, controllerNames: [OURS] });
  t.deepEqual(out, [
    { kind: "HTTPRoute", namespace: "app", name: "left", generation: 9, status: { parents: [theirs] } },
    { kind: "BackendTLSPolicy", namespace: "app", name: "p", generation: 1, status: { ancestors: [] } },
  ]);
  t.deepEqual(computeStatuses({ graph: graph({}), results: [], now: T0, snapshot }), [], "nothing is ours without controller names");
});

test("statusModule binds TOKENS.StatusComputer", async (t) => {
  const c = new Container();
  await c.load(statusModule);
  t.is(c.get(TOKENS.StatusComputer), computeStatuses);
});
