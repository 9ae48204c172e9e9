// UDPRoute through the local L4 port: round trip, a session per client (each keeps its
// endpoint), idle expiry, the session cap, update() keeping sessions, reusePort, drain.
import test from "ava";
import { createSocket, type Socket as DgramSocket } from "node:dgram";
import { createUdpPort, udpPortFactory } from "../src/l4/index.js";
import type { BoundPort, PortRuntime } from "../src/runtime/types.js";
import {
  boundPorts, eventually, gateway, gatewayClass, onlyPort, proxyPortNumber, route, service, settings, startPort, testEnv,
  udpBackend, type UdpBackend,
} from "./fixtures/l4-harness.js";

let next = 1;
const addr = (): string => `127.77.3.${next++}`;

type Teardown = { teardown(fn: () => unknown): void };

async function backends(t: Teardown, names: string[]): Promise<UdpBackend[]> {
  const out: UdpBackend[] = [];
  for (const n of names) {
    const b = await udpBackend(n, addr());
    t.teardown(() => b.close());
    out.push(b);
  }
  return out;
}

function udpGateway(host: string, port: number, endpoints: UdpBackend[]): BoundPort {
  return onlyPort(boundPorts([
    gatewayClass(),
    gateway("gw", [{ name: "udp", port, protocol: "UDP" }]),
    route("UDPRoute", { name: "r", gateway: "gw", backends: [{ name: "svc" }] }),
    ...service("svc", endpoints, "UDP"),
  ], "gw", host));
}

/** A UDP client bound to its own 127.x address; ask() sends and waits for one reply. */
class Client {
  private replies: string[] = [];
  private waiter: ((s: string) => void) | undefined;
  private constructor(readonly socket: DgramSocket, private readonly host: string, private readonly port: number) {
    socket.on("message", (m) => {
      const w = this.waiter;
      this.waiter = undefined;
      if (w) w(m.toString());
      else this.replies.push(m.toString());
    });
  }

  static async open(t: Teardown, host: string, port: number): Promise<Client> {
    const s = createSocket("udp4");
    await new Promise<void>((r) => s.bind({ address: addr(), port: 0 }, () => r()));
    t.teardown(() => { try { s.close(); } catch { /* closed */ } });
    return new Client(s, host, port);
  }

  /** Sends until a reply comes (datagrams may be lost), at most `tries` times. */
  async ask(payload: string, tries = 20): Promise<string | undefined> {
    for (let i = 0; i < tries; i++) {
      const early = this.replies.shift();
      if (early !== undefined) return early;
      const got = new Promise<string | undefined>((resolve) => {
        const timer = setTimeout(() => { this.waiter = undefined; resolve(undefined); }, 250);
        this.waiter = (s) => { clearTimeout(timer); resolve(s); };
      });
      this.socket.send(payload, this.port, this.host);
      const r = await got;
      if (r !== undefined) return r;
    }
    return undefined;
  }
}

function sessions(rt: PortRuntime): number {
  return (rt as unknown as { sessionCount: number }).sessionCount;
}

test("round trip", async (t) => {
  const [b] = await backends(t, ["b"]);
  const host = addr();
  const port = proxyPortNumber();
  const rt = await startPort(createUdpPort, udpGateway(host, port, [b!]), settings());
  t.teardown(() => rt.drain(0));
  const c = await Client.open(t, host, port);
  t.is(await c.ask("ping"), "b|ping");
  t.is(await c.ask("again"), "b|again");
  t.is(sessions(rt), 1);
});

test("two clients get separate sessions and each keeps its endpoint", async (t) => {
  const [e1, e2] = await backends(t, ["e1", "e2"]);
  const host = addr();
  const port = proxyPortNumber();
  const rt = await startPort(createUdpPort, udpGateway(host, port, [e1!, e2!]), settings());
  t.teardown(() => rt.drain(0));
  const a = await Client.open(t, host, port);
  const b = await Client.open(t, host, port);
  const first = (await a.ask("a0"))!.split("|")[0];
  const second = (await b.ask("b0"))!.split("|")[0];
  t.not(first, second);
  for (let i = 1; i < 10; i++) {
    t.is(await a.ask(`a${i}`), `${first}|a${i}`);
    t.is(await b.ask(`b${i}`), `${second}|b${i}`);
  }
  t.is(sessions(rt), 2);
  // One upstream socket per session: each backend saw exactly one source address:port.
  t.is(e1!.seen.size, 1);
  t.is(e2!.seen.size, 1);
});

test("an idle session expires; the client's next datagram starts a new one", async (t) => {
  const [e1, e2] = await backends(t, ["e1", "e2"]);
  const host = addr();
  const port = proxyPortNumber();
  const rt = await startPort(createUdpPort, udpGateway(host, port, [e1!, e2!]), settings({ udpIdleTimeoutMs: 100 }));
  t.teardown(() => rt.drain(0));
  const c = await Client.open(t, host, port);
  const first = (await c.ask("x"))!.split("|")[0];
  t.true(await eventually(() => sessions(rt) === 0));
  // The new session takes the next endpoint in round robin.
  const second = (await c.ask("y"))!.split("|")[0];
  t.not(first, second);
  t.is(sessions(rt), 1);
});

