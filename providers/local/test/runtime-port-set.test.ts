// PortSet: what each config does to the ports of one worker, with recording factories.
import test from "ava";
import { PortSet } from "../src/runtime/port-set.js";
import { DEFAULT_PROXY_SETTINGS, resolveSettings } from "../src/runtime/settings.js";
import type { FactoryTable } from "../src/runtime/factories.js";
import type { BoundPort, PortFactory, ProxySettings, WorkerConfig } from "../src/runtime/types.js";
import { bound, recorder } from "./fixtures/runtime-util.js";

interface Call { op: "create" | "listen" | "update" | "drain"; id: string; protocol: string; arg?: unknown }

/** Factories that record every call; listen fails for ids in `failing` (the message names the address). */
function recording(failing = new Set<string>()) {
  const calls: Call[] = [];
  const make = (protocol: BoundPort["protocol"]): PortFactory => (port, settings) => {
    calls.push({ op: "create", id: port.id, protocol, arg: settings });
    return {
      protocol,
      async listen() {
        calls.push({ op: "listen", id: port.id, protocol });
        if (failing.has(port.id)) throw new Error(`listen EADDRINUSE: address already in use ${port.host}:${port.port}`);
      },
      update(p: BoundPort, s: ProxySettings) { calls.push({ op: "update", id: p.id, protocol, arg: { names: p.listeners.map((l) => l.name), s } }); },
      async drain(ms: number) { calls.push({ op: "drain", id: port.id, protocol, arg: ms }); },
    };
  };
  const table: FactoryTable = { HTTP: make("HTTP"), HTTPS: make("HTTPS"), TCP: make("TCP"), TLS: { load: async () => make("TLS") } };
  return { calls, table, failing };
}

const H = "127.60.0.1";
const cfg = (generation: number, ports: BoundPort[], settings: ProxySettings = DEFAULT_PROXY_SETTINGS): WorkerConfig => ({ generation, settings, ports });
const ops = (calls: Call[]) => calls.map((c) => `${c.op} ${c.id}`);

test("new ids are created and bound; the ack has no errors", async (t) => {
  const f = recording();
  const set = new PortSet(f.table, recorder());
  const r = await set.apply(cfg(1, [bound(H, 80, "HTTP", ["a"]), bound(H, 81, "TCP", ["b"])]));
  t.deepEqual(r.ack, { generation: 1, errors: [] });
  t.deepEqual(r.created, [`${H}:80/tcp`, `${H}:81/tcp`]);
  t.deepEqual(ops(f.calls), [`create ${H}:80/tcp`, `listen ${H}:80/tcp`, `create ${H}:81/tcp`, `listen ${H}:81/tcp`]);
  t.deepEqual(set.ids(), [`${H}:80/tcp`, `${H}:81/tcp`]);
});

test("same id and protocol → update (only when something changed); removed id → drain with its drain timeout", async (t) => {
  const f = recording();
  const set = new PortSet(f.table, recorder());
  await set.apply(cfg(1, [bound(H, 80, "HTTP", ["a"]), bound(H, 81, "TCP", ["b"]), bound(H, 82, "TCP", ["c"])]));
  f.calls.length = 0;
  const r = await set.apply(cfg(2, [bound(H, 80, "HTTP", ["a2"]), bound(H, 81, "TCP", ["b"])]));
  t.deepEqual(r.updated, [`${H}:80/tcp`]);
  t.deepEqual(r.drained, [`${H}:82/tcp`]);
  t.deepEqual(r.created, []);
  t.deepEqual(f.calls.map((c) => [c.op, c.id, c.op === "drain" ? c.arg : undefined]), [
    ["drain", `${H}:82/tcp`, DEFAULT_PROXY_SETTINGS.drainTimeoutMs],
    ["update", `${H}:80/tcp`, undefined],
  ]);
  t.deepEqual((f.calls[1]!.arg as { names: string[] }).names, ["a2"]);
});

test("protocol changed on the same id → the old server drains and a new one is created", async (t) => {
  const f = recording();
  const set = new PortSet(f.table, recorder());
  await set.apply(cfg(1, [bound(H, 443, "HTTP", ["a"])]));
  f.calls.length = 0;
  const r = await set.apply(cfg(2, [bound(H, 443, "TLS", ["a"])]));
  t.deepEqual(r.drained, [`${H}:443/tcp`]);
  t.deepEqual(r.created, [`${H}:443/tcp`]);
  t.deepEqual(f.calls.map((c) => `${c.op} ${c.protocol}`), ["drain HTTP", "create TLS", "listen TLS"]);
});

