// The TCP byte pump end to end (client → TCP port → backend): a slow reader holds the proxy
// to a bounded amount of buffered data and still gets every byte in order, half-close from
// the backend side, a reset on either side closes the other, many small exchanges on many
// connections arrive intact (what the bench drives).
import test from "ava";
import { connect, createServer, type Server, type Socket } from "node:net";
import { createTcpPort } from "../src/l4/index.js";
import type { StreamConn } from "../src/l4/stream-port.js";
import { ROUND_LIMIT } from "../src/l4/write-round.js";
import type { PortRuntime } from "../src/runtime/types.js";
import {
  boundPorts, echoBackend, eventually, gateway, gatewayClass, onlyPort, proxyPortNumber, route, service, settings, startPort,
} from "./fixtures/l4-harness.js";

// Addresses 127.77.4.<n>: this file's own range.
let next = 1;
const addr = (): string => `127.77.4.${next++}`;

function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port: 0 }, () => {
      const a = server.address();
      resolve(typeof a === "object" && a ? a.port : 0);
    });
  });
}

/** A TCP port in front of one backend at host:port. */
async function proxyTo(t: { teardown(fn: () => unknown): void }, backend: { address: string; port: number }): Promise<{ host: string; port: number; rt: PortRuntime }> {
  const host = addr();
  const port = proxyPortNumber();
  const bp = onlyPort(boundPorts([
    gatewayClass(),
    gateway("gw", [{ name: "tcp", port, protocol: "TCP" }]),
    route("TCPRoute", { name: "r", gateway: "gw", backends: [{ name: "b" }] }),
    ...service("b", [backend]),
  ], "gw", host));
  const rt = await startPort(createTcpPort, bp, settings());
  t.teardown(() => rt.drain(0));
  return { host, port, rt };
}

function conns(rt: PortRuntime): StreamConn[] {
  return [...(rt as unknown as { conns: Set<StreamConn> }).conns];
}

function connectTo(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port, allowHalfOpen: true });
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
}

/** Byte k of the flood is k % 251 (251 is prime to the chunk size: a lost or reordered chunk shows). */
function floodChunk(offset: number, size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (offset + i) % 251;
  return b;
}

test("a slow reader: the proxy holds a bounded amount, the backend is held back, every byte arrives in order", async (t) => {
  const TOTAL = 64 * 1024 * 1024;
  const CHUNK = 1024 * 1024;
  let sent = 0; // bytes the backend's kernel accepted (write callbacks)
  let backendSocket: Socket | undefined;
  const server = createServer((s) => {
    backendSocket = s;
    s.on("error", () => {});
    let offset = 0;
    const pump = (): void => {
      while (offset < TOTAL) {
        const chunk = floodChunk(offset, CHUNK);
        offset += CHUNK;
        const ok = s.write(chunk, () => { sent += CHUNK; });
        if (!ok) {
          s.once("drain", pump);
          return;
        }
      }
      s.end();
    };
    pump();
  });
  const bhost = addr();
  const bport = await listen(server, bhost);
  t.teardown(() => { backendSocket?.destroy(); server.close(); });
  const { host, port, rt } = await proxyTo(t, { address: bhost, port: bport });

  const client = await connectTo(host, port);
  client.pause(); // reads nothing yet
  t.teardown(() => client.destroy());

  // Wait until the backend is held back: what it got out stops growing (liveness bound: 15 s).
  let last = -1;
  let still = 0;
  for (let i = 0; i < 300 && still < 5; i++) {
    await new Promise((r) => setTimeout(r, 50));
    if (sent === last && sent > 0) still++;
    else still = 0;
    last = sent;
  }
  t.is(still, 5, "the backend's writes should stall");
  t.true(sent < TOTAL, `backpressure reached the backend (it got ${sent} of ${TOTAL} bytes out)`);

  const [c] = conns(rt);
  t.truthy(c?.upstream);
  const up = c!.upstream!;
  const down = c!.client;
  const handedToKernel = down.bytesWritten - down.writableLength;
  const heldInProxy = up.bytesRead - handedToKernel;
  // One round's hold + one read (64 KiB) + the client socket's write buffer (highWaterMark) + slack.
  const bound = ROUND_LIMIT + 64 * 1024 + down.writableHighWaterMark + 64 * 1024;
  t.true(heldInProxy >= 0);
  t.true(heldInProxy <= bound, `proxy holds ${heldInProxy} bytes (bound ${bound})`);

  // Now read everything: all of it, in order.
  let got = 0;
  let bad = -1;
  await new Promise<void>((resolve, reject) => {
    client.on("data", (d: Buffer) => {
      for (let i = 0; i < d.length && bad < 0; i++) if (d[i] !== (got + i) % 251) bad = got + i;
      got += d.length;
    });
    client.on("end", () => resolve());
    client.on("error", reject);
    client.resume();
  });
  t.is(bad, -1, `byte ${bad} is out of order`);
  t.is(got, TOTAL);
});

