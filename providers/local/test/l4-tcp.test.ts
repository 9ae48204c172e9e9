// TCPRoute through the local L4 port: weighted split, failover, invalid backends, half-close
// with a large payload, idle timeout, update() under an open session, drain.
import test from "ava";
import { connect } from "node:net";
import { createTcpPort } from "../src/l4/index.js";
import type { BoundPort } from "../src/runtime/types.js";
import {
  LineClient, boundPorts, echoBackend, eventually, gateway, gatewayClass, onlyPort, proxyPortNumber, refusedPort, route,
  service, settings, startPort, tcpExchange, testEnv, type Backend,
} from "./fixtures/l4-harness.js";

// Addresses 127.77.2.<n>: this file's own range.
let next = 1;
const addr = (): string => `127.77.2.${next++}`;

async function backends(t: { teardown(fn: () => Promise<void> | void): void }, names: string[]): Promise<Backend[]> {
  const out: Backend[] = [];
  for (const n of names) {
    const b = await echoBackend(n, addr());
    t.teardown(() => b.close());
    out.push(b);
  }
  return out;
}

function tcpGateway(host: string, port: number, backendsByWeight: { name: string; weight?: number }[], extra: unknown[]): BoundPort {
  return onlyPort(boundPorts([
    gatewayClass(),
    gateway("gw", [{ name: "tcp", port, protocol: "TCP" }]),
    route("TCPRoute", { name: "r", gateway: "gw", backends: backendsByWeight }),
    ...extra,
  ], "gw", host));
}

