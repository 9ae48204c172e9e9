// RequestMirror: copies reach the mirror (headers and body) and never hold the main
// request back, even when the mirror never reads or answers.
import test from "ava";
import { createServer, type Server, type Socket } from "node:net";
import { ask, httpEcho, json, type EchoBackend } from "./fixtures/http-backends.js";
import { boundPort, gateway, gatewayClass, httpRoute, service, startProxy, toService, type Proxy } from "./fixtures/http-world.js";

const PROXY = "127.47.0.1";
let main: EchoBackend;
let copy: EchoBackend;
let hole: Server;
const holeSockets = new Set<Socket>();
let proxy: Proxy;

const mirror = (name: string) => ({ type: "RequestMirror", requestMirror: { backendRef: { name, port: 80 } } });

test.before(async () => {
  main = await httpEcho("main", "127.47.0.2");
  copy = await httpEcho("copy", "127.47.0.3");
  // Accepts and then neither reads nor answers.
  hole = createServer((s) => { holeSockets.add(s); s.pause(); s.on("error", () => undefined); });
  await new Promise<void>((r) => hole.listen({ host: "127.47.0.4", port: 0 }, () => r()));
  const holePort = (hole.address() as { port: number }).port;
  const objects = [
    gatewayClass(),
    gateway([{ name: "http", port: 80, protocol: "HTTP" }]),
    ...service("main", [{ address: main.address, port: main.port }]),
    ...service("copy", [{ address: copy.address, port: copy.port }]),
    ...service("hole", [{ address: "127.47.0.4", port: holePort }]),
    httpRoute("site", {
      rules: [
        toService("main", { matches: [{ path: { type: "PathPrefix", value: "/hole" } }], filters: [mirror("hole")] }),
        toService("main", { filters: [mirror("copy")] }),
      ],
    }),
  ];
  proxy = await startProxy(boundPort(objects, PROXY, 0));
});

test.after.always(async () => {
  await proxy?.stop();
  await main?.close();
  await copy?.close();
  for (const s of holeSockets) s.destroy();
  await new Promise<void>((r) => (hole ? hole.close(() => r()) : r()));
});

async function eventually<T>(f: () => T | undefined, ms = 5000): Promise<T | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

test("the mirror gets a copy of the request, headers and body; the client gets the main answer", async (t) => {
  const r = await ask(proxy.url, { method: "POST", path: "/m1?q=1", headers: { host: "example.com", "x-id": "m1" }, body: "payload" });
  t.is(r.status, 200);
  t.is(json(r).backend, "main");
  const seen = await eventually(() => copy.requests.find((q) => q.url === "/m1?q=1"));
  t.truthy(seen);
  t.is(seen?.method, "POST");
  t.is(seen?.body, "payload");
  t.is(seen?.headers["x-id"], "m1");
});

test("a mirror that never reads nor answers does not hold back the main request, even with a large body", async (t) => {
  const big = "b".repeat(4 * 1024 * 1024);
  const r = await ask(proxy.url, { method: "POST", path: "/hole/big", headers: { host: "example.com" }, body: big });
  t.is(r.status, 200);
  t.is(json(r).body.length, big.length);
  const small = await ask(proxy.url, { path: "/hole/small", headers: { host: "example.com" } });
  t.is(small.status, 200);
});
