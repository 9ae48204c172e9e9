import test from "ava";
import { emptySnapshot, keyOf, normalizeSnapshot, snapshotFromObjects, sourceOf } from "../src/index.js";

const svc = (ns: string, name: string, extra: Record<string, unknown> = {}) =>
  ({ apiVersion: "v1", kind: "Service", metadata: { namespace: ns, name, ...extra } });

test("objects are sorted into their kind, by key", (t) => {
  const { snapshot, rejected } = snapshotFromObjects([svc("b", "x"), svc("a", "y"), svc("a", "x")]);
  t.deepEqual(rejected, []);
  t.deepEqual(snapshot.Service.map(keyOf), ["a/x", "a/y", "b/x"]);
  t.is(snapshot.Gateway.length, 0);
});

test("unknown kinds, nameless objects and non-objects are rejected with a reason, not thrown", (t) => {
  const { snapshot, rejected } = snapshotFromObjects([
    null, 7, "str", [], { kind: "__proto__", metadata: { name: "p" } }, { kind: "Service", metadata: {} }, { kind: "Service" },
    svc("a", "ok"),
  ]);
  t.is(snapshot.Service.length, 1);
  t.deepEqual(rejected.map((r) => r.index), [0, 1, 2, 3, 4, 5, 6]);
  t.is(rejected[4]!.reason, 'kind "__proto__" is not read by gatehouse');
  t.is(rejected[5]!.reason, "Service without metadata.name");
});

test("duplicate keys resolve the same way whatever the input order", (t) => {
  const a = svc("ns", "dup", { uid: "1" });
  const b = svc("ns", "dup", { uid: "2" });
  const one = snapshotFromObjects([a, b]).snapshot.Service;
  const two = snapshotFromObjects([b, a]).snapshot.Service;
  t.is(one.length, 1);
  t.deepEqual(one, two);
});

test("normalizeSnapshot tolerates missing and malformed lists", (t) => {
  const s = { ...emptySnapshot(), Service: undefined, Gateway: "nope" } as unknown as Parameters<typeof normalizeSnapshot>[0];
  const n = normalizeSnapshot(s);
  t.deepEqual(n.Service, []);
  t.deepEqual(n.Gateway, []);
});

test("source paths are lowercase kind plus key", (t) => {
  t.is(sourceOf("HTTPRoute", { metadata: { namespace: "default", name: "web" } }), "httproute/default/web");
  t.is(sourceOf("GatewayClass", { metadata: { name: "local" } }), "gatewayclass/local");
});