test("sessions past the cap are dropped and logged", async (t) => {
  const [b] = await backends(t, ["b"]);
  const host = addr();
  const port = proxyPortNumber();
  const env = testEnv();
  const rt = await startPort(udpPortFactory({ maxSessions: 1 }), udpGateway(host, port, [b!]), settings(), env);
  t.teardown(() => rt.drain(0));
  const a = await Client.open(t, host, port);
  const c = await Client.open(t, host, port);
  t.is(await a.ask("a"), "b|a");
  c.socket.send("c", port, host);
  t.true(await eventually(() => env.lines.some((l) => l.msg.includes("session limit"))));
  t.is(sessions(rt), 1);
  t.is(await a.ask("a2"), "b|a2");
});

test("update() sends new clients to the new backend; an open session keeps its upstream", async (t) => {
  const [old, neu] = await backends(t, ["old", "new"]);
  const host = addr();
  const port = proxyPortNumber();
  const rt = await startPort(createUdpPort, udpGateway(host, port, [old!]), settings());
  t.teardown(() => rt.drain(0));
  const a = await Client.open(t, host, port);
  t.is(await a.ask("1"), "old|1");
  rt.update(udpGateway(host, port, [neu!]), settings());
  const b = await Client.open(t, host, port);
  t.is(await b.ask("2"), "new|2");
  t.is(await a.ask("3"), "old|3");
});

test("several runtimes bind the same address:port (reusePort)", async (t) => {
  const [b] = await backends(t, ["b"]);
  const host = addr();
  const port = proxyPortNumber();
  const bp = udpGateway(host, port, [b!]);
  const one = await startPort(createUdpPort, bp, settings());
  const two = await startPort(createUdpPort, bp, settings());
  t.teardown(async () => { await one.drain(0); await two.drain(0); });
  for (let i = 0; i < 4; i++) {
    const c = await Client.open(t, host, port);
    t.is(await c.ask(`m${i}`), `b|m${i}`);
  }
  t.is(sessions(one) + sessions(two), 4);
});

test("drain: no new sessions, an open one keeps working, then everything closes", async (t) => {
  const [b] = await backends(t, ["b"]);
  const host = addr();
  const port = proxyPortNumber();
  // Idle timeout and grace far beyond the test's timeout: only the session going quiet ends the drain.
  const rt = await startPort(createUdpPort, udpGateway(host, port, [b!]), settings({ udpIdleTimeoutMs: 600_000 }));
  const a = await Client.open(t, host, port);
  t.is(await a.ask("before"), "b|before");
  const drained = rt.drain(600_000);
  t.is(await a.ask("during"), "b|during");
  const late = await Client.open(t, host, port);
  t.is(await late.ask("new", 2), undefined);
  t.is(await a.ask("still"), "b|still");
  // The open session goes quiet, after which the drain completes.
  await drained;
  t.is(sessions(rt), 0);
});

test("a datagram with no usable backend is dropped, not answered", async (t) => {
  const host = addr();
  const port = proxyPortNumber();
  const bp = onlyPort(boundPorts([
    gatewayClass(),
    gateway("gw", [{ name: "udp", port, protocol: "UDP" }]),
    route("UDPRoute", { name: "r", gateway: "gw", backends: [{ name: "missing" }] }),
  ], "gw", host));
  const env = testEnv();
  const rt = await startPort(createUdpPort, bp, settings(), env);
  t.teardown(() => rt.drain(0));
  const c = await Client.open(t, host, port);
  c.socket.send("x", port, host);
  t.true(await eventually(() => env.lines.some((l) => l.msg.includes("without a usable backend"))));
  t.is(sessions(rt), 0);
});

test("an endpoint that answers with ICMP unreachable is ejected; the client's retry gets a live one", async (t) => {
  const deadAddr = addr();
  const [live] = await backends(t, ["live"]);
  const dead = await udpBackend("dead", deadAddr);
  const deadPort = dead.port;
  dead.close(); // nothing listens there any more: connected sends get ECONNREFUSED
  const host = addr();
  const port = proxyPortNumber();
  const bp = onlyPort(boundPorts([
    gatewayClass(),
    gateway("gw", [{ name: "udp", port, protocol: "UDP" }]),
    route("UDPRoute", { name: "r", gateway: "gw", backends: [{ name: "svc" }] }),
    ...service("svc", [{ address: deadAddr, port: deadPort }, live!], "UDP"),
  ], "gw", host));
  const env = testEnv();
  const rt = await startPort(createUdpPort, bp, settings({ ejectionMs: 60_000 }), env);
  t.teardown(() => rt.drain(0));
  // Two clients: round robin sends one of the first two sessions to the dead endpoint.
  const c = await Client.open(t, host, port);
  const d = await Client.open(t, host, port);
  const [c1, d1] = await Promise.all([c.ask("hi"), d.ask("ho")]);
  t.deepEqual([c1, d1], ["live|hi", "live|ho"]);
  t.is(await c.ask("again"), "live|again");
  t.true(env.lines.some((l) => l.msg.includes("udp upstream error") && l.fields?.endpoint === `${deadAddr}:${deadPort}`));
});
