// LocalProvider outside a cluster, end to end: YAML → compute() → plan/apply → sockets
// answering on 127.62.x addresses (fixture servers, in the test's thread: workers: 0).
import test from "ava";
import { createServer, type Server } from "node:net";
import { threadId } from "node:worker_threads";
import { LocalProvider } from "../src/provider.js";
import { factories } from "./fixtures/runtime-factories.js";
import { desiredOf, docs, gateway, gatewayClass, http, programmedOf, proxyConfig } from "./fixtures/provider-world.js";
import { freePort, httpGet, recorder, until } from "./fixtures/runtime-util.js";

function occupy(host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen({ host, port }, () => resolve(s)); // no reusePort: nobody else can bind it
  });
}

test.serial("two Gateways on port 80 get their own addresses; a bind failure is AddressNotUsable for its Gateway only", async (t) => {
  const base = await freePort("127.62.0.1");
  const offset = base - 80;
  const blocker = await occupy("127.62.0.200", base);
  t.teardown(() => blocker.close());
  const provider = new LocalProvider({ workers: 0, portOffset: offset, addressPool: ["127.62.0.0/24"], logger: recorder().log, factories });
  t.teardown(() => provider.close());

  const yaml = docs(
    gatewayClass("local"),
    gateway("a", `[${http("web", 80)}]`),
    gateway("b", `[${http("web", 80)}, ${http("alt", 81)}]`),
    gateway("c", `[${http("web", 80)}]`, { extra: `  addresses: [{ type: IPAddress, value: "127.62.0.200" }]` }),
  );
  const desired = desiredOf(yaml);
  const plan = await provider.plan(desired);
  t.deepEqual(plan.changes.map((c) => `${c.op} ${c.id}`), [
    `create 127.62.0.1:${base}/tcp`, `create 127.62.0.200:${base}/tcp`, `create 127.62.0.2:${base}/tcp`, `create 127.62.0.2:${base + 1}/tcp`,
  ]);
  t.deepEqual(plan.changes[0]!.sources, ["gateway/default/a/listener/web"]);
  t.is(plan.changes[0]!.resource, "local:listener");
  t.regex(plan.changes[0]!.summary, /HTTP 127\.62\.0\.1:\d+\/tcp for Gateway default\/a \(listeners web\)/);
  t.deepEqual(provider.servedPorts(), [], "plan changes nothing");

  const r = await provider.apply(plan, desired);
  t.is(r.controllerName, "gatehouse.dev/local");
  t.deepEqual(r.routes, []);
  const [a, b, c] = r.gateways;
  t.like(a, { key: "default/a", programmed: true, reason: "Programmed", addresses: [{ type: "IPAddress", value: "127.62.0.1" }] });
  t.like(b, { key: "default/b", programmed: true, addresses: [{ type: "IPAddress", value: "127.62.0.2" }] });
  t.deepEqual(b!.listeners.map((l) => [l.name, l.programmed]), [["web", true], ["alt", true]]);
  t.like(c, { key: "default/c", programmed: false, reason: "AddressNotUsable" });
  t.regex(c!.message, /127\.62\.0\.200/);
  t.regex(c!.message, /EADDRINUSE/);

  // Served: both Gateways on "port 80", each on its own address.
  t.like(await httpGet("127.62.0.1", base, "/x"), { status: 200, body: `web ${threadId} /x` });
  t.like(await httpGet("127.62.0.2", base, "/y"), { status: 200, body: `web ${threadId} /y` });
  t.like(await httpGet("127.62.0.2", base + 1), { status: 200, body: `alt ${threadId} /` });

  // The core turns the results into status.
  t.like(programmedOf(yaml, r, "default/c"), { status: "False", reason: "AddressNotUsable" });
  t.like(programmedOf(yaml, r, "default/a"), { status: "True", reason: "Programmed", addresses: [{ type: "IPAddress", value: "127.62.0.1" }] });

  // The failed port is still to be created; the others are in place.
  t.deepEqual((await provider.plan(desired)).changes.map((c) => `${c.op} ${c.id}`), [`create 127.62.0.200:${base}/tcp`]);
  await new Promise<void>((resolve) => blocker.close(() => resolve()));
  const again = await provider.apply(await provider.plan(desired), desired);
  t.like(again.gateways[2], { key: "default/c", programmed: true, addresses: [{ type: "IPAddress", value: "127.62.0.200" }] });
  t.like(await httpGet("127.62.0.200", base), { status: 200 });
  t.deepEqual((await provider.plan(desired)).changes, []);
});