test("half-close from the backend: its FIN reaches the client, which can still send", async (t) => {
  const received: Buffer[] = [];
  let backendGotEnd = false;
  const server = createServer({ allowHalfOpen: true }, (s) => {
    s.on("error", () => {});
    s.end("bye\n"); // the backend is done talking; it still reads
    s.on("data", (d: Buffer) => received.push(d));
    s.on("end", () => { backendGotEnd = true; });
  });
  const bhost = addr();
  const bport = await listen(server, bhost);
  t.teardown(() => server.close());
  const { host, port } = await proxyTo(t, { address: bhost, port: bport });

  const client = await connectTo(host, port);
  t.teardown(() => client.destroy());
  const fromBackend = await new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    client.on("data", (d: Buffer) => chunks.push(d));
    client.once("end", () => resolve(Buffer.concat(chunks).toString()));
  });
  t.is(fromBackend, "bye\n");
  t.false(client.destroyed);
  client.end("late data after the backend's FIN");
  t.true(await eventually(() => backendGotEnd));
  t.is(Buffer.concat(received).toString(), "late data after the backend's FIN");
});

test("a reset from the backend closes the client; a reset from the client closes the backend side", async (t) => {
  const backendSockets: Socket[] = [];
  const closedAtBackend: boolean[] = [];
  const server = createServer({ allowHalfOpen: true }, (s) => {
    const i = backendSockets.push(s) - 1;
    closedAtBackend[i] = false;
    s.on("error", () => {});
    s.on("end", () => { closedAtBackend[i] = true; });
    s.on("close", () => { closedAtBackend[i] = true; });
    s.resume();
    s.write("hi\n");
  });
  const bhost = addr();
  const bport = await listen(server, bhost);
  t.teardown(() => server.close());
  const { host, port, rt } = await proxyTo(t, { address: bhost, port: bport });

  // Backend resets: the client is closed (it sees the end of the stream or a reset).
  const a = await connectTo(host, port);
  a.on("error", () => {});
  let aClosed = false;
  a.on("end", () => { aClosed = true; });
  a.on("close", () => { aClosed = true; });
  a.resume();
  t.true(await eventually(() => backendSockets.length === 1));
  backendSockets[0]!.resetAndDestroy();
  t.true(await eventually(() => aClosed));

  // Client resets: the backend's socket is closed (it sees the end of the stream or a reset).
  const b = await connectTo(host, port);
  b.on("error", () => {});
  t.true(await eventually(() => backendSockets.length === 2));
  b.resetAndDestroy();
  t.true(await eventually(() => closedAtBackend[1] === true));
  t.true(await eventually(() => conns(rt).length === 0));
});

test("many small exchanges on many connections: every answer intact", async (t) => {
  const e = await echoBackend("e", addr());
  t.teardown(() => e.close());
  const { host, port } = await proxyTo(t, e);
  const CONNS = 20;
  const EXCHANGES = 50;
  const results = await Promise.all(Array.from({ length: CONNS }, async (_, c) => {
    const s = await connectTo(host, port);
    s.setEncoding("utf8");
    let buf = "";
    const lines: string[] = [];
    let wake: (() => void) | undefined;
    s.on("data", (d: string) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        lines.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
      wake?.();
    });
    const lineAt = async (n: number): Promise<string | undefined> => {
      for (let k = 0; k < 500 && lines.length <= n; k++) await new Promise<void>((r) => { wake = r; setTimeout(r, 20); });
      return lines[n];
    };
    let ok = (await lineAt(0)) === "e";
    for (let i = 1; i <= EXCHANGES && ok; i++) {
      s.write(`c${c}-m${i}\n`);
      ok = (await lineAt(i)) === `c${c}-m${i}`;
    }
    s.destroy();
    return ok;
  }));
  t.deepEqual(results, Array.from({ length: CONNS }, () => true));
});
