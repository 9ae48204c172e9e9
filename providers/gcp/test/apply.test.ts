import test from "ava";
import type { FakeCompute } from "@gatehouse/fake-gcp";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { GcpProvider, gcpClientOptionsForEndpoint, parseConfig } from "../src/index.js";
import { converge, desiredOf, manyRoutes, provider, run, startFake } from "./fixture.js";

let fake: FakeCompute;
test.before(async () => { fake = await startFake(1); });
test.after.always(async () => { await fake.close(); });
test.beforeEach(() => fake.reset());

test.serial("a Gateway with routes becomes a programmed global external load balancer", async (t) => {
  const p = provider(fake);
  const desired = desiredOf(manyRoutes(3));
  const res = await converge(p, desired);
  t.deepEqual(fake.internalErrors, []);
  const gw = res.gateways[0]!;
  t.true(gw.programmed, gw.message);
  t.regex(gw.addresses[0]?.value ?? "", /^34\.120\./);
  t.truthy(gw.annotations?.["gatehouse.dev/url-maps"]);
  // a no-op reconcile: no mutation
  const before = fake.calls.mark();
  const again = await converge(p, desired);
  t.true(again.gateways[0]!.programmed);
  t.is(fake.calls.mutating(before), 0);
  await p.close();
});

test.serial("gcpClientOptionsForEndpoint: the --gcp-endpoint form reaches the fake with no credentials", async (t) => {
  const opts = gcpClientOptionsForEndpoint(fake.url);
  t.like(opts, { apiEndpoint: fake.endpoint, port: fake.port, protocol: "http" });
  t.throws(() => gcpClientOptionsForEndpoint("ftp://x"));
  const p = new GcpProvider({ clientOptions: opts, project: "gatehouse-test", clusterName: "test", operationPollMs: 1 });
  const res = await converge(p, desiredOf(manyRoutes(1)));
  t.true(res.gateways[0]!.programmed, res.gateways[0]!.message);
  t.true((await p.finalize({ kind: "Gateway", namespace: "default", name: "web" })).done);
  await p.close();
});

test("the example manifests: valid GCPConfigs, accepted classes", (t) => {
  const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "examples");
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".yaml"))) {
    const objects = parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec: unknown });
    for (const o of objects.filter((x) => x.kind === "GCPConfig")) t.true(parseConfig(o.spec, {}).ok, `${f}: ${JSON.stringify(parseConfig(o.spec, {}))}`);
    const { statuses } = run(objects);
    const cls = statuses.find((s) => s.kind === "GatewayClass")!;
    const accepted = ((cls.status["conditions"] ?? []) as { type: string; status: string; message: string }[]).find((c) => c.type === "Accepted");
    t.is(accepted?.status, "True", `${f}: ${accepted?.message}`);
  }
});