test("weighted split is exact over a cycle; weight 0 never", async (t) => {
  const [a, b, c, z] = await backends(t, ["a", "b", "c", "z"]);
  const host = addr();
  const port = proxyPortNumber();
  const bp = tcpGateway(host, port, [{ name: "a", weight: 1 }, { name: "b", weight: 2 }, { name: "c", weight: 3 }, { name: "z", weight: 0 }], [
    ...service("a", [a!]), ...service("b", [b!]), ...service("c", [c!]), ...service("z", [z!]),
  ]);
  const rt = await startPort(createTcpPort, bp, settings());
  t.teardown(() => rt.drain(0));
  const counts: Record<string, number> = {};
  for (let i = 0; i < 12; i++) {
    const r = await tcpExchange(host, port);
    t.is(r.error, undefined);
    const name = r.data.split("\n")[0]!;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  t.deepEqual(counts, { a: 2, b: 4, c: 6 });
  t.is(z!.accepted, 0);
});

test("a refused endpoint is skipped: every connection is served", async (t) => {
  const [ok] = await backends(t, ["ok"]);
  const deadAddr = addr();
  const dead = await refusedPort(deadAddr);
  const host = addr();
  const port = proxyPortNumber();
  const bp = tcpGateway(host, port, [{ name: "svc" }], [...service("svc", [{ address: deadAddr, port: dead }, ok!])]);
  const env = testEnv();
  const rt = await startPort(createTcpPort, bp, settings({ ejectionMs: 60_000 }), env);
  t.teardown(() => rt.drain(0));
  for (let i = 0; i < 6; i++) {
    const r = await tcpExchange(host, port, "ping");
    t.is(r.error, undefined);
    t.is(r.data, "ok\nping");
  }
  t.is(ok!.accepted, 6);
  // Ejected after the first refusal: later connections do not try it again.
  t.is(env.lines.filter((l) => l.msg.includes("endpoint connect failed")).length, 1);
});

test("an invalid backend refuses its share of connections", async (t) => {
  const [good] = await backends(t, ["good"]);
  const host = addr();
  const port = proxyPortNumber();
  // "missing" has no Service: BackendNotFound, weight 1 of 2.
  const bp = tcpGateway(host, port, [{ name: "good" }, { name: "missing" }], [...service("good", [good!])]);
  t.truthy(bp.listeners[0]!.tcp[0]!.backends.find((b) => b.invalid));
  const rt = await startPort(createTcpPort, bp, settings());
  t.teardown(() => rt.drain(0));
  let served = 0;
  let refused = 0;
  for (let i = 0; i < 10; i++) {
    const r = await tcpExchange(host, port);
    if (r.data.startsWith("good\n")) served++;
    else if (r.data === "") refused++;
  }
  t.is(served, 5);
  t.is(refused, 5);
});

test("half-close and a large payload: the whole echo comes back", async (t) => {
  const [e] = await backends(t, ["echo"]);
  const host = addr();
  const port = proxyPortNumber();
  const rt = await startPort(createTcpPort, tcpGateway(host, port, [{ name: "e" }], [...service("e", [e!])]), settings());
  t.teardown(() => rt.drain(0));
  const payload = Buffer.alloc(8 * 1024 * 1024);
  for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
  const received = await new Promise<Buffer>((resolve, reject) => {
    const s = connect({ host, port, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    s.on("data", (c: Buffer) => chunks.push(c));
    s.on("error", reject);
    s.on("connect", () => s.end(payload)); // FIN after the payload; the echo still flows back
    s.on("end", () => resolve(Buffer.concat(chunks)));
  });
  t.is(received.length, 5 + payload.length);
  t.true(received.subarray(5).equals(payload));
});

test("an idle session is closed after streamIdleTimeoutMs", async (t) => {
  const [e] = await backends(t, ["idle"]);
  const host = addr();
  const port = proxyPortNumber();
  const rt = await startPort(createTcpPort, tcpGateway(host, port, [{ name: "e" }], [...service("e", [e!])]), settings({ streamIdleTimeoutMs: 150 }));
  t.teardown(() => rt.drain(0));
  const c = await LineClient.open(host, port);
  t.is(await c.line(), "idle");
  t.true(await c.whenClosed(5000));
});

test("a session with traffic outlives the idle timeout", async (t) => {
  const [e] = await backends(t, ["busy"]);
  const host = addr();
  const port = proxyPortNumber();
  const rt = await startPort(createTcpPort, tcpGateway(host, port, [{ name: "e" }], [...service("e", [e!])]), settings({ streamIdleTimeoutMs: 1000 }));
  t.teardown(() => rt.drain(0));
  const c = await LineClient.open(host, port);
  t.is(await c.line(), "busy");
  // 2.5 s of traffic, a line every 100 ms: never idle for the 1 s timeout.
  for (let i = 0; i < 25; i++) {
    c.socket.write(`${i}\n`);
    t.is(await c.line(), String(i));
    await new Promise((r) => setTimeout(r, 100));
  }
  t.false(c.closed);
  t.true(await c.whenClosed(10_000)); // and once quiet, it is closed
});

test("update() reroutes new connections and leaves an open session alone", async (t) => {
  const [a, b] = await backends(t, ["a", "b"]);
  const host = addr();
  const port = proxyPortNumber();
  const toA = tcpGateway(host, port, [{ name: "s" }], [...service("s", [a!])]);
  const toB = tcpGateway(host, port, [{ name: "s" }], [...service("s", [b!])]);
  const rt = await startPort(createTcpPort, toA, settings());
  t.teardown(() => rt.drain(0));
  const open = await LineClient.open(host, port);
  t.is(await open.line(), "a");
  rt.update(toB, settings());
  const r = await tcpExchange(host, port);
  t.is(r.data, "b\n");
  open.socket.write("still here\n");
  t.is(await open.line(), "still here");
  open.socket.end();
  t.true(await open.whenClosed());
});

test("drain: no new connections, open ones finish, the rest closed after the grace", async (t) => {
  const [e] = await backends(t, ["d"]);
  const host = addr();
  const port = proxyPortNumber();
  const rt = await startPort(createTcpPort, tcpGateway(host, port, [{ name: "e" }], [...service("e", [e!])]), settings());
  const polite = await LineClient.open(host, port);
  const stubborn = await LineClient.open(host, port);
  t.is(await polite.line(), "d");
  t.is(await stubborn.line(), "d");
  const drained = rt.drain(60_000);
  const refused = await tcpExchange(host, port);
  t.is(refused.error, "ECONNREFUSED");
  polite.socket.write("bye\n");
  t.is(await polite.line(), "bye");
  polite.socket.end();
  t.true(await polite.whenClosed());
  // The other one is still open (the drain waits for it); once it ends, the drain resolves.
  t.false(stubborn.closed);
  stubborn.socket.end();
  await drained;
  t.true(await stubborn.whenClosed());
});

test("drain with a short grace destroys what remains", async (t) => {
  const [e] = await backends(t, ["g"]);
  const host = addr();
  const port = proxyPortNumber();
  const rt = await startPort(createTcpPort, tcpGateway(host, port, [{ name: "e" }], [...service("e", [e!])]), settings());
  const c = await LineClient.open(host, port);
  t.is(await c.line(), "g");
  await rt.drain(50);
  t.true(await c.whenClosed());
});

test("several runtimes share one address:port (SO_REUSEPORT) and all serve", async (t) => {
  const [e] = await backends(t, ["r"]);
  const host = addr();
  const port = proxyPortNumber();
  const bp = tcpGateway(host, port, [{ name: "e" }], [...service("e", [e!])]);
  const one = await startPort(createTcpPort, bp, settings());
  const two = await startPort(createTcpPort, bp, settings());
  t.teardown(async () => { await one.drain(0); await two.drain(0); });
  for (let i = 0; i < 4; i++) t.is((await tcpExchange(host, port, "x")).data, "r\nx");
});

test("a port that cannot bind rejects with the address in the message", async (t) => {
  const bp: BoundPort = { id: "x", gateway: "default/gw", host: "192.0.2.1", port: proxyPortNumber(), listenerPort: 1, protocol: "TCP", listeners: [] };
  const rt = createTcpPort(bp, settings(), testEnv());
  const err = await t.throwsAsync(rt.listen());
  t.regex(err!.message, /192\.0\.2\.1/);
});

test("no route: connections are closed", async (t) => {
  const host = addr();
  const port = proxyPortNumber();
  const bp = onlyPort(boundPorts([gatewayClass(), gateway("gw", [{ name: "tcp", port, protocol: "TCP" }])], "gw", host));
  const env = testEnv();
  const rt = await startPort(createTcpPort, bp, settings(), env);
  t.teardown(() => rt.drain(0));
  const r = await tcpExchange(host, port, "x");
  t.is(r.data, "");
  t.true(await eventually(() => env.lines.some((l) => l.msg.includes("refused"))));
});
