// What the fast path hands to Node's HTTP/1.1 server, with every unread byte: chunked
// request bodies, upgrades, Expect, HTTP/1.0, h2c backends, mirrors, bodies to retry. The
// connection is then served there as before; a request already routed keeps its decision.
import test from "ava";
import { connect } from "node:net";
import { h2cEcho, httpEcho, wsEcho, type EchoBackend } from "./fixtures/http-backends.js";
import { RawClient } from "./fixtures/http-fast-raw.js";
import { boundPort, gateway, gatewayClass, httpRoute, service, startProxy, toService, type Proxy } from "./fixtures/http-world.js";
import { fastStats } from "../src/http/fast/stats.js";

const PROXY = "127.62.0.1";
let web: EchoBackend;
let h2: EchoBackend;
let ws: EchoBackend;
let copy: EchoBackend;
let v1: EchoBackend;
let v2: EchoBackend;
let proxy: Proxy;

const H = "Host: d.test\r\n";

test.before(async () => {
  web = await httpEcho("web", "127.62.0.2");
  h2 = await h2cEcho("h2", "127.62.0.3");
  ws = await wsEcho("ws", "127.62.0.4");
  copy = await httpEcho("copy", "127.62.0.5");
  v1 = await httpEcho("v1", "127.62.0.6");
  v2 = await httpEcho("v2", "127.62.0.7");
  const objects = [
    gatewayClass(),
    gateway([{ name: "http", port: 80, protocol: "HTTP" }]),
    ...service("web", [{ address: web.address, port: web.port }]),
    ...service("h2", [{ address: h2.address, port: h2.port }], "kubernetes.io/h2c"),
    ...service("ws", [{ address: ws.address, port: ws.port }], "kubernetes.io/ws"),
    ...service("copy", [{ address: copy.address, port: copy.port }]),
    ...service("v1", [{ address: v1.address, port: v1.port }]),
    ...service("v2", [{ address: v2.address, port: v2.port }]),
    httpRoute("site", {
      hostnames: ["d.test"],
      rules: [
        toService("h2", { matches: [{ path: { type: "PathPrefix", value: "/h2" } }] }),
        toService("ws", { matches: [{ path: { type: "PathPrefix", value: "/ws" } }] }),
        toService("web", {
          matches: [{ path: { type: "PathPrefix", value: "/mirrored" } }],
          filters: [{ type: "RequestMirror", requestMirror: { backendRef: { name: "copy", port: 80 } } }],
        }),
        {
          matches: [{ path: { type: "PathPrefix", value: "/split" } }],
          backendRefs: [{ name: "v1", port: 80, weight: 1 }, { name: "v2", port: 80, weight: 1 }],
          filters: [{ type: "RequestMirror", requestMirror: { backendRef: { name: "copy", port: 80 } } }],
        },
        toService("web", { matches: [{ path: { type: "PathPrefix", value: "/flaky" } }], retry: { codes: [503], attempts: 2, backoff: "10ms" } }),
        toService("web"),
      ],
    }),
  ];
  proxy = await startProxy(boundPort(objects, PROXY, 0));
});

test.after.always(async () => {
  await proxy?.stop();
  for (const b of [web, h2, ws, copy, v1, v2]) await b?.close();
});

function echo(body: string): { backend: string; method: string; url: string; headers: Record<string, string>; body: string } {
  return JSON.parse(body) as never;
}

async function delegatedBy<T>(reason: string, f: () => Promise<T>): Promise<{ value: T; count: number }> {
  const before = fastStats.reasons.get(reason) ?? 0;
  const value = await f();
  return { value, count: (fastStats.reasons.get(reason) ?? 0) - before };
}

test.serial("a chunked request body: handed over with its head, served by Node, the connection kept", async (t) => {
  const c = await RawClient.open(PROXY, proxy.port);
  const { value: r, count } = await delegatedBy("Transfer-Encoding", async () => {
    c.send(`POST /chunked HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n`);
    return c.response();
  });
  t.is(count, 1);
  t.is(echo(r.body).body, "hello world");
  c.send(`GET /after HTTP/1.1\r\n${H}\r\n`);
  t.is(echo((await c.response()).body).url, "/after");
  c.close();
});

