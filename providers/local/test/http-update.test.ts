// Hot updates and drain: a new config swaps in atomically while an in-flight request
// finishes on the old one; keep-alive connections survive; certificates swap; drain stops
// accepting, lets requests finish with Connection: close, GOAWAYs HTTP/2, destroys the rest.
import test from "ava";
import { Agent, request as httpRequest } from "node:http";
import { connect as h2connect } from "node:http2";
import { connect as tlsConnect } from "node:tls";
import { X509Certificate } from "node:crypto";
import { ask, disposeCA, httpEcho, issue, json, makeCA, type EchoBackend, type Reply } from "./fixtures/http-backends.js";
import { boundPort, gateway, gatewayClass, httpRoute, service, settings, startProxy, tlsSecret, toService } from "./fixtures/http-world.js";
import { endpointCount } from "../src/http/upstream/endpoints.js";

let v1: EchoBackend;
let v2: EchoBackend;

test.before(async () => {
  v1 = await httpEcho("v1", "127.48.0.2");
  v2 = await httpEcho("v2", "127.48.0.3");
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

function viaAgent(url: string, agent: Agent, path: string): Promise<Reply & { localPort: number }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: Number(u.port), path, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), localPort: req.socket?.localPort ?? 0 }));
    });
    req.on("error", reject);
    req.end();
  });
}

test.serial("update: in-flight requests finish on the old config, new ones see the new one, keep-alive connections stay", async (t) => {
  const host = "127.48.0.1";
  const proxy = await startProxy(boundPort(objectsTo("v1"), host, 0));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const first = await viaAgent(proxy.url, agent, "/a");
  t.is(json(first).backend, "v1");
  const inflight = ask(proxy.url, { path: "/slow/600" });
  await new Promise((r) => setTimeout(r, 100));
  proxy.runtime.update({ ...boundPort(objectsTo("v2"), host, 0), port: proxy.port }, settings());
  const after = await viaAgent(proxy.url, agent, "/b");
  t.is(json(after).backend, "v2");
  t.is(after.localPort, first.localPort, "same client connection across the update");
  const slow = await inflight;
  t.is(slow.status, 200);
  t.is(json(slow).backend, "v1");
  agent.destroy();
  await proxy.stop();
});

test.serial("update releases the endpoints of the old config once its requests are done", async (t) => {
  const host = "127.48.0.4";
  const before = endpointCount();
  const both = [...objectsTo("v1").slice(0, -1), httpRoute("site", { rules: [toService("v1", { matches: [{ path: { type: "PathPrefix", value: "/a" } }] }), toService("v2")] })];
  const proxy = await startProxy(boundPort(both, host, 0));
  t.is(endpointCount(), before + 2);
  const objects = [gatewayClass(), gateway([{ name: "http", port: 80, protocol: "HTTP" }]), ...service("v2", [{ address: v2.address, port: v2.port }]), httpRoute("site", { rules: [toService("v2")] })];
  proxy.runtime.update({ ...boundPort(objects, host, 0), port: proxy.port }, settings());
  t.is(endpointCount(), before + 1);
  await proxy.stop();
  t.is(endpointCount(), before);
});

test.serial("update swaps certificates on an HTTPS port", async (t) => {
  const host = "127.48.0.5";
  const ca = makeCA();
  try {
    const a = issue(ca, "first.test", ["site.test"]);
    const b = issue(ca, "second.test", ["site.test"]);
    const objs = (cert: typeof a) => [
      gatewayClass(),
      gateway([{ name: "https", port: 443, protocol: "HTTPS", tls: { mode: "Terminate", certificateRefs: [{ name: "c" }] } }]),
      tlsSecret("c", cert),
      ...service("v1", [{ address: v1.address, port: v1.port }]),
      httpRoute("site", { rules: [toService("v1")] }),
    ];
    const proxy = await startProxy(boundPort(objs(a), host, 0));
    const cn = () => new Promise<string>((resolve, reject) => {
      const s = tlsConnect({ host, port: proxy.port, servername: "site.test", ca: ca.cert }, () => {
        resolve(/CN=([^\n,]+)/.exec(new X509Certificate(s.getPeerCertificate(true).raw).subject)?.[1] ?? "");
        s.destroy();
      });
      s.on("error", reject);
    });
    t.is(await cn(), "first.test");
    proxy.runtime.update({ ...boundPort(objs(b), host, 0), port: proxy.port }, settings());
    t.is(await cn(), "second.test");
    await proxy.stop();
  } finally {
    disposeCA(ca);
  }
});

test.serial("drain: stops accepting, the in-flight request finishes with Connection: close, HTTP/2 gets GOAWAY", async (t) => {
  const host = "127.48.0.6";
  const proxy = await startProxy(boundPort(objectsTo("v1"), host, 0));
  const session = h2connect(proxy.url);
  session.on("error", () => undefined);
  const goaway = new Promise<boolean>((resolve) => {
    session.on("goaway", () => resolve(true));
    session.on("close", () => resolve(true));
  });
  await new Promise<void>((resolve) => session.once("connect", () => resolve()));
  const inflight = ask(proxy.url, { path: "/slow/500", headers: { connection: "keep-alive" } });
  await new Promise((r) => setTimeout(r, 100));
  const drained = proxy.runtime.drain(10_000);
  const slow = await inflight;
  t.is(slow.status, 200);
  t.is(slow.headers.connection, "close");
  t.true(await goaway);
  await drained;
  const refused = await ask(proxy.url, { path: "/" }).then(() => false, () => true);
  t.true(refused, "no longer accepting");
  session.destroy();
});

test.serial("drain: what remains after the grace period is destroyed", async (t) => {
  const host = "127.48.0.7";
  const proxy = await startProxy(boundPort(objectsTo("v1"), host, 0));
  const inflight = ask(proxy.url, { path: "/slow/5000" }).then((r) => r.status, () => "destroyed");
  await new Promise((r) => setTimeout(r, 100));
  await proxy.runtime.drain(100);
  t.is(await inflight, "destroyed");
});
