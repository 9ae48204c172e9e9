import test from "ava";
import { snapshotFromObjects } from "@gatehouse/model";
import { buildGraph } from "../src/build.js";
import { caps } from "./route-helpers.js";

const GW = "gateway.networking.k8s.io/v1";
const base = [
  { apiVersion: GW, kind: "GatewayClass", metadata: { name: "gh" }, spec: { controllerName: "gatehouse.dev/test" } },
  { apiVersion: GW, kind: "Gateway", metadata: { namespace: "default", name: "gw" }, spec: { gatewayClassName: "gh", listeners: [
    { name: "web", port: 80, protocol: "HTTP" },
    { name: "db", port: 5432, protocol: "TCP" },
  ] } },
  { apiVersion: "v1", kind: "Service", metadata: { namespace: "default", name: "svc" }, spec: { ports: [{ port: 80 }] } },
];
const route = (kind: string, name: string, created: string, hostnames: string[]) => ({
  apiVersion: GW, kind, metadata: { namespace: "default", name, creationTimestamp: created },
  spec: { parentRefs: [{ name: "gw" }], hostnames, rules: [{ backendRefs: [{ name: "svc", port: 80 }] }] },
});
const accepted = (objects: unknown[]) => {
  const graph = buildGraph({ snapshot: snapshotFromObjects([...base, ...objects]).snapshot, controllers: [caps()] });
  return Object.fromEntries(graph.routes.map((r) => [`${r.kind}/${r.name}`, r.parents[0]!.conditions[0]!]));
};

test("an HTTPRoute and a GRPCRoute sharing a hostname on one listener: the older wins, the newer is not accepted", (t) => {
  const c = accepted([
    route("HTTPRoute", "web", "2025-01-02T00:00:00Z", ["a.example.com"]),
    route("GRPCRoute", "rpc", "2025-01-01T00:00:00Z", ["*.example.com"]),
  ]);
  t.like(c["GRPCRoute/rpc"], { status: "True" });
  t.deepEqual(c["HTTPRoute/web"], {
    type: "Accepted", status: "False", reason: "NotAllowedByListeners",
    message: "listener web of Gateway default/gw already serves GRPCRoute default/rpc, which was created first (or, created at the same time, sorts first by namespace/name); an HTTPRoute and a GRPCRoute may not share a hostname on one listener",
  });
});

test("same creation time: alphabetical namespace/name decides; disjoint hostnames both stay accepted", (t) => {
  const same = accepted([
    route("HTTPRoute", "b-web", "2025-01-01T00:00:00Z", []),
    route("GRPCRoute", "a-rpc", "2025-01-01T00:00:00Z", ["x.example.com"]),
  ]);
  t.like(same["GRPCRoute/a-rpc"], { status: "True" });
  t.like(same["HTTPRoute/b-web"], { status: "False", reason: "NotAllowedByListeners" });
  const disjoint = accepted([
    route("HTTPRoute", "web", "2025-01-01T00:00:00Z", ["web.example.com"]),
    route("GRPCRoute", "rpc", "2025-01-01T00:00:00Z", ["rpc.example.com"]),
  ]);
  t.like(disjoint["HTTPRoute/web"], { status: "True" });
  t.like(disjoint["GRPCRoute/rpc"], { status: "True" });
});

test("a rejected route does not reject later routes of the other kind", (t) => {
  const c = accepted([
    route("HTTPRoute", "old", "2025-01-01T00:00:00Z", ["a.example.com"]),
    route("GRPCRoute", "mid", "2025-01-02T00:00:00Z", ["a.example.com", "b.example.com"]),
    route("HTTPRoute", "new", "2025-01-03T00:00:00Z", ["b.example.com"]),
  ]);
  t.like(c["HTTPRoute/old"], { status: "True" });
  t.like(c["GRPCRoute/mid"], { status: "False" });
  t.like(c["HTTPRoute/new"], { status: "True" });
});

test("two TCPRoutes on one TCP listener: both are accepted (v1.6; the IR serves the older only)", (t) => {
  const tcp = (name: string, created: string) => ({
    apiVersion: "gateway.networking.k8s.io/v1alpha2", kind: "TCPRoute", metadata: { namespace: "default", name, creationTimestamp: created },
    spec: { parentRefs: [{ name: "gw", sectionName: "db" }], rules: [{ backendRefs: [{ name: "svc", port: 80 }] }] },
  });
  const c = accepted([tcp("new", "2025-01-02T00:00:00Z"), tcp("old", "2025-01-01T00:00:00Z")]);
  t.like(c["TCPRoute/old"], { status: "True" });
  t.like(c["TCPRoute/new"], { type: "Accepted", status: "True", reason: "Accepted" });
});
