// The raw-socket HTTP/1.1 fast path: what it serves itself (no hand-over to Node's server):
// GET/POST, keep-alive on both sides, pipelining, chunked / close-delimited / bodiless
// upstream answers, 1xx, response edits, X-Forwarded-*, hop-by-hop fields, router answers.
import test from "ava";
import { httpEcho, type EchoBackend } from "./fixtures/http-backends.js";
import { RawClient, okResponse, scriptedUpstream, type ScriptedUpstream } from "./fixtures/http-fast-raw.js";
import { boundPort, gateway, gatewayClass, httpRoute, service, startProxy, toService, type Proxy } from "./fixtures/http-world.js";
import { fastStats } from "../src/http/fast/stats.js";

const PROXY = "127.60.0.1";
let web: EchoBackend;
let raw: ScriptedUpstream;
let proxy: Proxy;
let delegatedBefore = 0;

test.before(async () => {
  web = await httpEcho("web", "127.60.0.2");
  raw = await scriptedUpstream("127.60.0.3", (r) => {
    switch (r.path) {
      case "/raw/close":
        return { write: ["HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil ", "close"], delayMs: [0, 30], then: "end" };
      case "/raw/head":
        return { write: ["HTTP/1.1 200 OK\r\ncontent-length: 100\r\nx-head: 1\r\n\r\n"] };
      case "/raw/204":
        return { write: ["HTTP/1.1 204 No Content\r\nx-kind: 204\r\n\r\n"] };
      case "/raw/304":
        return { write: ["HTTP/1.1 304 Not Modified\r\netag: \"v1\"\r\n\r\n"] };
      case "/raw/hints":
        return { write: ["HTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload\r\n\r\n", okResponse("final")], delayMs: [0, 20] };
      case "/raw/chunked":
        return { write: ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n", "6\r\n world\r\n0\r\nx-sum: 42\r\n\r\n"], delayMs: [0, 20] };
      case "/raw/split-head":
        return { write: ["HTTP/1.1 200 OK\r\nx-part", ": 1\r\ncontent-le", "ngth: 5\r\n\r\nsp", "lit"], delayMs: [0, 10, 10, 10] };
      case "/raw/nominated":
        return { write: [okResponse("n", ["Connection: x-private", "X-Private: secret", "Keep-Alive: timeout=5", "X-Public: yes"])] };
      default:
        return { write: [okResponse(`raw ${r.method} ${r.path}`)] };
    }
  });
  const objects = [
    gatewayClass(),
    gateway([{ name: "http", port: 80, protocol: "HTTP" }]),
    ...service("web", [{ address: web.address, port: web.port }]),
    ...service("raw", [{ address: raw.address, port: raw.port }]),
    httpRoute("site", {
      hostnames: ["fast.test"],
      rules: [
        toService("raw", { matches: [{ path: { type: "PathPrefix", value: "/raw" } }] }),
        toService("web", {
          matches: [{ path: { type: "PathPrefix", value: "/edit" } }],
          filters: [{ type: "ResponseHeaderModifier", responseHeaderModifier: { set: [{ name: "x-set", value: "yes" }], add: [{ name: "x-add", value: "more" }], remove: ["x-backend"] } }],
        }),
        toService("web", {
          matches: [{ path: { type: "PathPrefix", value: "/modreq" } }],
          filters: [
            { type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x-mod", value: "1" }], remove: ["x-drop"] } },
            { type: "URLRewrite", urlRewrite: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/rewritten" }, hostname: "inner.test" } },
          ],
        }),
        {
          matches: [{ path: { type: "PathPrefix", value: "/redirect" } }],
          filters: [{ type: "RequestRedirect", requestRedirect: { hostname: "elsewhere.test", statusCode: 301 } }],
        },
        toService("web"),
      ],
    }),
  ];
  proxy = await startProxy(boundPort(objects, PROXY, 0));
  delegatedBefore = fastStats.delegated;
});

test.after.always(async () => {
  await proxy?.stop();
  await web?.close();
  await raw?.close();
});

const H = "Host: fast.test\r\n";

function echo(body: string): { backend: string; method: string; url: string; headers: Record<string, string>; body: string } {
  return JSON.parse(body) as never;
}

async function client(): Promise<RawClient> {
  return RawClient.open(PROXY, proxy.port);
}

test.serial("GET and a Content-Length POST are answered by the fast path", async (t) => {
  const before = fastStats.requests;
  const c = await client();
  c.send(`GET /a?x=1 HTTP/1.1\r\n${H}User-Agent: t\r\n\r\n`);
  const g = await c.response();
  t.is(g.status, 200);
  t.is(echo(g.body).url, "/a?x=1");
  t.is(echo(g.body).headers.host, "fast.test");
  c.send(`POST /b HTTP/1.1\r\n${H}Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello`);
  const p = await c.response();
  t.is(echo(p.body).method, "POST");
  t.is(echo(p.body).body, "hello");
  t.is(echo(p.body).headers["content-length"], "5");
  t.is(fastStats.requests - before, 2);
  t.false(c.closed);
  c.close();
});

test.serial("keep-alive on both sides: one client connection, reused upstream connections", async (t) => {
  const c = await client();
  const before = web.connections;
  for (let i = 0; i < 10; i++) {
    c.send(`GET /k${i} HTTP/1.1\r\n${H}\r\n`);
    const r = await c.response();
    t.is(echo(r.body).url, `/k${i}`);
    t.is(r.headers.connection, undefined);
  }
  t.true(web.connections - before <= 1, `${web.connections - before} upstream connections for 10 requests`);
  c.close();
});

test.serial("pipelined requests are answered in order, bodies included", async (t) => {
  const c = await client();
  c.send(`GET /p1 HTTP/1.1\r\n${H}\r\nPOST /p2 HTTP/1.1\r\n${H}Content-Length: 3\r\n\r\nabcGET /raw/p3 HTTP/1.1\r\n${H}\r\nGET /missing HTTP/1.1\r\nHost: nowhere.test\r\n\r\nGET /p5 HTTP/1.1\r\n${H}\r\n`);
  const r1 = await c.response();
  const r2 = await c.response();
  const r3 = await c.response();
  const r4 = await c.response();
  const r5 = await c.response();
  t.is(echo(r1.body).url, "/p1");
  t.is(echo(r2.body).url, "/p2");
  t.is(echo(r2.body).body, "abc");
  t.is(r3.body, "raw GET /raw/p3");
  t.is(r4.status, 404);
  t.is(echo(r5.body).url, "/p5");
  c.close();
});

test.serial("a client pipelining many requests without reading: every answer arrives, in order, once it reads", async (t) => {
  const c = await client();
  const blocked = fastStats.writesBlocked;
  c.socket.pause();
  // Redirects repeat the (long) path: ~8 MB of answers.
  const n = 2000;
  const long = "x".repeat(4000);
  let batch = "";
  for (let i = 0; i < n; i++) batch += `GET /redirect/${i}/${long} HTTP/1.1\r\n${H}\r\n`;
  c.send(batch);
  await new Promise((r) => setTimeout(r, 300));
  c.socket.resume();
  for (let i = 0; i < n; i++) {
    const r = await c.response();
    if (r.status !== 301 || !r.headers.location?.includes(`/redirect/${i}/`)) { t.fail(`answer ${i}: ${r.status} ${r.headers.location?.slice(0, 40)}`); break; }
  }
  t.true(fastStats.writesBlocked > blocked, "the answers filled the socket at least once");
  c.send(`GET /after-flood HTTP/1.1\r\n${H}\r\n`);
  t.is(echo((await c.response()).body).url, "/after-flood");
  c.close();
});

test.serial("a chunked upstream answer passes with its framing, extensions and trailers; the connection stays usable", async (t) => {
  const c = await client();
  c.send(`GET /raw/chunked HTTP/1.1\r\n${H}\r\n`);
  const r = await c.response();
  t.is(r.status, 200);
  t.is(r.headers["transfer-encoding"], "chunked");
  t.is(r.body, "hello world");
  t.is(r.headers["trailer:x-sum"], "42");
  c.send(`GET /stream/3 HTTP/1.1\r\n${H}\r\n`);
  const s = await c.response();
  t.is(s.body, "chunk1\nchunk2\nchunk3\n");
  c.send(`GET /trailers HTTP/1.1\r\n${H}TE: trailers\r\n\r\n`);
  const tr = await c.response();
  t.is(tr.body, "body");
  t.is(tr.headers["trailer:x-checksum"], "abc");
  c.close();
});

test.serial("a request head (and body) arriving a few bytes at a time, split inside CRLF", async (t) => {
  const c = await client();
  const bytes = `POST /bytewise HTTP/1.1\r\n${H}Content-Length: 4\r\n\r\nbody`;
  for (let i = 0; i < bytes.length; i += 3) {
    c.send(bytes.slice(i, i + 3));
    await new Promise((r) => setTimeout(r, 1));
  }
  const r = await c.response();
  t.is(echo(r.body).url, "/bytewise");
  t.is(echo(r.body).body, "body");
  c.close();
});

test.serial("a response head split over several packets", async (t) => {
  const c = await client();
  c.send(`GET /raw/split-head HTTP/1.1\r\n${H}\r\n`);
  const r = await c.response();
  t.is(r.headers["x-part"], "1");
  t.is(r.body, "split");
  c.close();
});

test.serial("a close-delimited upstream body reaches the client, which is then closed", async (t) => {
  const c = await client();
  c.send(`GET /raw/close HTTP/1.1\r\n${H}\r\n`);
  const r = await c.response();
  t.is(r.status, 200);
  t.is(r.headers.connection, "close");
  t.is(r.body, "until close");
  t.true(await c.waitClosed());
});

test.serial("HEAD, 204 and 304 answers have no body: the next answer on the connection is intact", async (t) => {
  const c = await client();
  c.send(`HEAD /raw/head HTTP/1.1\r\n${H}\r\n`);
  const h = await c.response(true);
  t.is(h.status, 200);
  t.is(h.headers["content-length"], "100");
  t.is(h.headers["x-head"], "1");
  c.send(`GET /raw/204 HTTP/1.1\r\n${H}\r\n`);
  const n = await c.response();
  t.is(n.status, 204);
  t.is(n.headers["x-kind"], "204");
  c.send(`GET /raw/304 HTTP/1.1\r\n${H}If-None-Match: "v1"\r\n\r\n`);
  const m = await c.response();
  t.is(m.status, 304);
  t.is(m.headers.etag, "\"v1\"");
  c.send(`GET /raw/after HTTP/1.1\r\n${H}\r\n`);
  const a = await c.response();
  t.is(a.body, "raw GET /raw/after");
  t.is(c.rest, "");
  c.close();
});

test.serial("1xx interim answers are passed on before the final one", async (t) => {
  const c = await client();
  c.send(`GET /raw/hints HTTP/1.1\r\n${H}\r\n`);
  const r = await c.response();
  t.is(r.interim.length, 1);
  t.is(r.interim[0]!.status, 103);
  t.is(r.interim[0]!.headers.link, "</style.css>; rel=preload");
  t.is(r.status, 200);
  t.is(r.body, "final");
  c.close();
});

test.serial("ResponseHeaderModifier edits apply; hop-by-hop response fields never reach the client", async (t) => {
  const c = await client();
  c.send(`GET /edit HTTP/1.1\r\n${H}\r\n`);
  const e = await c.response();
  t.is(e.headers["x-set"], "yes");
  t.is(e.headers["x-add"], "more");
  t.is(e.headers["x-backend"], undefined);
  t.is(echo(e.body).url, "/edit");
  c.send(`GET /hop HTTP/1.1\r\n${H}\r\n`);
  const h = await c.response();
  t.is(h.headers["x-secret"], undefined);
  t.is(h.headers["keep-alive"], undefined);
  t.is(h.headers["proxy-connection"], undefined);
  t.is(h.headers.connection, undefined);
  c.send(`GET /raw/nominated HTTP/1.1\r\n${H}\r\n`);
  const n = await c.response();
  t.is(n.headers["x-private"], undefined);
  t.is(n.headers["keep-alive"], undefined);
  t.is(n.headers["x-public"], "yes");
  t.is(n.body, "n");
  c.close();
});

test.serial("X-Forwarded-* as the slow path sets them; hop-by-hop request fields stripped; request modifiers and rewrites apply", async (t) => {
  const c = await client();
  c.send("GET /modreq/x?q=1 HTTP/1.1\r\nHost: fast.test:8080\r\nX-Forwarded-For: 10.1.1.1\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Port: 1\r\n" +
    "X-Forwarded-Host: first.test\r\nConnection: keep-alive, x-private\r\nX-Private: secret\r\nKeep-Alive: timeout=9\r\nProxy-Connection: keep-alive\r\n" +
    "TE: trailers, deflate\r\nX-Drop: 1\r\nX-Keep: 1\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n");
  const r = await c.response();
  const e = echo(r.body);
  t.is(e.url, "/rewritten/x?q=1");
  t.is(e.headers.host, "inner.test");
  t.is(e.headers["x-forwarded-for"], "10.1.1.1, 127.0.0.1");
  t.is(e.headers["x-forwarded-proto"], "http");
  t.is(e.headers["x-forwarded-port"], "80");
  t.is(e.headers["x-forwarded-host"], "first.test, fast.test:8080");
  t.is(e.headers["x-private"], undefined);
  t.is(e.headers["keep-alive"], undefined);
  t.is(e.headers["proxy-connection"], undefined);
  t.is(e.headers.te, "trailers");
  t.is(e.headers["x-mod"], "1");
  t.is(e.headers["x-drop"], undefined);
  t.is(e.headers["x-keep"], "1");
  t.is(e.headers.cookie, "a=1; b=2");
  c.close();
});

test.serial("router answers (404, redirect) keep the connection; Connection: close ends it", async (t) => {
  const c = await client();
  c.send("GET /nothing HTTP/1.1\r\nHost: other.test\r\n\r\n");
  const nf = await c.response();
  t.is(nf.status, 404);
  t.truthy(nf.headers.date);
  c.send(`GET /redirect/x HTTP/1.1\r\n${H}\r\n`);
  const rd = await c.response();
  t.is(rd.status, 301);
  t.is(rd.headers.location, "http://elsewhere.test/redirect/x");
  c.send(`GET /last HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
  const last = await c.response();
  t.is(echo(last.body).url, "/last");
  t.is(last.headers.connection, "close");
  t.true(await c.waitClosed());
});

test.serial("an absolute-form target is routed by its authority and sent in origin-form", async (t) => {
  const c = await client();
  c.send("GET http://fast.test/abs?q=1 HTTP/1.1\r\nHost: ignored.test\r\n\r\n");
  const r = await c.response();
  t.is(echo(r.body).url, "/abs?q=1");
  t.is(echo(r.body).headers.host, "fast.test");
  c.close();
});

test.serial("large bodies both ways with backpressure (4 MiB up, 8 MiB down)", async (t) => {
  const c = await client();
  const up = Buffer.alloc(4 * 1024 * 1024, 98);
  c.send(`POST /length HTTP/1.1\r\n${H}Content-Length: ${up.length}\r\n\r\n`);
  c.send(up);
  const r = await c.response(false, 20_000);
  t.is(r.body, String(up.length));
  c.send(`GET /bytes/8388608 HTTP/1.1\r\n${H}\r\n`);
  const d = await c.response(false, 20_000);
  t.is(d.body.length, 8388608);
  c.close();
});

test.serial("nothing in this file was handed to Node's server", (t) => {
  t.is(fastStats.delegated, delegatedBefore, JSON.stringify([...fastStats.reasons]));
});
