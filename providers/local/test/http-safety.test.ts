// Request smuggling, header and body limits, slowloris, idle connections — with raw sockets.
import test from "ava";
import { connect } from "node:net";
import { ask, ask2, raw } from "./fixtures/http-backends.js";
import { statusOf, useOneRouteProxy } from "./fixtures/http-one-route.js";

const PROXY = "127.43.0.1";
const w = useOneRouteProxy(PROXY, "127.43.0.2", { maxRequestHeaderBytes: 4096, maxRequestBodyBytes: 1000, requestHeadersTimeoutMs: 300, idleTimeoutMs: 400 });

test("Content-Length with Transfer-Encoding: 400 and the connection closed, nothing forwarded", async (t) => {
  const before = w.web.requests.length;
  const r = await raw(PROXY, w.proxy.port,
    "POST /cl-te HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n");
  t.is(statusOf(r.data), 400);
  t.true(r.closed);
  t.false(w.web.requests.slice(before).some((q) => q.url === "/smuggled" || q.url === "/cl-te"));
});

test("two different Content-Length headers: 400 and closed", async (t) => {
  const r = await raw(PROXY, w.proxy.port, "POST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde");
  t.is(statusOf(r.data), 400);
  t.true(r.closed);
  t.false(w.web.requests.some((q) => q.url === "/two"));
});

test("Transfer-Encoding other than chunked last: 400", async (t) => {
  const r = await raw(PROXY, w.proxy.port, "POST /te HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n");
  t.is(statusOf(r.data), 400);
  t.true(r.closed);
});

test("a transfer coding other than chunked: 501 and closed; several Host headers: 400 and closed", async (t) => {
  const te = await raw(PROXY, w.proxy.port, "POST /xte HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n");
  t.is(statusOf(te.data), 501);
  t.true(te.closed);
  const hosts = await raw(PROXY, w.proxy.port, "GET /hosts HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
  t.is(statusOf(hosts.data), 400);
  t.true(hosts.closed);
  t.false(w.web.requests.some((q) => q.url === "/xte" || q.url === "/hosts"));
});

test("duplicate identical Content-Length headers are rejected too (llhttp is strict)", async (t) => {
  const r = await raw(PROXY, w.proxy.port, "POST /dup HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nabcde");
  t.is(statusOf(r.data), 400);
  t.true(r.closed);
});

test("oversize request headers: 431 (HTTP/1.1) and 431 (HTTP/2)", async (t) => {
  const big = "x".repeat(5000);
  const r = await raw(PROXY, w.proxy.port, `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${big}\r\n\r\n`);
  t.is(statusOf(r.data), 431);
  t.true(r.closed);
  const r2 = await ask2(w.proxy.url, { headers: { ":authority": "a", "x-big": big } }).catch((e: Error) => ({ status: -1, error: e.message }));
  // An HTTP/2 client gets 431 or a stream reset (never a forwarded request).
  t.true(r2.status === 431 || r2.status === -1, JSON.stringify(r2).slice(0, 200));
  t.false(w.web.requests.some((q) => q.headers["x-big"] !== undefined));
});

test("slowloris: a client that never finishes its headers is cut off", async (t) => {
  const r = await raw(PROXY, w.proxy.port, "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: 1", 5000);
  t.true(r.closed, "connection closed by the proxy");
  t.true(r.data === "" || statusOf(r.data) === 408, r.data);
});

test("a connection that sends nothing is closed after the headers timeout", async (t) => {
  const r = await raw(PROXY, w.proxy.port, "", 5000);
  t.true(r.closed);
});

test("an idle keep-alive connection is closed after the idle timeout", async (t) => {
  const closed = await new Promise<boolean>((resolve) => {
    const s = connect({ host: PROXY, port: w.proxy.port });
    const timer = setTimeout(() => { s.destroy(); resolve(false); }, 5000);
    s.on("close", () => { clearTimeout(timer); resolve(true); });
    s.on("error", () => undefined);
    s.resume();
    s.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  });
  t.true(closed);
});

test("body limit: a declared Content-Length over it gets 413 without reaching the backend", async (t) => {
  const r = await ask(w.proxy.url, { method: "POST", path: "/big-cl", body: "x".repeat(2000) });
  t.is(r.status, 413);
  t.false(w.web.requests.some((q) => q.url === "/big-cl"));
});

test("body limit: a chunked body growing over it gets 413", async (t) => {
  const r = await ask(w.proxy.url, { method: "POST", path: "/big-chunked", headers: { "transfer-encoding": "chunked" }, body: "x".repeat(5000) });
  t.is(r.status, 413);
});

test("a body within the limit passes", async (t) => {
  const r = await ask(w.proxy.url, { method: "POST", path: "/small", body: "x".repeat(900) });
  t.is(r.status, 200);
});
