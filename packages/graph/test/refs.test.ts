import test from "ava";
import type { ReferenceGrant } from "@gatehouse/model";
import { ReferenceGrants } from "../src/refs.js";

const grant = (ns: string, from: object[], to: object[]): ReferenceGrant =>
  ({ apiVersion: "gateway.networking.k8s.io/v1", kind: "ReferenceGrant", metadata: { namespace: ns, name: "g" }, spec: { from, to } } as unknown as ReferenceGrant);

const route = { group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "apps" };
const svc = (name: string) => ({ group: "", kind: "Service", namespace: "backends", name });

test("same-namespace references need no grant", (t) => {
  t.true(new ReferenceGrants([]).allowed({ ...route, namespace: "backends" }, svc("x")));
});

test("cross-namespace references need a grant in the target namespace", (t) => {
  const g = new ReferenceGrants([grant("backends", [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "apps" }], [{ group: "", kind: "Service" }])]);
  t.true(g.allowed(route, svc("any")));
  t.false(g.allowed({ ...route, namespace: "other" }, svc("any")), "other source namespace");
  t.false(g.allowed({ ...route, kind: "GRPCRoute" }, svc("any")), "other source kind");
  t.false(g.allowed(route, { ...svc("x"), kind: "Secret" }), "other target kind");
});

test("a grant in the source namespace does not count", (t) => {
  const g = new ReferenceGrants([grant("apps", [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "apps" }], [{ group: "", kind: "Service" }])]);
  t.false(g.allowed(route, svc("x")));
});

test("a named grant allows only that name; core group may be spelled 'core'", (t) => {
  const g = new ReferenceGrants([grant("backends", [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "apps" }], [{ group: "core", kind: "Service", name: "only" }])]);
  t.true(g.allowed(route, svc("only")));
  t.false(g.allowed(route, svc("other")));
});

test("malformed grants are skipped, not thrown", (t) => {
  const bad = [
    { metadata: { namespace: "backends", name: "x" } },
    { metadata: { namespace: "backends", name: "y" }, spec: { from: "nope", to: [null] } },
    { metadata: { namespace: "backends", name: "z" }, spec: { from: [null, { kind: 3 }], to: [{ kind: "Service" }] } },
  ] as unknown as ReferenceGrant[];
  t.false(new ReferenceGrants(bad).allowed(route, svc("x")));
});
