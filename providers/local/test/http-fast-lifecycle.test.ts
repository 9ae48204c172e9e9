// Hot update and drain with fast-path connections: a request keeps the configuration it
// started with, the next one on the same connection sees the new one; released endpoints
// close their raw pools; drain closes idle connections at once and ends busy ones after
// their answer (Connection: close).
import test from "ava";
import { httpEcho, type EchoBackend } from "./fixtures/http-backends.js";
import { RawClient, okResponse, scriptedUpstream } from "./fixtures/http-fast-raw.js";
import { boundPort, gateway, gatewayClass, httpRoute, service, settings, startProxy, toService } from "./fixtures/http-world.js";

let v1: EchoBackend;
let v2: EchoBackend;

test.before(async () => {
  v1 = await httpEcho("v1", "127.64.0.2");
  v2 = await httpEcho("v2", "127.64.0.3");
});
test.after.always(async () => {
  await v1?.close();
  await v2?.close();
});

function objectsTo(backend: string): unknown[] {
  return [
    gatewayClass(),
    gateway([{ name: "http", port: 80, protocol: "HTTP" }]),
    ...service("v1", [{ address: v1.address, port: v1.port }]),
    ...service("v2", [{ address: v2.address, port: v2.port }]),
    httpRoute("site", { rules: [toService(backend)] }),
  ];
}

function backendOf(body: string): string {
  return (JSON.parse(body) as { backend: string }).backend;
}

test.serial("update: the in-flight request finishes on the old config, the next one on the same connection uses the new one", async (t) => {
  const host = "127.64.0.10";
  const proxy = await startProxy(boundPort(objectsTo("v1"), host, 0));
  const a = await RawClient.open(host, proxy.port);
  a.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n");
  t.is(backendOf((await a.response()).body), "v1");
  const b = await RawClient.open(host, proxy.port);
  b.send("GET /slow/400 HTTP/1.1\r\nHost: x\r\n\r\n");
  await new Promise((r) => setTimeout(r, 100));
  proxy.runtime.update({ ...boundPort(objectsTo("v2"), host, 0), port: proxy.port }, settings());
  a.send("GET /second HTTP/1.1\r\nHost: x\r\n\r\n");
  t.is(backendOf((await a.response()).body), "v2");
  t.is(backendOf((await b.response()).body), "v1");
  t.false(a.closed);
  a.close();
  b.close();
  await proxy.stop();
});

test.serial("update: pooled upstream connections of released endpoints are closed", async (t) => {
  const host = "127.64.0.11";
  const up = await scriptedUpstream("127.64.0.4", () => ({ write: [okResponse("s1")] }));
  const withS1 = [...objectsTo("v1").slice(0, -1), ...service("s1", [{ address: up.address, port: up.port }]), httpRoute("site", { rules: [toService("s1")] })];
  const s = settings({ upstreamIdleTimeoutMs: 600_000 });
  const proxy = await startProxy(boundPort(withS1, host, 0), s);
  const c = await RawClient.open(host, proxy.port);
  c.send("GET /warm HTTP/1.1\r\nHost: x\r\n\r\n");
  t.is((await c.response()).body, "s1");
  t.is(up.open, 1);
  proxy.runtime.update({ ...boundPort(objectsTo("v2"), host, 0), port: proxy.port }, s);
  for (let i = 0; i < 100 && up.open > 0; i++) await new Promise((r) => setTimeout(r, 20));
  t.is(up.open, 0);
  c.send("GET /after HTTP/1.1\r\nHost: x\r\n\r\n");
  t.is(backendOf((await c.response()).body), "v2");
  c.close();
  await proxy.stop();
  await up.close();
});

test.serial("drain: idle connections close at once; a busy one gets its answer with Connection: close, then closes", async (t) => {
  const host = "127.64.0.12";
  const proxy = await startProxy(boundPort(objectsTo("v1"), host, 0));
  const idle = await RawClient.open(host, proxy.port);
  idle.send("GET /idle HTTP/1.1\r\nHost: x\r\n\r\n");
  await idle.response();
  const busy = await RawClient.open(host, proxy.port);
  busy.send("GET /slow/300 HTTP/1.1\r\nHost: x\r\n\r\n");
  await new Promise((r) => setTimeout(r, 100));
  const drained = proxy.runtime.drain(10_000);
  t.true(await idle.waitClosed(2000));
  const r = await busy.response();
  t.is(r.status, 200);
  t.is(r.headers.connection, "close");
  t.true(await busy.waitClosed(2000));
  await drained;
});

