// Forwarding through an HTTP port: HTTP/1.1 and HTTP/2 clients, HTTP/1.1 and h2c backends,
// headers (hop-by-hop, X-Forwarded-*), bodies, trailers, streaming, 404.
import test from "ava";
import { ask, ask2, h2cEcho, httpEcho, json, raw, type EchoBackend } from "./fixtures/http-backends.js";
import { boundPort, gateway, gatewayClass, httpRoute, service, startProxy, toService, type Proxy } from "./fixtures/http-world.js";

const PROXY = "127.41.0.1";
let web: EchoBackend;
let grpcish: EchoBackend;
let proxy: Proxy;

test.before(async () => {
  web = await httpEcho("web", "127.41.0.2");
  grpcish = await h2cEcho("h2", "127.41.0.3");
  const objects = [
    gatewayClass(),
    gateway([{ name: "http", port: 80, protocol: "HTTP" }]),
    ...service("web", [{ address: web.address, port: web.port }]),
    ...service("h2", [{ address: grpcish.address, port: grpcish.port }], "kubernetes.io/h2c"),
    httpRoute("site", {
      hostnames: ["example.com"],
      rules: [
        toService("h2", { matches: [{ path: { type: "PathPrefix", value: "/h2" } }] }),
        toService("web", {
          matches: [{ path: { type: "PathPrefix", value: "/edit" } }],
          filters: [{ type: "ResponseHeaderModifier", responseHeaderModifier: { set: [{ name: "x-set", value: "yes" }], remove: ["x-backend"] } }],
        }),
        toService("web"),
      ],
    }),
  ];
  proxy = await startProxy(boundPort(objects, PROXY, 0));
});

test.after.always(async () => {
  await proxy?.stop();
  await web?.close();
  await grpcish?.close();
});

test("HTTP/1.1 request forwarded with path, query, method and body", async (t) => {
  const r = await ask(proxy.url, { method: "POST", path: "/a/b?x=1", headers: { host: "example.com", "content-type": "text/plain" }, body: "hello" });
  t.is(r.status, 200);
  const e = json(r);
  t.is(e.backend, "web");
  t.is(e.method, "POST");
  t.is(e.url, "/a/b?x=1");
  t.is(e.body, "hello");
  t.is(e.headers.host, "example.com");
  t.is(e.headers["content-type"], "text/plain");
});

test("X-Forwarded-For is appended, -Proto/-Port set, -Host appended", async (t) => {
  const r = await ask(proxy.url, { headers: { host: "example.com:8080", "x-forwarded-for": "10.1.1.1", "x-forwarded-proto": "https", "x-forwarded-port": "1" } });
  const h = json(r).headers;
  t.is(h["x-forwarded-for"], "10.1.1.1, 127.0.0.1");
  t.is(h["x-forwarded-proto"], "http");
  t.is(h["x-forwarded-port"], "80");
  t.is(h["x-forwarded-host"], "example.com:8080");
});

test("hop-by-hop request headers are stripped, TE: trailers kept", async (t) => {
  const r = await raw(PROXY, proxy.port,
    "GET / HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive, x-private\r\nX-Private: secret\r\nKeep-Alive: timeout=9\r\n" +
    "Proxy-Connection: keep-alive\r\nTE: trailers, deflate\r\nX-Keep: 1\r\nConnection: close\r\n\r\n");
  const body = r.data.slice(r.data.indexOf("\r\n\r\n") + 4);
  const h = (JSON.parse(body) as { headers: Record<string, string> }).headers;
  t.is(h["x-private"], undefined);
  t.is(h["keep-alive"], undefined);
  t.is(h["proxy-connection"], undefined);
  t.is(h.te, "trailers");
  t.is(h["x-keep"], "1");
  t.not(h.connection, "x-private");
});

