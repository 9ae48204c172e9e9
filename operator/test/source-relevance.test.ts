import test from "ava";
import { statusOnly } from "../src/kube/source/relevance.js";

const route = (meta: object, status?: object) => ({ kind: "HTTPRoute", metadata: { name: "r", namespace: "n", generation: 2, ...meta }, spec: {}, status });

test("a status-only update of a Gateway API object wakes no reconcile", (t) => {
  t.true(statusOnly("HTTPRoute", route({ resourceVersion: "1" }), route({ resourceVersion: "2" }, { parents: [] })));
});

test("spec (generation), labels, annotations, finalizers, deletion, add and delete do", (t) => {
  const before = route({ labels: { a: "1" } });
  t.false(statusOnly("HTTPRoute", before, route({ generation: 3, labels: { a: "1" } })));
  t.false(statusOnly("HTTPRoute", before, route({ labels: { a: "2" } })));
  t.false(statusOnly("HTTPRoute", before, route({ labels: { a: "1" }, annotations: { x: "y" } })));
  t.false(statusOnly("HTTPRoute", before, route({ labels: { a: "1" }, finalizers: ["gatehouse.dev/cleanup"] })));
  t.false(statusOnly("HTTPRoute", before, route({ labels: { a: "1" }, deletionTimestamp: "2026-01-01T00:00:00Z" })));
  t.false(statusOnly("HTTPRoute", undefined, before));
  t.false(statusOnly("HTTPRoute", before, undefined));
});

test("objects without generation, and Namespaces (labels matter, no status subresource), always do", (t) => {
  t.false(statusOnly("HTTPRoute", { metadata: {} }, { metadata: {} }));
  t.false(statusOnly("Namespace", route({}), route({})));
});

test("ours: classes by controllerName, Gateways by class, routes by a parentRef to one of our Gateways", async (t) => {
  const { ours } = await import("../src/kube/source/relevance.js");
  const controllers = new Set(["gatehouse.dev/local"]);
  const classes: Record<string, object> = {
    mine: { spec: { controllerName: "gatehouse.dev/local" } },
    theirs: { spec: { controllerName: "example.com/other" } },
  };
  const gateways: Record<string, object> = {
    "infra/gw": { metadata: { namespace: "infra", name: "gw" }, spec: { gatewayClassName: "mine" } },
    "apps/other": { metadata: { namespace: "apps", name: "other" }, spec: { gatewayClassName: "theirs" } },
  };
  const cache = {
    gatewayClass: (n: string) => classes[n] as Record<string, unknown> | undefined,
    gateway: (k: string) => gateways[k] as Record<string, unknown> | undefined,
  };
  const route = (parentRefs: unknown[]) => ({ metadata: { namespace: "apps", name: "r" }, spec: { parentRefs } });
  t.true(ours("GatewayClass", classes["mine"] as never, controllers, cache));
  t.false(ours("GatewayClass", classes["theirs"] as never, controllers, cache));
  t.true(ours("Gateway", gateways["infra/gw"] as never, controllers, cache));
  t.false(ours("Gateway", gateways["apps/other"] as never, controllers, cache));
  t.true(ours("HTTPRoute", route([{ name: "gw", namespace: "infra" }]), controllers, cache));
  t.false(ours("HTTPRoute", route([{ name: "other" }]), controllers, cache), "same-namespace default → apps/other, not ours");
  t.false(ours("GRPCRoute", route([{ name: "gw", namespace: "infra", kind: "Service" }]), controllers, cache));
  t.false(ours("TCPRoute", route([{ name: "missing", namespace: "infra" }]), controllers, cache));
  t.true(ours("Service", { metadata: {} }, controllers, cache), "other kinds are decided elsewhere");
  t.false(ours("HTTPRoute", undefined, controllers, cache));
});
