// Upstream failures: 502/503/504, passive ejection with failover, ready/serving endpoints,
// retries on status codes (bodies buffered for it up to 64 KiB).
import test from "ava";
import { ask, deadPort, httpEcho, json, type EchoBackend } from "./fixtures/http-backends.js";
import { boundPort, gateway, gatewayClass, httpRoute, service, settings, startProxy, toService, type Proxy } from "./fixtures/http-world.js";

const PROXY = "127.42.0.1";
let a: EchoBackend;
let b: EchoBackend;
let proxy: Proxy;
let dead1: number;
let dead2: number;

const host = { host: "example.com" };

test.before(async () => {
  a = await httpEcho("a", "127.42.0.2");
  b = await httpEcho("b", "127.42.0.3");
  dead1 = await deadPort("127.42.0.4");
  dead2 = await deadPort("127.42.0.5");
  const objects = [
    gatewayClass(),
    gateway([{ name: "http", port: 80, protocol: "HTTP" }]),
    ...service("alive", [{ address: a.address, port: a.port }]),
    ...service("half", [{ address: "127.42.0.4", port: dead1 }, { address: b.address, port: b.port }]),
    ...service("dead", [{ address: "127.42.0.4", port: dead1 }, { address: "127.42.0.5", port: dead2 }]),
    ...service("empty", []),
    ...service("notready", [{ address: a.address, port: a.port, ready: false, serving: true }]),
    httpRoute("site", {
      hostnames: ["example.com"],
      rules: [
        toService("half", { matches: [{ path: { type: "PathPrefix", value: "/half" } }] }),
        toService("dead", { matches: [{ path: { type: "PathPrefix", value: "/dead" } }] }),
        toService("empty", { matches: [{ path: { type: "PathPrefix", value: "/empty" } }] }),
        toService("notready", { matches: [{ path: { type: "PathPrefix", value: "/notready" } }] }),
        toService("alive", { matches: [{ path: { type: "PathPrefix", value: "/slow" }, headers: [{ name: "x-whole", value: "1" }] }], timeouts: { request: "300ms" } }),
        toService("alive", { matches: [{ path: { type: "PathPrefix", value: "/slow" } }], timeouts: { request: "2s", backendRequest: "300ms" } }),
        toService("alive", { matches: [{ path: { type: "PathPrefix", value: "/flaky" } }], retry: { codes: [503], attempts: 2, backoff: "10ms" } }),
        toService("alive"),
      ],
    }),
  ];
  proxy = await startProxy(boundPort(objects, PROXY, 0), settings({ ejectionMs: 60_000 }));
});

test.after.always(async () => {
  await proxy?.stop();
  await a?.close();
  await b?.close();
});

test("a Service without endpoints: 503 no healthy upstream", async (t) => {
  const r = await ask(proxy.url, { path: "/empty", headers: host });
  t.is(r.status, 503);
  t.regex(r.body, /no healthy upstream/);
});

test("every endpoint refuses: 503, short text body", async (t) => {
  const r = await ask(proxy.url, { path: "/dead", headers: host });
  t.is(r.status, 503);
  t.true(r.body.length < 100);
  t.notRegex(r.body, /at .*\.js/);
});

test("a refusing endpoint is ejected and its requests fail over: every request succeeds", async (t) => {
  for (let i = 0; i < 10; i++) {
    const r = await ask(proxy.url, { method: "POST", path: `/half/${i}`, headers: host, body: `body${i}` });
    t.is(r.status, 200);
    t.is(json(r).backend, "b");
    t.is(json(r).body, `body${i}`);
  }
  const ejections = proxy.env.lines.filter((l) => l.msg === "upstream endpoint ejected" && String(l.fields?.endpoint).startsWith("127.42.0.4"));
  // The /dead test may eject it too; within the ejection period it is never tried again.
  t.true(ejections.length >= 1 && ejections.length <= 2, JSON.stringify(ejections));
});

test("endpoints that are serving but not ready are used when none is ready", async (t) => {
  const r = await ask(proxy.url, { path: "/notready", headers: host });
  t.is(r.status, 200);
  t.is(json(r).backend, "a");
});

test("an upstream that drops the connection: 502", async (t) => {
  const r = await ask(proxy.url, { path: "/reset", headers: host });
  t.is(r.status, 502);
  t.true(r.body.length < 100);
});

test("backendRequest timeout: 504", async (t) => {
  const r = await ask(proxy.url, { path: "/slow/3000", headers: host });
  t.is(r.status, 504);
  t.regex(r.body, /timeout/);
});

test("request timeout: 504", async (t) => {
  const r = await ask(proxy.url, { path: "/slow/3000", headers: { ...host, "x-whole": "1" } });
  t.is(r.status, 504);
});

test("a client that goes away cancels its upstream request", async (t) => {
  const ac = new AbortController();
  const pending = ask(proxy.url, { path: "/slow/4000?cancel=1", headers: host, signal: ac.signal }).catch(() => "aborted");
  await new Promise((r) => setTimeout(r, 200));
  ac.abort();
  t.is(await pending, "aborted");
  for (let i = 0; i < 100 && !a.aborted.includes("/slow/4000?cancel=1"); i++) await new Promise((r) => setTimeout(r, 20));
  t.true(a.aborted.includes("/slow/4000?cancel=1"));
});

test("retries on the listed codes until success, resending the body", async (t) => {
  const r = await ask(proxy.url, { method: "POST", path: "/flaky/k1/2", headers: host, body: "again" });
  t.is(r.status, 200);
  t.is(json(r).body, "again");
  t.is(a.counts.get("k1"), 3);
});

test("retries stop after the attempts: the last 503 is returned", async (t) => {
  const r = await ask(proxy.url, { path: "/flaky/k2/5", headers: host });
  t.is(r.status, 503);
  t.is(a.counts.get("k2"), 3);
});

test("a body larger than the retry buffer is streamed and not retried", async (t) => {
  const big = "x".repeat(100 * 1024);
  const r = await ask(proxy.url, { method: "POST", path: "/flaky/k3/1", headers: host, body: big });
  t.is(r.status, 503);
  t.is(a.counts.get("k3"), 1);
  const chunked = await ask(proxy.url, { method: "POST", path: "/flaky/k4/1", headers: { ...host, "transfer-encoding": "chunked" }, body: "small" });
  t.is(chunked.status, 200, "a small chunked body is buffered and retried");
  t.is(json(chunked).body, "small");
});
