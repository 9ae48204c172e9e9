// LocalProvider with real worker threads and the real servers (default factories): YAML →
// compute() → apply → traffic through the workers to a backend on 127.63.x.
import test from "ava";
import { createServer as createHttpServer } from "node:http";
import { createServer, type Server } from "node:net";
import { LocalProvider } from "../src/provider.js";
import { desiredOf, docs, gateway, gatewayClass, http, httpRoute, programmedOf, service } from "./fixtures/provider-world.js";
import { freePort, httpGet, recorder, tcpLine, until } from "./fixtures/runtime-util.js";

/** A TCP backend answering each line with `<name>:<line>`. */
function lineBackend(host: string, name: string): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer((s) => {
      s.setEncoding("utf8");
      s.on("error", () => undefined);
      s.on("data", (d: string) => s.end(`${name}:${d.trim()}\n`));
    });
    server.listen({ host, port: 0 }, () => {
      const a = server.address();
      resolve({ server, port: typeof a === "object" && a ? a.port : 0 });
    });
  });
}

const tcpRoute = (name: string, gw: string, backend: string) => `
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: { name: ${name}, namespace: default, generation: 1, creationTimestamp: "2025-01-01T00:00:00Z" }
spec:
  parentRefs: [{ name: ${gw} }]
  rules: [{ backendRefs: [{ name: ${backend}, port: 80 }] }]
`;

test.serial("2 workers serve a TCPRoute; a backend change swaps in; close stops serving", async (t) => {
  const one = await lineBackend("127.63.0.10", "one");
  const two = await lineBackend("127.63.0.11", "two");
  t.teardown(() => { one.server.close(); two.server.close(); });
  const base = await freePort("127.63.1.1");
  const logs = recorder();
  const provider = new LocalProvider({ workers: 2, portOffset: base - 80, addressPool: ["127.63.1.0/24"], logger: logs.log });
  t.teardown(() => provider.close());

  const world = (backend: string) => docs(
    gatewayClass("local"),
    service("one", "127.63.0.10", one.port), service("two", "127.63.0.11", two.port),
    gateway("tcp", `[{ name: raw, port: 80, protocol: TCP, allowedRoutes: { kinds: [{ kind: TCPRoute }] } }]`),
    tcpRoute("r", "tcp", backend),
  );
  const d1 = desiredOf(world("one"));
  const r1 = await provider.apply(await provider.plan(d1), d1);
  t.like(r1.gateways[0], { key: "default/tcp", programmed: true, addresses: [{ type: "IPAddress", value: "127.63.1.1" }] }, JSON.stringify(r1.gateways[0]));
  for (let i = 0; i < 10; i++) t.is(await tcpLine("127.63.1.1", base, `hi${i}`), `one:hi${i}`);

  const d2 = desiredOf(world("two"));
  t.deepEqual((await provider.plan(d2)).changes.map((c) => c.op), ["update"]);
  await provider.apply(await provider.plan(d2), d2);
  for (let i = 0; i < 10; i++) t.is(await tcpLine("127.63.1.1", base, `x${i}`), `two:x${i}`);

  await provider.close();
  await until(async () => (await tcpLine("127.63.1.1", base, "gone")) === "ECONNREFUSED", "the port to close");
});

/** An HTTP backend answering `<name> <method> <url> host=<host> xff=<x-forwarded-for>`. */
function httpBackend(host: string, name: string): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createHttpServer((req, res) => {
      res.end(`${name} ${req.method} ${req.url} host=${req.headers.host} xff=${String(req.headers["x-forwarded-for"])}`);
    });
    server.listen({ host, port: 0 }, () => {
      const a = server.address();
      resolve({ server, port: typeof a === "object" && a ? a.port : 0 });
    });
  });
}

test.serial("real HTTP through 2 workers; a Gateway whose address is taken is AddressNotUsable, the other serves", async (t) => {
  const web = await httpBackend("127.63.0.20", "web");
  t.teardown(() => web.server.close());
  const base = await freePort("127.63.2.1");
  // Someone else holds 127.63.2.50 on the port Gateway "blocked" asks for (no reusePort: we cannot share it).
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen({ host: "127.63.2.50", port: base }, () => resolve()));
  t.teardown(() => blocker.close());
  const provider = new LocalProvider({ workers: 2, portOffset: base - 80, addressPool: ["127.63.2.0/24"], logger: recorder().log });
  t.teardown(() => provider.close());

  const yaml = docs(
    gatewayClass("local"),
    service("web", "127.63.0.20", web.port),
    gateway("site", `[${http("web", 80)}]`),
    gateway("blocked", `[${http("web", 80)}]`, { extra: `  addresses: [{ type: IPAddress, value: "127.63.2.50" }]` }),
    httpRoute("site", "site", "web"),
    httpRoute("blocked", "blocked", "web"),
  );
  const desired = desiredOf(yaml);
  const r = await provider.apply(await provider.plan(desired), desired);
  const byKey = new Map(r.gateways.map((g) => [g.key, g]));
  t.like(byKey.get("default/site"), { programmed: true, addresses: [{ type: "IPAddress", value: "127.63.2.1" }] });
  const blocked = byKey.get("default/blocked")!;
  t.like(blocked, { programmed: false, reason: "AddressNotUsable" });
  t.regex(blocked.message, /127\.63\.2\.50/);
  t.like(programmedOf(yaml, r, "default/blocked"), { status: "False", reason: "AddressNotUsable" });
  t.like(programmedOf(yaml, r, "default/site"), { status: "True", reason: "Programmed" });

  for (let i = 0; i < 10; i++) {
    const res = await httpGet("127.63.2.1", base, `/hello/${i}?q=1`, { host: "example.com" });
    if (typeof res === "string") return t.fail(res);
    t.is(res.status, 200);
    t.is(res.body, `web GET /hello/${i}?q=1 host=example.com xff=127.0.0.1`);
  }
});