test("a settings change updates every port; per-port settings win over the process settings", async (t) => {
  const f = recording();
  const set = new PortSet(f.table, recorder());
  const own = resolveSettings({ idleTimeoutMs: 5000, drainTimeoutMs: 10 });
  const withOwn = { ...bound(H, 90, "TCP", ["own"]), settings: own };
  await set.apply(cfg(1, [bound(H, 80, "HTTP", ["a"]), withOwn]));
  t.is((f.calls.find((c) => c.op === "create" && c.id === withOwn.id)!.arg as ProxySettings).idleTimeoutMs, 5000);
  t.is((f.calls.find((c) => c.op === "create" && c.id === `${H}:80/tcp`)!.arg as ProxySettings).idleTimeoutMs, 60_000);
  f.calls.length = 0;
  const changed = resolveSettings({ idleTimeoutMs: 1234 });
  const r = await set.apply(cfg(2, [bound(H, 80, "HTTP", ["a"]), withOwn], changed));
  t.deepEqual(r.updated, [`${H}:80/tcp`], "the port with its own settings did not change");
  t.is((f.calls[0]!.arg as { s: ProxySettings }).s.idleTimeoutMs, 1234);
  f.calls.length = 0;
  await set.apply(cfg(3, [bound(H, 80, "HTTP", ["a"])], changed));
  t.deepEqual(f.calls.map((c) => [c.op, c.arg]), [["drain", 10]], "a removed port drains with its own drain timeout");
});

test("bind errors are acked per id and the port is retried with the next config; others are not disturbed", async (t) => {
  const f = recording(new Set([`${H}:81/tcp`]));
  const set = new PortSet(f.table, recorder());
  const ports = [bound(H, 80, "HTTP", ["a"]), bound(H, 81, "TCP", ["b"])];
  const r1 = await set.apply(cfg(1, ports));
  t.deepEqual(r1.ack.errors, [{ id: `${H}:81/tcp`, message: `listen EADDRINUSE: address already in use ${H}:81` }]);
  t.deepEqual(set.ids(), [`${H}:80/tcp`]);
  t.true(f.calls.some((c) => c.op === "drain" && c.id === `${H}:81/tcp` && c.arg === 0), "the failed server is cleaned up");
  f.failing.clear();
  f.calls.length = 0;
  const r2 = await set.apply(cfg(2, ports));
  t.deepEqual(r2.ack.errors, []);
  t.deepEqual(ops(f.calls), [`create ${H}:81/tcp`, `listen ${H}:81/tcp`], "the good port is untouched, the failed one retried");
});

test("a protocol without a factory, a throwing factory and a throwing update are errors naming the address", async (t) => {
  const f = recording();
  const table: FactoryTable = {
    ...f.table,
    HTTPS: () => { throw new Error("no certificate"); },
  };
  const set = new PortSet(table, recorder());
  const r = await set.apply(cfg(1, [bound(H, 53, "UDP", ["dns"]), bound(H, 443, "HTTPS", ["s"]), bound(H, 80, "HTTP", ["a"])]));
  t.deepEqual(r.ack.errors, [
    { id: `${H}:443/tcp`, message: `${H}:443: no certificate` },
    { id: `${H}:53/udp`, message: "no server for protocol UDP" },
  ]);
  // Updating can fail too (e.g. a server refusing a config): reported, the old config keeps serving.
  const bad = new PortSet({ HTTP: (port) => ({ protocol: port.protocol, listen: async () => undefined, update: () => { throw new Error("bad"); }, drain: async () => undefined }) }, recorder());
  await bad.apply(cfg(1, [bound(H, 80, "HTTP", ["a"])]));
  const r2 = await bad.apply(cfg(2, [bound(H, 80, "HTTP", ["b"])]));
  t.deepEqual(r2.ack.errors, [{ id: `${H}:80/tcp`, message: `${H}:80: bad` }]);
  t.deepEqual(bad.ids(), [`${H}:80/tcp`]);
});

test("lazy factories load once, on first use; a failing load is an error and is retried", async (t) => {
  let loads = 0;
  let fail = true;
  const f = recording();
  const table: FactoryTable = {
    TCP: { load: async () => { loads++; if (fail) throw new Error("module missing"); return f.table.TCP as PortFactory; } },
    HTTP: { load: async () => { throw new Error("never used"); } },
  };
  const set = new PortSet(table, recorder());
  const r1 = await set.apply(cfg(1, [bound(H, 81, "TCP", ["b"])]));
  t.deepEqual(r1.ack.errors, [{ id: `${H}:81/tcp`, message: "loading the TCP server failed: module missing" }]);
  fail = false;
  await set.apply(cfg(2, [bound(H, 81, "TCP", ["b"])]));
  await set.apply(cfg(3, [bound(H, 81, "TCP", ["b"]), bound(H, 82, "TCP", ["c"])]));
  t.is(loads, 2);
  t.deepEqual(set.ids(), [`${H}:81/tcp`, `${H}:82/tcp`]);
});

test("configs apply in order; close drains everything and waits for the drains", async (t) => {
  const f = recording();
  const set = new PortSet(f.table, recorder());
  const a = set.apply(cfg(1, [bound(H, 80, "HTTP", ["a"])]));
  const b = set.apply(cfg(2, [bound(H, 81, "HTTP", ["b"])]));
  t.deepEqual([(await a).ack.generation, (await b).ack.generation], [1, 2]);
  t.deepEqual(ops(f.calls), [`create ${H}:80/tcp`, `listen ${H}:80/tcp`, `drain ${H}:80/tcp`, `create ${H}:81/tcp`, `listen ${H}:81/tcp`]);
  await set.close();
  t.deepEqual(set.ids(), []);
  t.is(f.calls.at(-1)!.op, "drain");
  const after = await set.apply(cfg(3, [bound(H, 80, "HTTP", ["a"])]));
  t.deepEqual(after.created, [], "a closed set serves nothing");
});
