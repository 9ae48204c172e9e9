// Malformed and smuggling-like requests on the fast path: refused with 400 (or handed to
// Node, whose parser refuses them) and the connection closed; never forwarded. Head size
// and time limits.
import test from "ava";
import { raw } from "./fixtures/http-backends.js";
import { RawClient } from "./fixtures/http-fast-raw.js";
import { statusOf, useOneRouteProxy } from "./fixtures/http-one-route.js";

const PROXY = "127.63.0.1";
const w = useOneRouteProxy(PROXY, "127.63.0.2", { maxRequestHeaderBytes: 2048, requestHeadersTimeoutMs: 300, idleTimeoutMs: 400 });

function forwarded(path: string): boolean {
  return w.web.requests.some((q) => q.url.startsWith(path));
}

const REFUSED: [string, string, number][] = [
  ["obs-fold", "GET /s/fold HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n  folded\r\n\r\n", 400],
  ["bare LF in a field", "GET /s/lf1 HTTP/1.1\r\nHost: a\nX-A: 1\r\n\r\n", 400],
  ["bare LF line ends", "GET /s/lf2 HTTP/1.1\nHost: a\n\n", 400],
  ["bare CR", "GET /s/cr HTTP/1.1\r\nHost: a\rX-A: 1\r\n\r\n", 400],
  ["whitespace before the colon", "GET /s/ws HTTP/1.1\r\nHost : a\r\n\r\n", 400],
  ["whitespace before the first field", "GET /s/ws2 HTTP/1.1\r\n Host: a\r\n\r\n", 400],
  ["invalid field name", "GET /s/name HTTP/1.1\r\nHost: a\r\nX(A): 1\r\n\r\n", 400],
  ["empty field name", "GET /s/empty HTTP/1.1\r\nHost: a\r\n: 1\r\n\r\n", 400],
  ["NUL in a value", "GET /s/nul HTTP/1.1\r\nHost: a\r\nX-A: a\u0000b\r\n\r\n", 400],
  ["DEL in a value", "GET /s/del HTTP/1.1\r\nHost: a\r\nX-A: a\u007fb\r\n\r\n", 400],
  ["two Host fields", "GET /s/hosts HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400],
  ["two equal Content-Length", "POST /s/cl2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400],
  ["Content-Length list", "POST /s/cllist HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc", 400],
  ["signed Content-Length", "POST /s/clsign HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc", 400],
  ["empty Content-Length", "POST /s/clempty HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n", 400],
  ["huge Content-Length", "POST /s/clhuge HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", 400],
  ["space in the target", "GET /s/a b HTTP/1.1\r\nHost: a\r\n\r\n", 400],
  ["control byte in the target", "GET /s/a\u0001b HTTP/1.1\r\nHost: a\r\n\r\n", 400],
  ["no space after the method", "GET\t/s/tab HTTP/1.1\r\nHost: a\r\n\r\n", 400],
  // handed to Node: its parser refuses these
  ["Content-Length and Transfer-Encoding", "POST /s/clte HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /s/smuggled HTTP/1.1\r\nHost: a\r\n\r\n", 400],
  ["chunked not last", "POST /s/te HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400],
  ["unknown transfer coding", "POST /s/xte HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 501],
  ["unknown method", "FROB /s/frob HTTP/1.1\r\nHost: a\r\n\r\n", 400],
  ["lowercase method", "get /s/lower HTTP/1.1\r\nHost: a\r\n\r\n", 400],
];

for (const [name, bytes, status] of REFUSED) {
  test(`${name}: ${status}, closed, not forwarded`, async (t) => {
    const r = await raw(PROXY, w.proxy.port, bytes);
    t.is(statusOf(r.data), status, r.data);
    t.true(r.closed);
    const path = /^\S+ (\/s\/[^\s\u0001]*)/.exec(bytes)?.[1] ?? "/s/";
    t.false(forwarded(path), path);
    t.false(forwarded("/s/smuggled"));
  });
}

test("a request inside a body is a body: one request forwarded", async (t) => {
  const inner = "GET /s/inner HTTP/1.1\r\nHost: a\r\n\r\n";
  const c = await RawClient.open(PROXY, w.proxy.port);
  c.send(`POST /s/carrier HTTP/1.1\r\nHost: a\r\nContent-Length: ${inner.length}\r\n\r\n${inner}`);
  const r = await c.response();
  t.is(r.status, 200);
  t.is((JSON.parse(r.body) as { body: string }).body, inner);
  await new Promise((res) => setTimeout(res, 50));
  t.false(forwarded("/s/inner"));
  c.close();
});

test("Connection: close ends the connection: a pipelined request after it is not served", async (t) => {
  const r = await raw(PROXY, w.proxy.port, "GET /s/closing HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /s/after-close HTTP/1.1\r\nHost: a\r\n\r\n");
  t.is(statusOf(r.data), 200);
  t.true(r.closed);
  t.is(r.data.split("HTTP/1.1 ").length - 1, 1);
  t.false(forwarded("/s/after-close"));
});

test("a head over the limit: 431, also when it arrives in small pieces", async (t) => {
  const whole = await raw(PROXY, w.proxy.port, `GET /s/big HTTP/1.1\r\nHost: a\r\nX-Big: ${"x".repeat(3000)}\r\n\r\n`);
  t.is(statusOf(whole.data), 431);
  t.true(whole.closed);
  const c = await RawClient.open(PROXY, w.proxy.port);
  c.send("GET /s/big2 HTTP/1.1\r\nHost: a\r\n");
  for (let i = 0; i < 30 && !c.closed; i++) {
    c.send(`X-F${i}: ${"y".repeat(100)}\r\n`);
    await new Promise((res) => setTimeout(res, 2));
  }
  t.true(await c.waitClosed());
  t.is(statusOf(c.rest), 431);
  t.false(forwarded("/s/big"));
});

test("a head that trickles in forever is cut off by the headers timeout", async (t) => {
  const c = await RawClient.open(PROXY, w.proxy.port);
  c.send("GET /s/trickle HTTP/1.1\r\nHost: a\r\n");
  for (let i = 0; i < 40 && !c.closed; i++) {
    c.send(`X-T${i}: 1\r\n`);
    await new Promise((res) => setTimeout(res, 50));
  }
  t.true(await c.waitClosed());
  t.true(c.rest === "" || statusOf(c.rest) === 408, c.rest);
  t.false(forwarded("/s/trickle"));
});

test("an idle keep-alive connection is closed after the idle timeout", async (t) => {
  const c = await RawClient.open(PROXY, w.proxy.port);
  c.send("GET /s/idle HTTP/1.1\r\nHost: a\r\n\r\n");
  t.is((await c.response()).status, 200);
  t.true(await c.waitClosed(5000));
});

test("a client that half-closes after its request still gets the answer", async (t) => {
  const c = await RawClient.open(PROXY, w.proxy.port);
  c.send("GET /s/half HTTP/1.1\r\nHost: a\r\n\r\n");
  c.socket.end();
  const r = await c.response();
  t.is(r.status, 200);
  t.true(await c.waitClosed());
});