test.serial("pipelined: a fast request, then one that is handed over, answered in order", async (t) => {
  const c = await RawClient.open(PROXY, proxy.port);
  const reqs = fastStats.requests;
  c.send(`GET /first HTTP/1.1\r\n${H}\r\nPOST /second HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /third HTTP/1.1\r\n${H}\r\n`);
  const r1 = await c.response();
  const r2 = await c.response();
  const r3 = await c.response();
  t.is(echo(r1.body).url, "/first");
  t.is(echo(r2.body).body, "abc");
  t.is(echo(r3.body).url, "/third");
  t.is(fastStats.requests - reqs, 1);
  c.close();
});

test.serial("a WebSocket upgrade is proxied by the slow path", async (t) => {
  const { value, count } = await delegatedBy("Upgrade", () => new Promise<string>((resolve, reject) => {
    const s = connect({ host: PROXY, port: proxy.port });
    let buf = "";
    s.on("error", reject);
    s.on("data", (c: Buffer) => {
      buf += c.toString("latin1");
      if (buf.includes("\r\n\r\n") && !buf.includes("ping")) s.write("ping");
      if (buf.endsWith("ping")) { s.destroy(); resolve(buf); }
    });
    s.write(`GET /ws/chat HTTP/1.1\r\n${H}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  }));
  t.is(count, 1);
  t.regex(value, /^HTTP\/1\.1 101/);
  t.true(value.endsWith("ping"));
});

test.serial("an h2c backend: the decision travels with the connection to the slow path", async (t) => {
  const c = await RawClient.open(PROXY, proxy.port);
  const { value: r, count } = await delegatedBy("backend protocol", async () => {
    c.send(`PUT /h2/x HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nto-h2`);
    return c.response();
  });
  t.is(count, 1);
  t.is(echo(r.body).backend, "h2");
  t.is(echo(r.body).body, "to-h2");
  c.close();
});

test.serial("mirrors: the copy is sent by the slow path", async (t) => {
  const c = await RawClient.open(PROXY, proxy.port);
  const { value: r, count } = await delegatedBy("mirrors", async () => {
    c.send(`POST /mirrored HTTP/1.1\r\n${H}Content-Length: 4\r\n\r\nmirr`);
    return c.response();
  });
  t.is(count, 1);
  t.is(echo(r.body).backend, "web");
  for (let i = 0; i < 100 && !copy.requests.some((q) => q.url === "/mirrored"); i++) await new Promise((res) => setTimeout(res, 20));
  t.is(copy.requests.find((q) => q.url === "/mirrored")?.body, "mirr", JSON.stringify(proxy.env.lines));
  c.close();
});

test.serial("a handed-over request is not routed twice: a 1:1 split stays exact", async (t) => {
  const seen: string[] = [];
  for (let i = 0; i < 10; i++) {
    const c = await RawClient.open(PROXY, proxy.port);
    c.send(`GET /split/${i} HTTP/1.1\r\n${H}\r\n`);
    seen.push(echo((await c.response()).body).backend);
    c.close();
  }
  t.is(seen.filter((b) => b === "v1").length, 5, seen.join(","));
  t.is(seen.filter((b) => b === "v2").length, 5, seen.join(","));
});

test.serial("a body on a route with retries is buffered and retried by the slow path", async (t) => {
  const c = await RawClient.open(PROXY, proxy.port);
  const { value: r, count } = await delegatedBy("body with retries", async () => {
    c.send(`POST /flaky/d1/2 HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nagain`);
    return c.response();
  });
  t.is(count, 1);
  t.is(r.status, 200);
  t.is(echo(r.body).body, "again");
  t.is(web.counts.get("d1"), 3);
  c.close();
});

test.serial("HTTP/1.0, Expect: 100-continue and a missing Host go to Node", async (t) => {
  const old = await RawClient.open(PROXY, proxy.port);
  old.send(`GET /old HTTP/1.0\r\n${H}\r\n`);
  const o = await old.response();
  t.is(echo(o.body).url, "/old");
  old.close();

  const ex = await RawClient.open(PROXY, proxy.port);
  ex.send(`POST /expect HTTP/1.1\r\n${H}Content-Length: 4\r\nExpect: 100-continue\r\n\r\n`);
  await new Promise((r) => setTimeout(r, 50));
  ex.send("body");
  const e = await ex.response();
  t.is(e.status, 200);
  t.is(echo(e.body).body, "body");
  ex.close();

  const nh = await RawClient.open(PROXY, proxy.port);
  nh.send("GET /nohost HTTP/1.1\r\n\r\n");
  const n = await nh.response();
  t.is(n.status, 400);
  nh.close();
});
