// Upstream failures on the fast path: 502/503/504 as the slow path answers them, passive
// ejection with failover, retries, a kept-alive connection the upstream dropped, broken
// upstream responses, aborts both ways, the connection limit per endpoint, the body limit.
import test from "ava";
import { deadPort, httpEcho, type EchoBackend } from "./fixtures/http-backends.js";
import { RawClient, okResponse, scriptedUpstream, type ScriptedUpstream } from "./fixtures/http-fast-raw.js";
import { boundPort, gateway, gatewayClass, httpRoute, service, settings, startProxy, toService, type Proxy } from "./fixtures/http-world.js";
import { fastStats } from "../src/http/fast/stats.js";

const PROXY = "127.61.0.1";
const LIMITED = "127.61.0.10";
let a: EchoBackend;
let b: EchoBackend;
let raw: ScriptedUpstream;
let proxy: Proxy;
let limited: Proxy;

const BAD: Record<string, string> = {
  "cl-te": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
  "two-cl": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
  "bad-cl": "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\nok",
  "bare-lf": "HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
  "status": "HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\nok",
  "name": "HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 2\r\n\r\nok",
  "fold": "HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 2\r\n\r\nok",
  "value": "HTTP/1.1 200 OK\r\nX-A: a\u0001b\r\nContent-Length: 2\r\n\r\nok",
  "coding": "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
  "switch": "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
  "version": "HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
  "garbage": "garbage\r\n\r\n",
  "empty": "",
  "chunk-size": "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
};

