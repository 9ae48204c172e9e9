// The service network's auth policy (LatticeConfig spec.serviceNetwork.authPolicy) against the
// fake through the real SDK client: put on create, no-op without calls, an edit is one put,
// removal one delete; adopted networks; validation reported on the Gateway; drift.
import test from "ava";
import { CreateServiceNetworkCommand, PutAuthPolicyCommand, VPCLatticeClient } from "@aws-sdk/client-vpc-lattice";
import type { FakeLattice } from "@gatehouse/fake-lattice";
import {
  annotationsOf, authConfigYaml, authPolicy, computeOf, converge, desiredOf, docs, fake, gateway, gatewayClass, httpRoute, provider,
  service, simpleRule,
} from "./fixtures.js";
import { AUTH_POLICY_MAX_BYTES, checkAuthPolicy } from "../src/auth-policy.js";
import { parseLatticeConfig } from "../src/config.js";
import { TAG } from "../src/tags.js";

const world = (configYaml: string) => docs(
  gatewayClass(), configYaml, gateway("gw"), service("web", ["10.0.0.1"]), httpRoute("web", "gw", simpleRule("/", "web")),
);

/** The policy on the service network `name`, parsed; undefined when there is none. */
function policyOf(lattice: FakeLattice, name: string): unknown {
  const snap = lattice.state.snapshot();
  const sn = snap.serviceNetworks.find((x) => x["name"] === name);
  const text = sn ? snap.authPolicies[String(sn["id"])] : undefined;
  return text === undefined ? undefined : JSON.parse(text);
}

function sdk(lattice: FakeLattice): VPCLatticeClient {
  return new VPCLatticeClient({
    endpoint: lattice.endpoint, region: lattice.region, credentials: { accessKeyId: "fake", secretAccessKey: "fake" }, maxAttempts: 1,
  });
}

