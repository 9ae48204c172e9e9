import test from "ava";
import { rebaseStatus, statusChanged } from "../src/index.js";

const OURS = "gatehouse.dev/local";
const ours = new Set([OURS]);
const T0 = "2025-01-01T00:00:00Z";
const T1 = "2025-01-02T00:00:00Z";

const c = (type: string, status: string, lastTransitionTime: string) =>
  ({ type, status, observedGeneration: 1, lastTransitionTime, reason: type, message: "" });
const mine = (name: string, time: string, status = "True") =>
  ({ parentRef: { name }, controllerName: OURS, conditions: [c("Accepted", status, time)] });
const theirs = (name: string, by = "example.net/gw") =>
  ({ parentRef: { name }, controllerName: by, conditions: [c("Accepted", "True", T0)] });

test("route: other controllers' entries come from the current object, in its order; ours replace ours", (t) => {
  // computed from a stale copy that had neither `late` nor the updated `b`
  const computed = { parents: [theirs("a"), mine("gw", T1)] };
  const current = { parents: [theirs("late", "x.io/y"), mine("gw", T0, "False"), theirs("a", "z.io/q")] };
  const out = rebaseStatus({ kind: "HTTPRoute", namespace: "ns" }, current, computed, ours);
  t.deepEqual(out, { parents: [theirs("late", "x.io/y"), mine("gw", T1), theirs("a", "z.io/q")] });
});

test("route: transition time kept from the current object when the status did not change", (t) => {
  const computed = { parents: [mine("gw", T1)] };
  const current = { parents: [{ ...mine("gw", T0), parentRef: { name: "gw", namespace: "ns", kind: "Gateway" } }] };
  const out = rebaseStatus({ kind: "HTTPRoute", namespace: "ns" }, current, computed, ours) as { parents: { conditions: { lastTransitionTime: string }[] }[] };
  t.is(out.parents[0]!.conditions[0]!.lastTransitionTime, T0);
  // same status already stored (but spelled differently) → only the parentRef spelling differs
  t.true(statusChanged(current, out));
  t.false(statusChanged(out, rebaseStatus({ kind: "HTTPRoute", namespace: "ns" }, out, computed, ours)));
});

test("route: entries of ours that the computation dropped are removed; a new one is appended", (t) => {
  const computed = { parents: [mine("new", T1)] };
  const current = { parents: [mine("old", T0), theirs("a")] };
  t.deepEqual(rebaseStatus({ kind: "TCPRoute", namespace: "ns" }, current, computed, ours), { parents: [theirs("a"), mine("new", T1)] });
});

test("policy: ancestors merged the same way", (t) => {
  const anc = (name: string, by: string, time: string) =>
    ({ ancestorRef: { group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "ns", name }, controllerName: by, conditions: [c("Accepted", "True", time)] });
  const out = rebaseStatus({ kind: "BackendTLSPolicy", namespace: "ns" },
    { ancestors: [anc("x", "o.io/x", T0), anc("g", OURS, T0)] }, { ancestors: [anc("g", OURS, T1)] }, ours);
  t.deepEqual(out, { ancestors: [anc("x", "o.io/x", T0), anc("g", OURS, T0)] });
});

test("gateway: wholly ours, with transition times of unchanged conditions (top level and listeners) kept", (t) => {
  const computed = {
    conditions: [c("Accepted", "True", T1), c("Programmed", "True", T1)],
    listeners: [{ name: "http", attachedRoutes: 1, conditions: [c("Accepted", "True", T1)] }],
  };
  const current = {
    addresses: [{ value: "1.2.3.4" }],
    conditions: [c("Accepted", "True", T0), c("Programmed", "False", T0)],
    listeners: [{ name: "http", attachedRoutes: 0, conditions: [c("Accepted", "True", T0)] }],
  };
  t.deepEqual(rebaseStatus({ kind: "Gateway", namespace: "ns" }, current, computed, ours), {
    conditions: [c("Accepted", "True", T0), c("Programmed", "True", T1)],
    listeners: [{ name: "http", attachedRoutes: 1, conditions: [c("Accepted", "True", T0)] }],
  });
});

test("gatewayclass: untrusted current status never throws", (t) => {
  for (const current of [undefined, null, 3, "x", [], { conditions: "no" }, { conditions: [null, 1, { type: 2 }] }]) {
    t.deepEqual(rebaseStatus({ kind: "GatewayClass", namespace: "" }, current, { conditions: [c("Accepted", "True", T1)] }, ours),
      { conditions: [c("Accepted", "True", T1)] });
  }
  t.notThrows(() => rebaseStatus({ kind: "HTTPRoute", namespace: "ns" }, { parents: [null, { controllerName: OURS }] }, { parents: "x" } as never, ours));
});