test.before(async () => {
  a = await httpEcho("a", "127.61.0.2");
  b = await httpEcho("b", "127.61.0.3");
  raw = await scriptedUpstream("127.61.0.6", (r, nth) => {
    const seg = r.path.split("/");
    switch (seg[2]) {
      case "drop-second":
        return nth >= 2 ? { then: "destroy" } : { write: [okResponse(`conn ${r.connection}`)] };
      case "bad":
        return { write: [BAD[seg[3] ?? ""] ?? ""], then: "end" };
      case "broken-chunk":
        return { write: ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", "zz\r\n"], delayMs: [0, 50], then: "end" };
      case "reset-mid":
        return { write: ["HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789"], delayMs: [0], then: "destroy" };
      default:
        return { write: [okResponse(`conn ${r.connection}`)] };
    }
  });
  const dead1 = await deadPort("127.61.0.4");
  const dead2 = await deadPort("127.61.0.5");
  const objects = [
    gatewayClass(),
    gateway([{ name: "http", port: 80, protocol: "HTTP" }]),
    ...service("alive", [{ address: a.address, port: a.port }]),
    ...service("half", [{ address: "127.61.0.4", port: dead1 }, { address: b.address, port: b.port }]),
    ...service("dead", [{ address: "127.61.0.4", port: dead1 }, { address: "127.61.0.5", port: dead2 }]),
    ...service("empty", []),
    ...service("raw", [{ address: raw.address, port: raw.port }]),
    httpRoute("site", {
      rules: [
        toService("half", { matches: [{ path: { type: "PathPrefix", value: "/half" } }] }),
        toService("dead", { matches: [{ path: { type: "PathPrefix", value: "/dead" } }] }),
        toService("empty", { matches: [{ path: { type: "PathPrefix", value: "/empty" } }] }),
        toService("raw", { matches: [{ path: { type: "PathPrefix", value: "/raw" } }] }),
        toService("alive", { matches: [{ path: { type: "PathPrefix", value: "/slow" }, headers: [{ name: "x-whole", value: "1" }] }], timeouts: { request: "300ms" } }),
        toService("alive", { matches: [{ path: { type: "PathPrefix", value: "/slow" } }], timeouts: { request: "3s", backendRequest: "300ms" } }),
        toService("alive", { matches: [{ path: { type: "PathPrefix", value: "/flaky" } }], retry: { codes: [503], attempts: 2, backoff: "10ms" } }),
        toService("alive"),
      ],
    }),
  ];
  proxy = await startProxy(boundPort(objects, PROXY, 0), settings({ ejectionMs: 60_000 }));
  limited = await startProxy(boundPort(objects, LIMITED, 0), settings({ maxConnectionsPerEndpoint: 1, maxRequestBodyBytes: 1000 }));
});

test.after.always(async () => {
  await proxy?.stop();
  await limited?.stop();
  await a?.close();
  await b?.close();
  await raw?.close();
});

async function get(path: string, extra = "", host = PROXY, port = proxy.port): Promise<{ status: number; body: string; headers: Record<string, string>; closed: boolean }> {
  const c = await RawClient.open(host, port);
  try {
    c.send(`GET ${path} HTTP/1.1\r\nHost: f.test\r\n${extra}\r\n`);
    const r = await c.response();
    return { status: r.status, body: r.body, headers: r.headers, closed: c.closed };
  } finally {
    c.close();
  }
}

test("no endpoints: 503 no healthy upstream; every endpoint refusing: 503", async (t) => {
  const e = await get("/empty");
  t.is(e.status, 503);
  t.regex(e.body, /no healthy upstream/);
  const d = await get("/dead");
  t.is(d.status, 503);
  t.regex(d.body, /upstream connect error/);
});

test("a refusing endpoint is ejected and its requests fail over", async (t) => {
  for (let i = 0; i < 8; i++) {
    const c = await RawClient.open(PROXY, proxy.port);
    c.send(`POST /half/${i} HTTP/1.1\r\nHost: f.test\r\nContent-Length: 5\r\n\r\nbody${i}`);
    const r = await c.response();
    c.close();
    t.is(r.status, 200);
    const e = JSON.parse(r.body) as { backend: string; body: string };
    t.is(e.backend, "b");
    t.is(e.body, `body${i}`);
  }
  const ejections = proxy.env.lines.filter((l) => l.msg === "upstream endpoint ejected" && String(l.fields?.endpoint).startsWith("127.61.0.4"));
  t.true(ejections.length >= 1 && ejections.length <= 2, JSON.stringify(ejections));
});

test("backendRequest and request timeouts: 504", async (t) => {
  const one = await get("/slow/3000");
  t.is(one.status, 504);
  t.regex(one.body, /timeout/);
  const whole = await get("/slow/3000", "X-Whole: 1\r\n");
  t.is(whole.status, 504);
});

test("retries on the listed codes; the last answer when they run out", async (t) => {
  const ok = await get("/flaky/f1/2");
  t.is(ok.status, 200);
  t.is(a.counts.get("f1"), 3);
  const no = await get("/flaky/f2/5");
  t.is(no.status, 503);
  t.is(a.counts.get("f2"), 3);
});

test.serial("a kept-alive upstream connection dropped as a GET goes out: resent on a new connection", async (t) => {
  const c = await RawClient.open(PROXY, proxy.port);
  c.send("GET /raw/drop-second HTTP/1.1\r\nHost: f.test\r\n\r\n");
  const first = await c.response();
  t.is(first.status, 200);
  const conns = raw.connections;
  c.send("GET /raw/drop-second HTTP/1.1\r\nHost: f.test\r\n\r\n");
  const second = await c.response();
  t.is(second.status, 200);
  t.is(raw.connections, conns + 1);
  t.not(second.body, first.body);
  c.close();
});

test.serial("...but a POST on such a connection is not resent: 502", async (t) => {
  const c = await RawClient.open(PROXY, proxy.port);
  c.send("GET /raw/drop-second HTTP/1.1\r\nHost: f.test\r\n\r\n");
  t.is((await c.response()).status, 200);
  c.send("POST /raw/drop-second HTTP/1.1\r\nHost: f.test\r\n\r\n");
  const r = await c.response();
  t.is(r.status, 502);
  c.close();
});

test.serial("malformed upstream responses: 502 with a short text, never passed on", async (t) => {
  for (const kind of Object.keys(BAD)) {
    const r = await get(`/raw/bad/${kind}`);
    t.is(r.status, 502, kind);
    t.regex(r.body, /bad response|reset/, kind);
  }
});

test.serial("an upstream failing mid-body resets the client (no truncated answer passed as complete)", async (t) => {
  for (const path of ["/raw/broken-chunk", "/raw/reset-mid"]) {
    const c = await RawClient.open(PROXY, proxy.port);
    c.send(`GET ${path} HTTP/1.1\r\nHost: f.test\r\n\r\n`);
    const err = await c.response().then(() => null, (e: Error) => e.message);
    t.truthy(err, path);
    t.true(await c.waitClosed(), path);
  }
});

test("a client that goes away cancels its upstream request", async (t) => {
  const c = await RawClient.open(PROXY, proxy.port);
  c.send("GET /cancel-me/slow HTTP/1.1\r\nHost: f.test\r\n\r\n".replace("/cancel-me/slow", "/slow/4000?fastcancel=1"));
  await new Promise((r) => setTimeout(r, 200));
  c.close();
  for (let i = 0; i < 100 && !a.aborted.includes("/slow/4000?fastcancel=1"); i++) await new Promise((r) => setTimeout(r, 20));
  t.true(a.aborted.includes("/slow/4000?fastcancel=1"));
});

test.serial("at most maxConnectionsPerEndpoint upstream connections: the others wait their turn", async (t) => {
  const before = a.connections;
  const replies = await Promise.all(Array.from({ length: 5 }, (_, i) => get(`/slow/50?n=${i}`, "", LIMITED, limited.port)));
  t.deepEqual(replies.map((r) => r.status), [200, 200, 200, 200, 200]);
  t.is(a.connections - before, 1);
});

test("body limit: a declared Content-Length over it gets 413 and the connection closes", async (t) => {
  const before = a.requests.length;
  const c = await RawClient.open(LIMITED, limited.port);
  c.send(`POST /big HTTP/1.1\r\nHost: f.test\r\nContent-Length: 2000\r\n\r\n${"x".repeat(2000)}`);
  const r = await c.response();
  t.is(r.status, 413);
  t.is(r.headers.connection, "close");
  t.true(await c.waitClosed());
  t.false(a.requests.slice(before).some((q) => q.url === "/big"));
});

test.serial("no failure case here was handed to Node's server", (t) => {
  t.is(fastStats.delegated, 0, JSON.stringify([...fastStats.reasons]));
});
