import test from "ava";
import { type FakeCompute, startFakeCompute } from "../src/index.js";
import { CODE, type Clients, PROJECT, ZONE, clients, closeAll, failure, run } from "./helpers.js";

let fake: FakeCompute;
let c: Clients;

test.before(async () => {
  fake = await startFakeCompute({ project: PROJECT, host: "127.41.0.5", operationDelayMs: 0 });
  c = clients(fake);
  for (let i = 0; i < 7; i++) {
    await run(c, c.healthChecks.insert({ project: PROJECT, healthCheckResource: { name: `hc-${i}`, type: i % 2 ? "TCP" : "HTTP", description: i < 3 ? "gatehouse" : "other" } }));
  }
  await run(c, c.globalAddresses.insert({ project: PROJECT, addressResource: { name: "ip-owned", labels: { "managed-by": "gatehouse" } } }));
  await run(c, c.globalAddresses.insert({ project: PROJECT, addressResource: { name: "ip-user" } }));
});

test.after.always(async () => {
  await closeAll(c);
  await fake.close();
});

test("pagination: maxResults pages with nextPageToken; listAsync walks them all", async (t) => {
  const [page1, , resp1] = await c.healthChecks.list({ project: PROJECT, maxResults: 3 }, { autoPaginate: false });
  t.deepEqual(page1.map((h) => h.name), ["hc-0", "hc-1", "hc-2"]);
  t.truthy(resp1?.nextPageToken);
  const [page2, , resp2] = await c.healthChecks.list({ project: PROJECT, maxResults: 3, pageToken: resp1!.nextPageToken! }, { autoPaginate: false });
  t.deepEqual(page2.map((h) => h.name), ["hc-3", "hc-4", "hc-5"]);
  const [page3, , resp3] = await c.healthChecks.list({ project: PROJECT, maxResults: 3, pageToken: resp2!.nextPageToken! }, { autoPaginate: false });
  t.deepEqual(page3.map((h) => h.name), ["hc-6"]);
  t.falsy(resp3?.nextPageToken);
  const all: string[] = [];
  for await (const h of c.healthChecks.listAsync({ project: PROJECT, maxResults: 2 })) all.push(String(h.name));
  t.deepEqual(all, ["hc-0", "hc-1", "hc-2", "hc-3", "hc-4", "hc-5", "hc-6"]);
  t.true(fake.calls.count({ method: "healthChecks.list" }) >= 3 + 4);
  // auto-pagination (the default) also gathers every page
  const [auto] = await c.healthChecks.list({ project: PROJECT, maxResults: 4 });
  t.is(auto.length, 7);
});

test("filters: =, !=, wildcards, nested fields, AND/OR", async (t) => {
  const names = async (filter: string) => (await c.healthChecks.list({ project: PROJECT, filter }))[0].map((h) => h.name);
  t.deepEqual(await names('name = "hc-3"'), ["hc-3"]);
  t.deepEqual(await names("name != hc-3 AND type = TCP"), ["hc-1", "hc-5"]);
  t.deepEqual(await names('description = "gatehouse"'), ["hc-0", "hc-1", "hc-2"]);
  t.deepEqual(await names("(type = TCP) (description = gatehouse)"), ["hc-1"]);
  t.deepEqual(await names("(name = hc-0) OR (name = hc-6)"), ["hc-0", "hc-6"]);
  t.deepEqual(await names("name = hc-*"), ["hc-0", "hc-1", "hc-2", "hc-3", "hc-4", "hc-5", "hc-6"]);
  t.deepEqual(await names("name eq 'hc-[12]'"), ["hc-1", "hc-2"]);
  t.deepEqual(await names("httpHealthCheck.port = 80"), ["hc-0", "hc-2", "hc-4", "hc-6"]);
  const [owned] = await c.globalAddresses.list({ project: PROJECT, filter: "labels.managed-by = gatehouse" });
  t.deepEqual(owned.map((a) => a.name), ["ip-owned"]);
  const [labelled] = await c.globalAddresses.list({ project: PROJECT, filter: "labels.managed-by:*" });
  t.deepEqual(labelled.map((a) => a.name), ["ip-owned"]);
  const bad = await failure(c.healthChecks.list({ project: PROJECT, filter: "name = (" }));
  t.is(bad.code, CODE.INVALID_ARGUMENT);
  t.regex(bad.message, /filter/);
});

test("maxResults over 500 and a foreign pageToken are 400", async (t) => {
  t.is((await failure(c.healthChecks.list({ project: PROJECT, maxResults: 501 }, { autoPaginate: false }))).httpStatusCode, 400);
  t.is((await failure(c.healthChecks.list({ project: PROJECT, pageToken: "garbage" }, { autoPaginate: false }))).httpStatusCode, 400);
});

test("listNetworkEndpoints pages too; healthStatus SHOW adds health per backend service", async (t) => {
  await run(c, c.negs.insert({ project: PROJECT, zone: ZONE, networkEndpointGroupResource: { name: "pneg", defaultPort: 80 } }));
  await run(
    c,
    c.negs.attachNetworkEndpoints({
      project: PROJECT,
      zone: ZONE,
      networkEndpointGroup: "pneg",
      networkEndpointGroupsAttachEndpointsRequestResource: { networkEndpoints: Array.from({ length: 5 }, (_, i) => ({ instance: `n${i}`, ipAddress: `10.0.0.${i + 1}` })) },
    }),
  );
  await run(
    c,
    c.backendServices.insert({
      project: PROJECT,
      backendServiceResource: { name: "pbs", loadBalancingScheme: "EXTERNAL_MANAGED", healthChecks: ["global/healthChecks/hc-0"], backends: [{ group: `zones/${ZONE}/networkEndpointGroups/pneg`, balancingMode: "RATE", maxRatePerEndpoint: 1 }] },
    }),
  );
  const seen: string[] = [];
  for await (const e of c.negs.listNetworkEndpointsAsync({
    project: PROJECT,
    zone: ZONE,
    networkEndpointGroup: "pneg",
    maxResults: 2,
    networkEndpointGroupsListEndpointsRequestResource: { healthStatus: "SHOW" },
  })) {
    seen.push(String(e.networkEndpoint?.ipAddress));
    t.is(e.healths?.[0]?.healthState, "HEALTHY");
    t.true(String(e.healths?.[0]?.backendService?.backendService).endsWith("/global/backendServices/pbs"));
  }
  t.deepEqual(seen, ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"]);
});

test("aggregatedList groups every scope and pages across them", async (t) => {
  await run(c, c.regionHealthChecks.insert({ project: PROJECT, region: "europe-west1", healthCheckResource: { name: "hc-eu", type: "HTTP" } }));
  const scopes: Record<string, string[]> = {};
  for await (const [scope, list] of c.healthChecks.aggregatedListAsync({ project: PROJECT, maxResults: 3 })) {
    for (const h of list.healthChecks ?? []) (scopes[scope] ??= []).push(String(h.name));
  }
  t.deepEqual(scopes["global"], ["hc-0", "hc-1", "hc-2", "hc-3", "hc-4", "hc-5", "hc-6"]);
  t.deepEqual(scopes["regions/europe-west1"], ["hc-eu"]);
  t.true(fake.calls.count({ method: "healthChecks.aggregatedList" }) >= 3);
});
