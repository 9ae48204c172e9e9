import test from "ava";
import { cond } from "@gatehouse/model";
import type { ProviderResults } from "@gatehouse/provider-api";
import { computeStatuses, type StatusCondition } from "../src/index.js";
import { OURS, T0, T1, gateway, gatewayClass, graph, listener } from "./fixtures.js";

type GwStatus = {
  addresses?: unknown[];
  conditions: StatusCondition[];
  listeners: { name: string; supportedKinds: unknown[]; attachedRoutes: number; conditions: StatusCondition[] }[];
};

function byType(list: StatusCondition[], type: string): StatusCondition {
  const c = list.find((x) => x.type === type);
  if (!c) throw new Error(`no ${type} condition`);
  return c;
}

function gwStatus(gw = gateway(), results: ProviderResults[] = [], now = T0): GwStatus {
  const out = computeStatuses({ graph: graph({ gateways: [gw] }), results, now });
  return out.find((u) => u.kind === "Gateway")!.status as unknown as GwStatus;
}

function programmedResult(extra: Partial<ProviderResults["gateways"][number]> = {}): ProviderResults {
  return {
    controllerName: OURS,
    gateways: [{ key: "infra/gw", programmed: true, reason: "Programmed", message: "", addresses: [{ type: "IPAddress", value: "10.0.0.1" }], listeners: [], ...extra }],
    routes: [],
  };
}

test("GatewayClass: node conditions with observedGeneration, supportedFeatures as sorted {name}", (t) => {
  const [u] = computeStatuses({ graph: graph({ gatewayClasses: [gatewayClass()] }), results: [], now: T0 });
  t.is(u!.kind, "GatewayClass");
  t.is(u!.namespace, "");
  t.deepEqual(u!.status, {
    conditions: [
      { type: "Accepted", status: "True", observedGeneration: 3, lastTransitionTime: T0, reason: "Accepted", message: "accepted" },
      { type: "SupportedVersion", status: "True", observedGeneration: 3, lastTransitionTime: T0, reason: "SupportedVersion", message: "v1.6" },
    ],
    supportedFeatures: [{ name: "Gateway" }, { name: "GatewayPort8080" }, { name: "HTTPRoute" }],
  });
});

test("GatewayClass: lastTransitionTime kept when status unchanged, now when changed", (t) => {
  const old = { conditions: [
    { type: "Accepted", status: "True", lastTransitionTime: "2020-05-05T00:00:00Z", reason: "Accepted", message: "", observedGeneration: 1 },
    { type: "SupportedVersion", status: "False", lastTransitionTime: "2020-05-05T00:00:00Z", reason: "UnsupportedVersion", message: "" },
  ] };
  const [u] = computeStatuses({ graph: graph({ gatewayClasses: [gatewayClass(old)] }), results: [], now: T1 });
  const conds = (u!.status as { conditions: StatusCondition[] }).conditions;
  t.is(byType(conds, "Accepted").lastTransitionTime, "2020-05-05T00:00:00Z");
  t.is(byType(conds, "Accepted").observedGeneration, 3, "observedGeneration follows the object, not the old condition");
  t.is(byType(conds, "SupportedVersion").lastTransitionTime, T1);
});

test("Gateway without a provider result: Programmed False/Pending, listener Pending", (t) => {
  const s = gwStatus();
  t.deepEqual(s.conditions.map((c) => c.type), ["Accepted", "Programmed"]);
  const p = byType(s.conditions, "Programmed");
  t.is(p.status, "False");
  t.is(p.reason, "Pending");
  t.is(p.message, `waiting for ${OURS} to program the gateway`);
  t.is(p.observedGeneration, 7);
  t.false("addresses" in s);
  t.is(s.listeners.length, 1);
  const l = s.listeners[0]!;
  t.is(l.name, "http");
  t.is(l.attachedRoutes, 2);
  t.deepEqual(l.supportedKinds, [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }]);
  t.deepEqual(l.conditions.map((c) => c.type), ["Accepted", "ResolvedRefs", "Conflicted", "Programmed"]);
  t.is(byType(l.conditions, "Programmed").reason, "Pending");
});

test("a result of another controller does not program our Gateway", (t) => {
  const s = gwStatus(gateway(), [{ ...programmedResult(), controllerName: "someone.else/ctrl" }]);
  t.is(byType(s.conditions, "Programmed").reason, "Pending");
});

