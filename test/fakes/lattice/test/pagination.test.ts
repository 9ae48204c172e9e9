// maxResults / nextToken on List* calls, and the SDK's paginators walking every page.
import * as L from "@aws-sdk/client-vpc-lattice";
import test from "ava";
import { ZERO_DELAYS, type FakeLattice } from "../src/index.js";
import { client, fake, ipTargetGroupConfig, rejects } from "./helpers.js";

let f: FakeLattice;
let c: L.VPCLatticeClient;
test.before(async () => {
  f = await fake(14, { clock: "manual", delays: ZERO_DELAYS });
  c = client(f);
  for (let i = 0; i < 23; i++) await c.send(new L.CreateServiceCommand({ name: `svc${String(i).padStart(2, "0")}` }));
  for (let i = 0; i < 7; i++) await c.send(new L.CreateTargetGroupCommand({ name: `group${i}`, type: "IP", config: ipTargetGroupConfig() }));
});
test.after.always(() => f.close());

test("pages of maxResults in creation order, a nextToken until the last page", async (t) => {
  const names: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await c.send(new L.ListServicesCommand({ maxResults: 10, ...(token ? { nextToken: token } : {}) }));
    t.true((page.items?.length ?? 0) <= 10);
    names.push(...(page.items ?? []).map((i) => i.name!));
    token = page.nextToken;
    pages++;
  } while (token);
  t.is(pages, 3);
  t.deepEqual(names, Array.from({ length: 23 }, (_, i) => `svc${String(i).padStart(2, "0")}`));
});

test("the SDK paginator walks every page", async (t) => {
  const names: string[] = [];
  for await (const page of L.paginateListTargetGroups({ client: c, pageSize: 3 }, {})) names.push(...(page.items ?? []).map((i) => i.name!));
  t.deepEqual(names, Array.from({ length: 7 }, (_, i) => `group${i}`));
});

test("the default page size is 50; an exact fit has no nextToken", async (t) => {
  const all = await c.send(new L.ListServicesCommand({}));
  t.is(all.items?.length, 23);
  t.is(all.nextToken, undefined);
  const exact = await c.send(new L.ListTargetGroupsCommand({ maxResults: 7 }));
  t.is(exact.items?.length, 7);
  t.is(exact.nextToken, undefined);
});

test("maxResults outside 1–100 and foreign or garbled tokens are ValidationException", async (t) => {
  await rejects(t, c.send(new L.ListServicesCommand({ maxResults: 0 })), L.ValidationException);
  await rejects(t, c.send(new L.ListServicesCommand({ maxResults: 101 })), L.ValidationException);
  await rejects(t, c.send(new L.ListServicesCommand({ nextToken: "garbage" })), L.ValidationException);
  const tgPage = await c.send(new L.ListTargetGroupsCommand({ maxResults: 1 }));
  await rejects(t, c.send(new L.ListServicesCommand({ nextToken: tgPage.nextToken! })), L.ValidationException);
});

test("a deleted item between pages does not make the next page skip or repeat", async (t) => {
  const local = await fake(14, { clock: "manual", delays: ZERO_DELAYS, host: "127.0.14.2" });
  t.teardown(() => local.close());
  const lc = client(local);
  for (let i = 0; i < 4; i++) await lc.send(new L.CreateTargetGroupCommand({ name: `g${i}-x`, type: "IP", config: ipTargetGroupConfig() }));
  const p1 = await lc.send(new L.ListTargetGroupsCommand({ maxResults: 2 }));
  await lc.send(new L.DeleteTargetGroupCommand({ targetGroupIdentifier: p1.items![1]!.id }));
  const p2 = await lc.send(new L.ListTargetGroupsCommand({ maxResults: 2, nextToken: p1.nextToken! }));
  t.deepEqual(p2.items?.map((i) => i.name), ["g2-x", "g3-x"]);
  t.is(p2.nextToken, undefined);
});

test("rules (the default rule first) and targets page too", async (t) => {
  const svc = (await c.send(new L.ListServicesCommand({ maxResults: 1 }))).items![0]!;
  const tg = (await c.send(new L.ListTargetGroupsCommand({ maxResults: 1 }))).items![0]!;
  f.state.limits.rulesPerListener = 30;
  const l = await c.send(new L.CreateListenerCommand({ serviceIdentifier: svc.id, name: "http", protocol: "HTTP", defaultAction: { fixedResponse: { statusCode: 404 } } }));
  for (let i = 1; i <= 12; i++) {
    await c.send(new L.CreateRuleCommand({ serviceIdentifier: svc.id, listenerIdentifier: l.id, name: `rule${i}`, priority: i, match: { httpMatch: { method: "GET" } }, action: { fixedResponse: { statusCode: 404 } } }));
  }
  const rules: string[] = [];
  for await (const p of L.paginateListRules({ client: c, pageSize: 5 }, { serviceIdentifier: svc.id, listenerIdentifier: l.id })) rules.push(...p.items!.map((r) => r.name!));
  t.is(rules.length, 13);
  t.is(rules[0], "default");
  await c.send(new L.RegisterTargetsCommand({ targetGroupIdentifier: tg.id, targets: Array.from({ length: 100 }, (_, i) => ({ id: `10.1.0.${i + 1}` })) }));
  const ids: string[] = [];
  for await (const p of L.paginateListTargets({ client: c, pageSize: 30 }, { targetGroupIdentifier: tg.id })) ids.push(...p.items!.map((x) => x.id!));
  t.is(ids.length, 100);
  t.is(new Set(ids).size, 100);
});