test("hop-by-hop response headers are stripped; ResponseHeaderModifier applies", async (t) => {
  const r = await ask(proxy.url, { path: "/hop", headers: { host: "example.com" } });
  t.is(r.status, 200);
  t.is(r.headers["x-secret"], undefined);
  t.is(r.headers["proxy-connection"], undefined);
  t.not(r.headers.connection, "x-secret, keep-alive");
  const e = await ask(proxy.url, { path: "/edit", headers: { host: "example.com" } });
  t.is(e.headers["x-set"], "yes");
  t.is(e.headers["x-backend"], undefined);
});

test("no route: 404 with a short text body", async (t) => {
  const r = await ask(proxy.url, { headers: { host: "other.test" } });
  t.is(r.status, 404);
  t.true(r.body.length < 100);
});

test("upstream status codes and streamed bodies pass through", async (t) => {
  const s = await ask(proxy.url, { path: "/status/418", headers: { host: "example.com" } });
  t.is(s.status, 418);
  const st = await ask(proxy.url, { path: "/stream/5", headers: { host: "example.com" } });
  t.is(st.body, "chunk1\nchunk2\nchunk3\nchunk4\nchunk5\n");
});

test("large bodies stream both ways (8 MiB up, 8 MiB down)", async (t) => {
  const up = Buffer.alloc(8 * 1024 * 1024, 98);
  const r = await ask(proxy.url, { method: "POST", path: "/length", headers: { host: "example.com" }, body: up });
  t.is(r.body, String(up.length));
  const down = await ask(proxy.url, { path: "/bytes/8388608", headers: { host: "example.com" } });
  t.is(down.body.length, 8388608);
  const down2 = await ask2(proxy.url, { path: "/bytes/3000000", headers: { ":authority": "example.com" } });
  t.is(down2.body.length, 3000000);
});

test("an absolute-form request target is routed by its authority and sent upstream in origin-form", async (t) => {
  const r = await raw(PROXY, proxy.port, "GET http://example.com/abs?q=1 HTTP/1.1\r\nHost: ignored.test\r\nConnection: close\r\n\r\n");
  t.regex(r.data, /^HTTP\/1\.1 200/);
  const e = JSON.parse(r.data.slice(r.data.indexOf("\r\n\r\n") + 4)) as { url: string; headers: Record<string, string> };
  t.is(e.url, "/abs?q=1");
  t.is(e.headers.host, "example.com");
});

test("HTTP/1.1 response trailers reach an HTTP/1.1 client", async (t) => {
  const r = await ask(proxy.url, { path: "/trailers", headers: { host: "example.com", te: "trailers" } });
  t.is(r.body, "body");
  t.is(r.trailers?.["x-checksum"], "abc");
});

test("HTTP/2 prior-knowledge client to an HTTP/1.1 backend", async (t) => {
  const r = await ask2(proxy.url, { method: "POST", path: "/x?y=2", headers: { ":authority": "example.com", cookie: ["a=1", "b=2"] }, body: "h2body" });
  t.is(r.status, 200);
  const e = json(r);
  t.is(e.backend, "web");
  t.is(e.url, "/x?y=2");
  t.is(e.body, "h2body");
  t.is(e.headers.host, "example.com");
  t.is(e.headers.cookie, "a=1; b=2");
});

test("HTTP/1.1 client to an h2c backend, and HTTP/2 to h2c", async (t) => {
  const r = await ask(proxy.url, { method: "PUT", path: "/h2/x", headers: { host: "example.com" }, body: "to-h2" });
  t.is(r.status, 200);
  const e = json(r);
  t.is(e.backend, "h2");
  t.is(e.headers[":authority"], "example.com");
  t.is(e.body, "to-h2");
  const r2 = await ask2(proxy.url, { path: "/h2/y", headers: { ":authority": "example.com" } });
  t.is(json(r2).backend, "h2");
  t.is(json(r2).url, "/h2/y");
});

test.serial("many keep-alive requests reuse upstream connections", async (t) => {
  const before = web.connections;
  for (let i = 0; i < 20; i++) {
    const r = await ask(proxy.url, { path: `/n${i}`, headers: { host: "example.com" } });
    t.is(r.status, 200);
  }
  t.true(web.connections - before <= 2, `opened ${web.connections - before} upstream connections for 20 sequential requests`);
});
