// Pure units: config validation, the comparison of desired and read bodies, NEG batches,
// ordering, garbage collection and ownership.
import test from "ava";
import { covers, requestIdFor } from "../src/cloud/json.js";
import { parseConfig } from "../src/config.js";
import { buildModel, description } from "../src/model.js";
import { ENDPOINT_BATCH, knownFrom, planActions, type Known } from "../src/planner.js";
import { desiredOf, manyRoutes } from "./fixture.js";

const O = { controllerName: "gatehouse.dev/gcp", clusterName: "c1", project: "gatehouse-test" };
const empty = (): Known => ({ resources: new Map(), absent: new Set() });

test("GCPConfig: defaults, and each bad field named", (t) => {
  const ok = parseConfig(undefined, { project: "my-project" });
  t.deepEqual(ok, { ok: true, config: { project: "my-project", scope: "global", loadBalancingScheme: "EXTERNAL_MANAGED", network: "default", zones: [], labels: {} } });
  const bad: [unknown, RegExp][] = [
    [{ scope: "zonal" }, /^spec\.scope: "zonal" is not one of global, region/],
    [{ scope: "region" }, /^spec\.region: required when scope is region/],
    [{ scope: "region", region: "us-central1" , loadBalancingScheme: "INTERNAL_MANAGED" }, /^spec\.subnetwork: required/],
    [{ loadBalancingScheme: "EXTERNAL" }, /^spec\.loadBalancingScheme/],
    [{ labels: { Team: "x" } }, /^spec\.labels\.Team/],
    [{ labels: { gatehouse: "x" } }, /^spec\.labels\.gatehouse: the gatehouse label prefix is reserved/],
    [{ zones: "us-central1-a" }, /^spec\.zones: must be a list/],
    [{ scope: "region", region: "us-central1", subnetwork: "s", zones: ["europe-west1-b"] }, /^spec\.zones\[0\]: europe-west1-b is not in region us-central1/],
    [{ certificateMap: "nope" }, /^spec\.certificateMap/],
    [{ project: 42 }, /^spec\.project: must be a string/],
    ["str", /^spec: must be an object/],
  ];
  for (const [spec, re] of bad) {
    const r = parseConfig(spec, { project: "p-123456" });
    t.false(r.ok, JSON.stringify(spec));
    if (!r.ok) t.regex(r.message, re);
  }
  t.false(parseConfig({}, {}).ok);
});

test("covers: server defaults and proto3 zero values do not count as differences", (t) => {
  t.true(covers({ a: 1, b: "x", extra: true, fingerprint: "f" }, { a: 1, b: "x" }));
  t.true(covers({ timeout: { seconds: "10" } }, { timeout: { seconds: 10, nanos: 0 } }));
  t.true(covers({}, { stripQuery: false, list: [] }));
  t.false(covers({ a: [1, 2] }, { a: [1] }));
  t.false(covers({ a: true }, { a: false }));
  t.false(covers({ n: { x: 1 } }, { n: { x: 2 } }));
});

test("requestId: a deterministic RFC 4122 UUID", (t) => {
  const a = requestIdFor("insert|x|h");
  t.is(a, requestIdFor("insert|x|h"));
  t.not(a, requestIdFor("insert|x|h2"));
  t.regex(a, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test("plan from nothing: inserts in dependency order, endpoints attached in batches of ≤ 500", (t) => {
  const model = buildModel(desiredOf(manyRoutes(2)), O);
  const neg = [...model.resources.values()].find((r) => r.collection === "networkEndpointGroups")!;
  neg.endpoints = Array.from({ length: 1203 }, (_, i) => ({ instance: "n", ipAddress: `10.1.${Math.floor(i / 250)}.${i % 250}`, port: 8080 }));
  const { actions } = planActions(empty(), model);
  const order = ["firewalls", "healthChecks", "networkEndpointGroups", "backendServices", "urlMaps", "targetHttpProxies", "addresses", "forwardingRules"];
  const seen = actions.filter((a) => a.op === "insert").map((a) => a.op === "insert" ? a.res.collection : "");
  t.deepEqual([...new Set(seen)], order);
  const attaches = actions.filter((a) => a.op === "attach" && a.path === neg.path);
  t.deepEqual(attaches.map((a) => (a.op === "attach" ? a.endpoints.length : 0)), [500, 500, 203]);
  t.true(attaches.every((a) => a.op === "attach" && a.endpoints.length <= ENDPOINT_BATCH));
});

test("plan against the same state: nothing; changed URL map: one update; garbage: deleted in reverse order; foreign: conflict", (t) => {
  const model = buildModel(desiredOf(manyRoutes(2)), O);
  const known = empty();
  for (const r of model.resources.values()) {
    const read: Record<string, unknown> = { ...r.body, id: "1", fingerprint: "fp", selfLink: `https://x/${r.path}`, kind: "compute#x" };
    if (r.collection === "forwardingRules") read["IPAddress"] = "34.120.0.2";
    if (r.collection === "addresses") read["address"] = "34.120.0.2";
    known.resources.set(r.path, knownFrom(r.path, read, "c1", r.endpoints?.map((e) => ({ ...e })) ?? (r.collection === "networkEndpointGroups" ? [] : undefined)));
  }
  t.deepEqual(planActions(known, model).actions, []);

  const smaller = buildModel(desiredOf(manyRoutes(1)), O);
  const { actions } = planActions(known, smaller);
  // route-1's rules leave the URL map; the firewall's ports are the same
  t.deepEqual(actions.filter((a) => a.op !== "delete").map((a) => `${a.op} ${a.path.split("/").slice(-2).join("/")}`), ["update urlMaps/gh-default-web-80"]);
  t.true(actions.some((a) => a.op === "update" && a.path.endsWith("urlMaps/gh-default-web-80")));
  const deletes = actions.filter((a) => a.op === "delete").map((a) => a.path.split("/")[a.path.split("/").length - 2]);
  t.deepEqual(deletes, ["backendServices", "networkEndpointGroups", "networkEndpointGroups", "healthChecks"]);

  // someone else's resource under our name: never touched, reported
  const foreign = empty();
  const um = [...model.resources.values()].find((r) => r.collection === "urlMaps")!;
  foreign.resources.set(um.path, knownFrom(um.path, { name: um.name, description: "hand-made" }, "c1"));
  const plan = planActions(foreign, model);
  t.true(plan.conflicts.has(um.path));
  t.false(plan.actions.some((a) => a.path === um.path));
  // another cluster's resource is not ours either
  t.false(knownFrom("p", { description: description({ ...O, clusterName: "c2" }, "shared", "abc") }, "c1").ours);
});