test("Gateway programmed by its provider: Programmed True, addresses, listeners Programmed", (t) => {
  const s = gwStatus(gateway(), [programmedResult()]);
  const p = byType(s.conditions, "Programmed");
  t.is(p.status, "True");
  t.is(p.reason, "Programmed");
  t.deepEqual(s.addresses, [{ type: "IPAddress", value: "10.0.0.1" }]);
  t.is(byType(s.listeners[0]!.conditions, "Programmed").status, "True");
});

test("provider reports the Gateway not programmed: its reason and message; listeners Pending", (t) => {
  const s = gwStatus(gateway(), [programmedResult({ programmed: false, reason: "NoResources", message: "quota exceeded" })]);
  const p = byType(s.conditions, "Programmed");
  t.deepEqual([p.status, p.reason, p.message], ["False", "NoResources", "quota exceeded"]);
  const lp = byType(s.listeners[0]!.conditions, "Programmed");
  t.deepEqual([lp.status, lp.reason], ["False", "Pending"]);
  t.regex(lp.message, /quota exceeded/);
});

test("a provider reason the API server would reject falls back to Invalid", (t) => {
  const s = gwStatus(gateway(), [programmedResult({ programmed: false, reason: "not a reason!", message: "x" })]);
  t.is(byType(s.conditions, "Programmed").reason, "Invalid");
});

test("listener Programmed: invalid listener → Invalid; listener result not programmed → its reason; unreported → Pending", (t) => {
  const bad = listener("https", false, [
    cond("Accepted", false, "UnsupportedProtocol", "protocol FOO"), cond("ResolvedRefs", true, "ResolvedRefs", ""), cond("Conflicted", false, "NoConflicts", ""),
  ]);
  const gw = gateway({ listeners: [listener("http"), bad, listener("other")] });
  const s = gwStatus(gw, [programmedResult({ listeners: [{ name: "other", programmed: false, reason: "Pending", message: "port busy" }] })]);
  t.deepEqual(s.listeners.map((l) => l.name), ["http", "https", "other"]);
  const [http, https, other] = s.listeners.map((l) => byType(l.conditions, "Programmed"));
  t.deepEqual([https!.status, https!.reason], ["False", "Invalid"]);
  t.regex(https!.message, /protocol FOO/);
  t.deepEqual([other!.status, other!.reason, other!.message], ["False", "Pending", "port busy"]);
  t.deepEqual([http!.status, http!.reason], ["False", "Pending"], "not in a non-empty listener list: not programmed yet");
  const all = gwStatus(gw, [programmedResult({ listeners: [] })]);
  t.is(byType(all.listeners[0]!.conditions, "Programmed").status, "True", "an empty list: every listener follows the Gateway");
});

test("Gateway not accepted: Programmed False/Invalid even with a programmed result", (t) => {
  const s = gwStatus(gateway({ accepted: false }), [programmedResult()]);
  const p = byType(s.conditions, "Programmed");
  t.deepEqual([p.status, p.reason], ["False", "Invalid"]);
  t.is(byType(s.listeners[0]!.conditions, "Programmed").reason, "Invalid");
});

test("listener transition times are kept per listener name", (t) => {
  const first = gwStatus(gateway(), [programmedResult()], T0);
  // Listeners reordered in the old status; same statuses → times kept.
  const old = { ...first, listeners: [{ name: "zzz", conditions: [] }, ...first.listeners] };
  const second = gwStatus(gateway({ status: old }), [programmedResult()], T1);
  t.true(second.listeners[0]!.conditions.every((c) => c.lastTransitionTime === T0));
  t.true(second.conditions.every((c) => c.lastTransitionTime === T0));
  // Programmed flips: only it gets the new time.
  const third = gwStatus(gateway({ status: first }), [], T1);
  t.is(byType(third.conditions, "Programmed").lastTransitionTime, T1);
  t.is(byType(third.conditions, "Accepted").lastTransitionTime, T0);
  t.is(byType(third.listeners[0]!.conditions, "Programmed").lastTransitionTime, T1);
  t.is(byType(third.listeners[0]!.conditions, "Accepted").lastTransitionTime, T0);
});