test("created network: put on create, no-op makes no call, an edit is one PutAuthPolicy, removal one DeleteAuthPolicy", async (t) => {
  const lattice = await fake();
  t.teardown(() => lattice.close());
  const p = provider(lattice);
  t.teardown(() => p.close());
  const desired = desiredOf(world(authConfigYaml(authPolicy())));
  const plan = await p.plan(desired);
  t.is(lattice.calls.count(), 0, "plan makes no calls");
  t.deepEqual(plan.changes.slice(0, 3).map((c) => `${c.op} ${c.resource}`),
    ["create lattice:serviceNetwork", "create lattice:authPolicy", "create lattice:vpcAssociation"]);
  t.deepEqual(plan.changes.find((c) => c.resource === "lattice:authPolicy")!.sources, ["gateway/default/gw"]);
  const r = await p.apply(plan, desired);
  t.like(r.gateways[0], { programmed: true, reason: "Programmed" });
  t.notRegex(r.gateways[0]!.message, /Inactive/);
  t.is(lattice.state.snapshot().serviceNetworks[0]!["authType"], "AWS_IAM");
  t.deepEqual(policyOf(lattice, "gw-default"), authPolicy());
  const counts = lattice.calls.counters();
  t.is(counts["PutAuthPolicy"], 1);
  t.is(counts["GetAuthPolicy"], undefined, "a network created now has no policy to read");
  // The fingerprint is remembered in the Gateway's annotation.
  t.regex(r.gateways[0]!.annotations!["gatehouse.dev/lattice"]!, /"ap\/default\/gw":\{[^}]*"h":"/);

  // No-op: nothing planned, not a single call; the same document in another key order is the same.
  lattice.calls.clear();
  t.deepEqual((await p.plan(desired)).changes, []);
  await converge(p, desired);
  const reordered = { Statement: authPolicy().Statement.map((s) => Object.fromEntries(Object.entries(s).reverse())), Version: "2012-10-17" };
  await converge(p, desiredOf(world(authConfigYaml(reordered))));
  t.is(lattice.calls.count(), 0);

  // A restarted provider knows the policy from the annotation: still no call.
  const ann = annotationsOf(r);
  const p2 = provider(lattice);
  t.teardown(() => p2.close());
  await converge(p2, desiredOf(world(authConfigYaml(authPolicy())), ann));
  t.is(lattice.calls.count(), 0, "restart: no call");

  // An edit: exactly one PutAuthPolicy.
  const edited = desiredOf(world(authConfigYaml(authPolicy("123456789012", 1))));
  t.deepEqual((await p.plan(edited)).changes.map((c) => `${c.op} ${c.resource}`), ["update lattice:authPolicy"]);
  await converge(p, edited);
  t.deepEqual(lattice.calls.counters(), { PutAuthPolicy: 1 });
  t.deepEqual(policyOf(lattice, "gw-default"), authPolicy("123456789012", 1));

  // Removed from the config (authType stays AWS_IAM): exactly one DeleteAuthPolicy.
  lattice.calls.clear();
  const removed = desiredOf(world(authConfigYaml(undefined)));
  t.deepEqual((await p.plan(removed)).changes.map((c) => `${c.op} ${c.resource}`), ["delete lattice:authPolicy"]);
  const r2 = await converge(p, removed);
  t.deepEqual(lattice.calls.counters(), { DeleteAuthPolicy: 1 });
  t.is(policyOf(lattice, "gw-default"), undefined);
  t.notRegex(r2.gateways[0]!.annotations!["gatehouse.dev/lattice"]!, /ap\//);
  lattice.calls.clear();
  await converge(p, removed);
  t.is(lattice.calls.count(), 0);

  // Back on, then the Gateway goes: the network takes its policy with it (no DeleteAuthPolicy).
  await converge(p, edited);
  lattice.calls.clear();
  t.true((await p.finalize({ kind: "HTTPRoute", namespace: "default", name: "web" })).done);
  const gone = await p.finalize({ kind: "Gateway", namespace: "default", name: "gw" });
  t.true(gone.done, gone.message);
  t.is(lattice.calls.counters()["DeleteAuthPolicy"], undefined);
  t.true(lattice.state.isEmpty());
  t.deepEqual(lattice.state.snapshot().authPolicies, {});
});

test("adopted network: the policy is read once and put only if it differs; removal touches nothing; finalize deletes only what gatehouse put", async (t) => {
  const lattice = await fake();
  t.teardown(() => lattice.close());
  const client = sdk(lattice);
  t.teardown(() => client.destroy());
  const sn = await client.send(new CreateServiceNetworkCommand({ name: "shared", authType: "AWS_IAM" }));
  // Already there: the same document, other key order.
  await client.send(new PutAuthPolicyCommand({ resourceIdentifier: sn.id!, policy: JSON.stringify({ Statement: authPolicy().Statement, Version: "2012-10-17" }) }));
  const adopted = (policy: unknown) => world(authConfigYaml(policy, "AWS_IAM", { name: "shared", create: false }));
  const p = provider(lattice);
  t.teardown(() => p.close());
  lattice.calls.clear();
  await converge(p, desiredOf(adopted(authPolicy())));
  t.is(lattice.calls.counters()["GetAuthPolicy"], 1);
  t.is(lattice.calls.counters()["PutAuthPolicy"], undefined, "the same document is not put again");
  lattice.calls.clear();
  await converge(p, desiredOf(adopted(authPolicy())));
  t.is(lattice.calls.count(), 0);

  // Not put by gatehouse: a Gateway deleted now leaves it.
  const p2 = provider(lattice);
  t.teardown(() => p2.close());
  const r = await converge(p2, desiredOf(adopted(authPolicy())));
  t.true((await p2.finalize({ kind: "HTTPRoute", namespace: "default", name: "web" })).done);
  t.true((await p2.finalize({ kind: "Gateway", namespace: "default", name: "gw", annotations: { "gatehouse.dev/lattice": r.gateways[0]!.annotations!["gatehouse.dev/lattice"]! } })).done);
  t.deepEqual(policyOf(lattice, "shared"), authPolicy(), "a policy gatehouse did not put stays");

  // Again, now with an edit: one PutAuthPolicy (no read: what is there is known).
  const p3 = provider(lattice);
  t.teardown(() => p3.close());
  await converge(p3, desiredOf(adopted(authPolicy())));
  lattice.calls.clear();
  await converge(p3, desiredOf(adopted(authPolicy("123456789012", 2))));
  t.deepEqual(lattice.calls.counters(), { PutAuthPolicy: 1 });

  // Removed from the config: an adopted network's policy is not touched (gatehouse stops managing it).
  lattice.calls.clear();
  t.deepEqual((await p3.plan(desiredOf(adopted(undefined)))).changes, []);
  await converge(p3, desiredOf(adopted(undefined)));
  t.is(lattice.calls.count({ mutating: true }), 0);
  t.deepEqual(policyOf(lattice, "shared"), authPolicy("123456789012", 2));
  // Set again (put by gatehouse), then the Gateway goes: its policy goes, the network stays.
  await converge(p3, desiredOf(adopted(authPolicy("123456789012", 3))));
  lattice.calls.clear();
  t.true((await p3.finalize({ kind: "HTTPRoute", namespace: "default", name: "web" })).done);
  const gw = await p3.finalize({ kind: "Gateway", namespace: "default", name: "gw" });
  t.true(gw.done, gw.message);
  t.is(lattice.calls.counters()["DeleteAuthPolicy"], 1);
  t.is(policyOf(lattice, "shared"), undefined);
  t.is(lattice.state.counts().serviceNetwork, 1, "an adopted network is never deleted");
  t.true(lattice.state.isEmpty({ key: TAG.cluster }));
});

test("an adopted network whose authType is NONE: the policy is put, and the Gateway's message says it is Inactive", async (t) => {
  const lattice = await fake();
  t.teardown(() => lattice.close());
  const client = sdk(lattice);
  t.teardown(() => client.destroy());
  await client.send(new CreateServiceNetworkCommand({ name: "open", authType: "NONE" }));
  const p = provider(lattice);
  t.teardown(() => p.close());
  const r = await converge(p, desiredOf(world(authConfigYaml(authPolicy(), "AWS_IAM", { name: "open", create: false }))));
  t.like(r.gateways[0], { programmed: true });
  t.regex(r.gateways[0]!.message, /auth policy is Inactive: the service network's authType is NONE/);
  t.deepEqual(policyOf(lattice, "open"), authPolicy());
});

test("an invalid document or authType NONE: Programmed=False naming the field, nothing removed, no call", async (t) => {
  const lattice = await fake();
  t.teardown(() => lattice.close());
  const p = provider(lattice);
  t.teardown(() => p.close());
  await converge(p, desiredOf(world(authConfigYaml(authPolicy()))));
  const before = lattice.state.counts();
  lattice.calls.clear();
  const cases: [string, string, RegExp][] = [
    ["wrong authType", authConfigYaml(authPolicy(), "NONE"),
      /LatticeConfig default\/lattice-config: spec\.serviceNetwork\.authPolicy: needs spec\.serviceNetwork\.authType: AWS_IAM/],
    ["Statement not a list", authConfigYaml({ Version: "2012-10-17", Statement: { Effect: "Allow" } }),
      /spec\.serviceNetwork\.authPolicy\.Statement: must be a list of statements/],
    ["no Version", authConfigYaml({ Statement: authPolicy().Statement }), /spec\.serviceNetwork\.authPolicy\.Version: required/],
    ["a string", authConfigYaml("{\"Version\":\"2012-10-17\"}"), /spec\.serviceNetwork\.authPolicy: must be an IAM policy document/],
  ];
  for (const [label, cfg, message] of cases) {
    const desired = desiredOf(world(cfg));
    t.deepEqual((await p.plan(desired)).changes, [], `${label}: nothing planned`);
    const r = await converge(p, desired);
    t.like(r.gateways[0], { programmed: false, reason: "Invalid" }, label);
    t.regex(r.gateways[0]!.message, message, label);
    const { statuses } = computeOf(world(cfg), [r]);
    const st = statuses.find((s) => s.kind === "Gateway")!.status as { conditions: { type: string; status: string; message: string }[] };
    const programmed = st.conditions.find((c) => c.type === "Programmed")!;
    t.is(programmed.status, "False", label);
    t.regex(programmed.message, message, label);
  }
  t.is(lattice.calls.count(), 0, "no call while the config is invalid");
  t.deepEqual(lattice.state.counts(), before, "nothing removed");
  t.deepEqual(policyOf(lattice, "gw-default"), authPolicy(), "the policy stays");
});

test("a policy Lattice refuses is the Gateway's error; the VPC association is made all the same", async (t) => {
  const lattice = await fake();
  t.teardown(() => lattice.close());
  const p = provider(lattice);
  t.teardown(() => p.close());
  lattice.inject.add({ operation: "PutAuthPolicy", fault: { kind: "error", status: 400, code: "ValidationException", message: "Invalid policy action" } });
  const r = await converge(p, desiredOf(world(authConfigYaml(authPolicy()))));
  t.like(r.gateways[0], { programmed: false, reason: "Invalid" });
  t.regex(r.gateways[0]!.message, /put auth policy of service network gw-default: ValidationException: Invalid policy action/);
  t.like(lattice.state.counts(), { serviceNetwork: 1, vpcAssociation: 1, service: 1 });
  t.is(r.routes[0]!.error, undefined, "the routes are programmed");
  // Next time it goes through.
  const r2 = await converge(p, desiredOf(world(authConfigYaml(authPolicy()))));
  t.like(r2.gateways[0], { programmed: true });
  t.deepEqual(policyOf(lattice, "gw-default"), authPolicy());
});

test("drift: a policy changed outside gatehouse is put back after the drift check", async (t) => {
  const lattice = await fake();
  t.teardown(() => lattice.close());
  const client = sdk(lattice);
  t.teardown(() => client.destroy());
  const p = provider(lattice);
  t.teardown(() => p.close());
  const desired = desiredOf(world(authConfigYaml(authPolicy())));
  await converge(p, desired);
  const snId = String(lattice.state.snapshot().serviceNetworks[0]!["id"]);
  await client.send(new PutAuthPolicyCommand({ resourceIdentifier: snId, policy: JSON.stringify(authPolicy("210987654321")) }));
  lattice.calls.clear();
  t.is(await p.driftCheck(), 1);
  await converge(p, desired);
  t.is(lattice.calls.counters()["PutAuthPolicy"], 1);
  t.deepEqual(policyOf(lattice, "gw-default"), authPolicy());
  lattice.calls.clear();
  t.is(await p.driftCheck(), 0);
  t.is(lattice.calls.counters({ mutating: true })["PutAuthPolicy"], undefined);
});

test("LatticeConfig authPolicy validation", (t) => {
  const spec = (authPolicy: unknown, authType = "AWS_IAM") => ({ vpcIdentifier: "vpc-0123456789abcdef0", serviceNetwork: { create: true, authType, authPolicy } });
  const ok = parseLatticeConfig(spec({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "*", Resource: "*", Principal: "*" }] }));
  t.true(ok.ok);
  if (ok.ok) t.deepEqual(Object.keys(ok.spec.serviceNetwork.authPolicy!), ["Statement", "Version"]);
  const bad: [unknown, string, string?][] = [
    [[], "spec.serviceNetwork.authPolicy"],
    [{ Version: "2020-01-01", Statement: [{ Effect: "Allow" }] }, "spec.serviceNetwork.authPolicy.Version"],
    [{ Version: "2012-10-17" }, "spec.serviceNetwork.authPolicy.Statement"],
    [{ Version: "2012-10-17", Statement: [] }, "spec.serviceNetwork.authPolicy.Statement"],
    [{ Version: "2012-10-17", Statement: ["x"] }, "spec.serviceNetwork.authPolicy.Statement[0]"],
    [{ Version: "2012-10-17", Statement: [{ Effect: "Permit" }] }, "spec.serviceNetwork.authPolicy.Statement[0].Effect"],
    [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Resource: Number.NaN }] }, "spec.serviceNetwork.authPolicy.Statement[0].Resource"],
    [{ Version: "2012-10-17", Statement: [{ Effect: "Allow" }] }, "spec.serviceNetwork.authPolicy", "NONE"],
  ];
  for (const [doc, field, authType] of bad) {
    const r = parseLatticeConfig(spec(doc, authType));
    t.false(r.ok, JSON.stringify(doc));
    if (!r.ok) {
      t.is(r.field, field, JSON.stringify(doc));
      t.true(r.message.startsWith(`${field}: `), r.message);
    }
  }
  // Size: the compact JSON must fit Lattice's limit.
  const big = (n: number) => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "vpc-lattice-svcs:Invoke", Resource: "x".repeat(n) }] });
  const base = checkAuthPolicy(big(0), "p");
  t.true(base.ok);
  const fits = AUTH_POLICY_MAX_BYTES - (base.ok ? base.text.length : 0);
  t.true(checkAuthPolicy(big(fits), "p").ok);
  const over = checkAuthPolicy(big(fits + 1), "p");
  t.false(over.ok);
  if (!over.ok) t.regex(over.message, /^p: 10001 bytes as JSON exceed the 10000 VPC Lattice takes/);
  // No policy is fine; null is no policy.
  t.true(parseLatticeConfig(spec(undefined, "NONE")).ok);
  t.true(parseLatticeConfig(spec(null, "NONE")).ok);
});