test.serial("updates swap in place, removed Gateways drain; addresses stay with their Gateway", async (t) => {
  const base = await freePort("127.62.1.1");
  const provider = new LocalProvider({ workers: 0, portOffset: base - 80, addressPool: ["127.62.1.0/24"], logger: recorder().log, factories });
  t.teardown(() => provider.close());
  const v1 = docs(gatewayClass("local"), gateway("a", `[${http("web", 80)}]`), gateway("b", `[${http("web", 80)}]`));
  await provider.apply(await provider.plan(desiredOf(v1)), desiredOf(v1));
  t.like(await httpGet("127.62.1.2", base), { body: `web ${threadId} /` });

  // b's listener renamed, a gone, z added (z sorts last: it takes the next free address, b keeps .2).
  const v2 = docs(gatewayClass("local"), gateway("b", `[${http("renamed", 80)}]`), gateway("z", `[${http("web", 80)}]`));
  const plan = await provider.plan(desiredOf(v2));
  t.deepEqual(plan.changes.map((c) => `${c.op} ${c.id}`), [
    `delete 127.62.1.1:${base}/tcp`, `update 127.62.1.2:${base}/tcp`, `create 127.62.1.3:${base}/tcp`,
  ]);
  t.regex(plan.changes[0]!.summary, /^drain HTTP/);
  t.deepEqual(plan.changes[1]!.sources, ["gateway/default/b/listener/renamed"]);
  const r = await provider.apply(plan, desiredOf(v2));
  t.deepEqual(r.gateways.map((g) => [g.key, g.addresses[0]?.value]), [["default/b", "127.62.1.2"], ["default/z", "127.62.1.3"]]);
  t.like(await httpGet("127.62.1.2", base), { body: `renamed ${threadId} /` });
  await until(async () => typeof (await httpGet("127.62.1.1", base)) === "string", "a's port to close");
  // a comes back: its old address again.
  const v3 = docs(v2, gateway("a", `[${http("web", 80)}]`));
  const r3 = await provider.apply(await provider.plan(desiredOf(v3)), desiredOf(v3));
  t.deepEqual(r3.gateways.map((g) => [g.key, g.addresses[0]?.value]), [["default/a", "127.62.1.1"], ["default/b", "127.62.1.2"], ["default/z", "127.62.1.3"]]);
});

test.serial("LocalProxyConfig: per-Gateway settings; an invalid one is Invalid naming the field, and what serves keeps serving", async (t) => {
  const base = await freePort("127.62.2.1");
  const logs = recorder();
  const provider = new LocalProvider({ workers: 0, portOffset: base - 80, addressPool: ["127.62.2.0/24"], logger: logs.log, factories });
  t.teardown(() => provider.close());
  const world = (tunedSpec: string) => docs(
    gatewayClass("local"), gatewayClass("tuned", "fast"), gatewayClass("broken", "bad"),
    proxyConfig("fast", tunedSpec),
    proxyConfig("bad", `{ timeouts: { idle: "10x" } }`),
    gateway("plain", `[${http("web", 80)}]`),
    gateway("quick", `[${http("web", 80)}]`, { className: "tuned" }),
    gateway("wrong", `[${http("web", 80)}]`, { className: "broken" }),
  );
  const good = world(`{ timeouts: { idle: "5s" }, addresses: { pool: ["127.62.3.0/24"] } }`);
  const desired = desiredOf(good);
  t.like(desired.gateways.find((g) => g.name === "quick")!.parameters, { group: "gatehouse.dev", kind: "LocalProxyConfig", name: "fast" });
  const r = await provider.apply(await provider.plan(desired), desired);
  const byKey = new Map(r.gateways.map((g) => [g.key, g]));
  t.like(byKey.get("default/plain"), { programmed: true, addresses: [{ value: "127.62.2.1" }] });
  t.like(byKey.get("default/quick"), { programmed: true, addresses: [{ value: "127.62.3.1" }] }, "its class's pool");
  t.like(byKey.get("default/wrong"), {
    programmed: false, reason: "Invalid", message: 'LocalProxyConfig default/bad: spec.timeouts.idle: "10x" is not a duration', addresses: [],
  });
  t.like(programmedOf(good, r, "default/wrong"), { status: "False", reason: "Invalid" });
  const idle = async (host: string) => {
    const h = await httpGet(host, base);
    return typeof h === "string" ? h : h.headers["x-idle-timeout-ms"];
  };
  t.is(await idle("127.62.2.1"), "60000", "default settings");
  t.is(await idle("127.62.3.1"), "5000", "its LocalProxyConfig's settings");

  // The config turns invalid: the Gateway reports it, its port keeps serving with the last valid settings.
  const bad = world(`{ timeouts: { idle: "5s" }, upstream: { ejection: "soon" } }`);
  const r2 = await provider.apply(await provider.plan(desiredOf(bad)), desiredOf(bad));
  const quick = r2.gateways.find((g) => g.key === "default/quick")!;
  t.like(quick, { programmed: false, reason: "Invalid", addresses: [{ value: "127.62.3.1" }] });
  t.is(quick.message, 'LocalProxyConfig default/fast: spec.upstream.ejection: "soon" is not a duration (still serving with the last valid settings)');
  t.is(await idle("127.62.3.1"), "5000");
  t.like(r2.gateways.find((g) => g.key === "default/plain"), { programmed: true });
});

test("capabilities, finalize, options", async (t) => {
  const p = new LocalProvider({ workers: 0, controllerName: "example.com/mine", logger: recorder().log, factories });
  t.is(p.capabilities.controllerName, "example.com/mine");
  t.deepEqual(p.capabilities.parameters, [{ group: "gatehouse.dev", kind: "LocalProxyConfig" }]);
  t.true(p.everyReplica);
  t.false(p.needsFinalizer);
  t.deepEqual(await p.finalize(), { done: true, message: "the local proxy owns nothing outside this process" });
  // Gateways of other controllers are not ours.
  const r = await p.apply({ controllerName: "example.com/mine", changes: [] }, desiredOf(docs(gatewayClass("local"), gateway("a", `[${http("web", 80)}]`))));
  t.deepEqual(r.gateways, []);
  await p.close();
  await t.throwsAsync(() => p.apply({ controllerName: "example.com/mine", changes: [] }, { gateways: [] }), { message: /closed/ });
  t.throws(() => new LocalProvider({ logger: recorder().log, addressPool: ["nope"] }), { message: /address pool/ });
  t.throws(() => new LocalProvider({ logger: recorder().log, inCluster: { portRange: { from: 5, to: 1 } } }), { message: /portRange/ });
  t.throws(() => new LocalProvider({ logger: recorder().log, workers: 2, factories }), { message: /factories module/ });
});
