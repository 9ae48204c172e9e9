// WorkerPool with real worker threads serving the fixture factories on 127.61.x addresses.
import test from "ava";
import { threadId } from "node:worker_threads";
import { WorkerPool } from "../src/runtime/pool.js";
import { DEFAULT_PROXY_SETTINGS } from "../src/runtime/settings.js";
import type { BoundPort, WorkerConfig } from "../src/runtime/types.js";
import { bound, freePort, httpGet, recorder, tcpLine, until } from "./fixtures/runtime-util.js";

const FIXTURE = new URL("./fixtures/runtime-factories.js", import.meta.url);
const settings = { ...DEFAULT_PROXY_SETTINGS, drainTimeoutMs: 200 };
const cfg = (generation: number, ports: BoundPort[]): WorkerConfig => ({ generation, settings, ports });

/** Replies of `n` fresh connections. */
async function replies(host: string, port: number, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await tcpLine(host, port, "hello"));
  return out;
}

test.serial("2 workers serve TCP and HTTP on 127.x; a config update swaps what they answer; close stops them", async (t) => {
  const host = "127.61.0.1";
  const [tcp, http] = [await freePort(host), await freePort(host)];
  const logs = recorder();
  const pool = new WorkerPool({ workers: 2, factories: { module: FIXTURE }, log: logs.log });
  t.teardown(() => pool.close());

  const ack1 = await pool.apply(cfg(1, [bound(host, tcp, "TCP", ["a"]), bound(host, http, "HTTP", ["web"])]));
  t.deepEqual(ack1, { generation: 1, errors: [] });
  t.is(pool.threadIds().length, 2);
  const first = await replies(host, tcp, 20);
  for (const r of first) t.regex(r, /^a \d+$/);
  const threads = new Set(first.map((r) => Number(r.split(" ")[1])));
  t.false(threads.has(threadId), "served by worker threads, not the test's thread");
  for (const id of threads) t.true(pool.threadIds().includes(id));
  const h = await httpGet(host, http, "/x");
  t.like(h, { status: 200 });
  t.regex(typeof h === "string" ? h : h.body, /^web \d+ \/x$/);
  // Worker logs reach the pool's LogFn, tagged with the worker.
  await until(() => logs.lines.filter((l) => l.msg === "fixture listening").length === 4, "4 listening logs (2 ports × 2 workers)");
  t.deepEqual([...new Set(logs.lines.filter((l) => l.msg === "fixture listening").map((l) => l.fields?.worker))].sort(), [0, 1]);

  const ack2 = await pool.apply(cfg(2, [bound(host, tcp, "TCP", ["b"])]));
  t.deepEqual(ack2, { generation: 2, errors: [] });
  for (const r of await replies(host, tcp, 20)) t.regex(r, /^b \d+$/);
  await until(async () => typeof (await httpGet(host, http)) === "string", "the removed HTTP port to stop accepting");

  await pool.close();
  t.is(await tcpLine(host, tcp, "hello"), "ECONNREFUSED");
});

test.serial("bind errors come back in the ack, by port id, naming the address", async (t) => {
  const host = "127.61.0.2";
  const port = await freePort(host);
  const pool = new WorkerPool({ workers: 2, factories: { module: FIXTURE }, log: recorder().log });
  t.teardown(() => pool.close());
  // 127.61.0.2 is ours; an address not on this host cannot be bound.
  const ack = await pool.apply(cfg(1, [bound(host, port, "TCP", ["ok"]), bound("192.0.2.1", port, "TCP", ["nope"]), bound(host, port, "UDP", ["u"])]));
  t.deepEqual(ack.errors.map((e) => e.id), [`${host}:${port}/udp`, `192.0.2.1:${port}/tcp`]);
  t.is(ack.errors[0]!.message, "no server for protocol UDP");
  t.regex(ack.errors[1]!.message, /EADDRNOTAVAIL.*192\.0\.2\.1/);
  t.regex(await tcpLine(host, port, "hello"), /^ok \d+$/);
});

test.serial("a crashed worker is restarted with the current config and serves again", async (t) => {
  const host = "127.61.0.3";
  const port = await freePort(host);
  const logs = recorder();
  const pool = new WorkerPool({ workers: 2, factories: { module: FIXTURE }, log: logs.log });
  t.teardown(() => pool.close());
  await pool.apply(cfg(1, [bound(host, port, "TCP", ["a"])]));
  await pool.apply(cfg(2, [bound(host, port, "TCP", ["current"])]));
  const before = pool.threadIds();

  t.is(await tcpLine(host, port, "crash"), "", "the connection dies with its worker");
  await until(() => pool.threadIds().length === 2 && pool.threadIds().some((id) => !before.includes(id)), "a replacement worker");
  t.true(logs.lines.some((l) => l.level === "error" && l.msg === "worker crashed" && String(l.fields?.error).includes("crash requested")));
  const fresh = pool.threadIds().find((id) => !before.includes(id))!;
  // The kernel spreads connections over both workers' sockets: within a bounded number of
  // connections the replacement answers, with the config current when it started.
  await until(async () => (await tcpLine(host, port, "hello")) === `current ${fresh}`, "the restarted worker to answer", 400, 0);
  // And it acks new generations like the others.
  t.deepEqual(await pool.apply(cfg(3, [bound(host, port, "TCP", ["after"])])), { generation: 3, errors: [] });
  for (const r of await replies(host, port, 10)) t.regex(r, /^after \d+$/);
});

test("workers: 0 serves in the calling thread; a factory table needs workers: 0", async (t) => {
  const host = "127.61.0.4";
  const port = await freePort(host);
  const { factories } = await import("./fixtures/runtime-factories.js");
  const pool = new WorkerPool({ workers: 0, factories, log: recorder().log });
  t.teardown(() => pool.close());
  t.deepEqual(await pool.apply(cfg(1, [bound(host, port, "TCP", ["here"])])), { generation: 1, errors: [] });
  t.is(await tcpLine(host, port, "hello"), `here ${threadId}`);
  await t.throwsAsync(() => pool.apply(cfg(1, [])), { message: /not newer/ });
  t.throws(() => new WorkerPool({ workers: 2, factories, log: recorder().log }), { message: /factories module/ });
});

test.serial("a worker that crashes on every start does not hold up apply; the next good config serves", async (t) => {
  const host = "127.61.0.5";
  const port = await freePort(host);
  const logs = recorder();
  const pool = new WorkerPool({ workers: 2, factories: { module: FIXTURE }, log: logs.log });
  t.teardown(() => pool.close());
  const ack = await pool.apply(cfg(1, [bound(host, port, "TLS", ["boom"])]));
  t.deepEqual(ack.errors.map((e) => e.id), [`${host}:${port}/tcp`]);
  t.regex(ack.errors[0]!.message, /^worker \d keeps crashing: cannot start$/);
  t.deepEqual(await pool.apply(cfg(2, [bound(host, port, "TCP", ["fine"])])), { generation: 2, errors: [] });
  t.regex(await tcpLine(host, port, "hello"), /^fine \d+$/);
});
