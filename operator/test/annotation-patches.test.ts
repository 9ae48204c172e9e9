import test from "ava";
import type { Meta } from "@gatehouse/model";
import type { ProviderResults } from "@gatehouse/provider-api";
import { annotationPatches } from "../src/run/annotation-patches.js";

const results = (over: Partial<ProviderResults> = {}): ProviderResults => ({ controllerName: "gatehouse.dev/x", gateways: [], routes: [], ...over });
const obj = (annotations?: Record<string, string>, deleting = false): Meta =>
  ({ metadata: { name: "n", namespace: "ns", ...(annotations ? { annotations } : {}), ...(deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}) } }) as Meta;

test("only keys whose value differs from the cached object are patched; null removes a present key", (t) => {
  const live = new Map<string, Meta>([
    ["Gateway/ns/gw", obj({ "gatehouse.dev/a": "1", "gatehouse.dev/old": "x", "user/keep": "u" })],
    ["HTTPRoute/ns/r", obj()],
  ]);
  const out = annotationPatches([results({
    gateways: [{ key: "ns/gw", programmed: true, reason: "Programmed", message: "", addresses: [], listeners: [],
      annotations: { "gatehouse.dev/a": "1", "gatehouse.dev/b": "2", "gatehouse.dev/old": null, "gatehouse.dev/never": null } }],
    routes: [{ route: "httproute/ns/r", gatewayKey: "ns/gw", annotations: { "gatehouse.dev/dns": "r.example" } }],
  })], (ref) => live.get(`${ref.kind}/${ref.namespace}/${ref.name}`));
  t.deepEqual(out, [
    { ref: { kind: "Gateway", namespace: "ns", name: "gw" }, annotations: { "gatehouse.dev/b": "2", "gatehouse.dev/old": null } },
    { ref: { kind: "HTTPRoute", namespace: "ns", name: "r" }, annotations: { "gatehouse.dev/dns": "r.example" } },
  ]);
});

test("nothing to write when everything is in place; objects gone or being deleted are skipped; junk never throws", (t) => {
  const live = new Map<string, Meta>([["Gateway/ns/gw", obj({ "gatehouse.dev/a": "1" })], ["GRPCRoute/ns/d", obj(undefined, true)]]);
  const get = (ref: { kind: string; namespace: string; name: string }) => live.get(`${ref.kind}/${ref.namespace}/${ref.name}`);
  t.deepEqual(annotationPatches([results({
    gateways: [{ key: "ns/gw", programmed: true, reason: "", message: "", addresses: [], listeners: [], annotations: { "gatehouse.dev/a": "1" } }],
    routes: [
      { route: "grpcroute/ns/d", gatewayKey: "ns/gw", annotations: { "gatehouse.dev/x": "1" } },
      { route: "httproute/ns/missing", gatewayKey: "ns/gw", annotations: { "gatehouse.dev/x": "1" } },
      { route: "bogus", gatewayKey: "ns/gw", annotations: { "gatehouse.dev/x": "1" } },
    ],
  })], get), []);
  t.deepEqual(annotationPatches([null as unknown as ProviderResults, { controllerName: "x" } as ProviderResults], get), []);
});

test("two parents' results for one route merge into one patch", (t) => {
  const out = annotationPatches([results({
    routes: [
      { route: "httproute/ns/r", gatewayKey: "ns/a", annotations: { "gatehouse.dev/dns.ns.a": "a.example" } },
      { route: "httproute/ns/r", gatewayKey: "ns/b", annotations: { "gatehouse.dev/dns.ns.b": "b.example" } },
    ],
  })], () => obj());
  t.deepEqual(out, [{ ref: { kind: "HTTPRoute", namespace: "ns", name: "r" }, annotations: { "gatehouse.dev/dns.ns.a": "a.example", "gatehouse.dev/dns.ns.b": "b.example" } }]);
});
