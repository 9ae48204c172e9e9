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
