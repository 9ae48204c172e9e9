// WebSocket upgrades in the request metrics and the access log, through 2 worker threads:
// each upgrade is one request, counted and logged once. A 101 when its spliced session
// closes (the bytes it moved both ways), an upstream's non-101 answer (403, 200), a connect
// failure (503) and a router answer (302) with the status sent.
import test from "ava";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:net";
import { Registry } from "prom-client";
import { LocalProvider } from "../src/provider.js";
import { deadPort, httpEcho, raw, wsEcho } from "./fixtures/http-backends.js";
import { desiredOf, docs, gateway, gatewayClass, http, proxyConfig, service } from "./fixtures/provider-world.js";
import { lines, sum, values } from "./fixtures/telemetry-read.js";
import { freePort, recorder, until } from "./fixtures/runtime-util.js";

const T = `creationTimestamp: "2025-01-01T00:00:00Z"`;

const routes = (gw: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: site, namespace: default, generation: 1, ${T} }
spec:
  parentRefs: [{ name: ${gw} }]
  rules:
  - name: chat
    matches: [{ path: { type: PathPrefix, value: /chat } }]
    backendRefs: [{ name: ws, port: 80 }]
  - name: refuse
    matches: [{ path: { type: Exact, value: /refuse } }]
    backendRefs: [{ name: ws, port: 80 }]
  - name: plain
    matches: [{ path: { type: PathPrefix, value: /plain } }]
    backendRefs: [{ name: plain, port: 80 }]
  - name: dead
    matches: [{ path: { type: PathPrefix, value: /dead } }]
    backendRefs: [{ name: dead, port: 80 }]
  - name: moved
    matches: [{ path: { type: PathPrefix, value: /moved } }]
    filters: [{ type: RequestRedirect, requestRedirect: { hostname: elsewhere.example, statusCode: 302 } }]
`;

const handshake = (path: string) => `GET ${path} HTTP/1.1\r\nHost: chat.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

/**
 * One upgrade by hand: the handshake, then each message sent once its predecessor's echo came
 * back in full, then the client closes. Resolves with the answer head and the echoed bytes.
 * Liveness timeout 5s (a failure, not a measurement).
 */
function session(host: string, port: number, path: string, messages: string[]): Promise<{ head: string; echoed: string }> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    let buf = "";
    let head: string | null = null;
    let next = 0;
    let expected = 0;
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`session ${path}: no progress in 5s (head ${JSON.stringify(head)}, got ${JSON.stringify(buf)})`)); }, 5000);
    const sendNext = (): void => {
      if (next === messages.length) {
        clearTimeout(timer);
        s.destroy();
        resolve({ head: head!, echoed: buf });
        return;
      }
      const m = messages[next++]!;
      expected += m.length;
      s.write(m);
    };
    s.on("error", (e) => { clearTimeout(timer); reject(e); });
    s.on("data", (c: Buffer) => {
      buf += c.toString("latin1");
      if (head === null) {
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        if (!head.startsWith("HTTP/1.1 101")) {
          clearTimeout(timer);
          s.destroy();
          reject(new Error(`session ${path}: ${head}`));
          return;
        }
        sendNext();
        return;
      }
      if (buf.length === expected) sendNext();
    });
    s.write(handshake(path));
  });
}

test.serial("2 workers: every WebSocket upgrade is one request in the metrics and one access log line, 101 at its session's close", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-telemetry-ws-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const logPath = join(dir, "access.log");
  const ws = await wsEcho("ws", "127.91.40.10");
  const plain = await httpEcho("plain", "127.91.40.11");
  const dead = await deadPort("127.91.40.12");
  t.teardown(async () => { await ws.close(); await plain.close(); });

  const host = "127.91.41.1";
  const base = await freePort(host);
  const registry = new Registry();
  const provider = new LocalProvider({ workers: 2, portOffset: base - 80, addressPool: ["127.91.41.0/24"], logger: recorder().log, metricsRegistry: registry });
  t.teardown(() => provider.close());
  const yaml = docs(
    gatewayClass("local", "obs"),
    proxyConfig("obs", `{ accessLog: { enabled: true, sampleRatio: 1, path: "${logPath}" } }`),
    service("ws", "127.91.40.10", ws.port), service("plain", "127.91.40.11", plain.port), service("dead", "127.91.40.12", dead),
    gateway("gw", `[${http("web", 80)}]`),
    routes("gw"),
  );
  const desired = desiredOf(yaml);
  const r = await provider.apply(await provider.plan(desired), desired);
  t.true(r.gateways[0]?.programmed, JSON.stringify(r.gateways[0]));

  // N sessions, each on its own connection: session i sends `ping-i` and `again`, both echoed.
  const N = 5;
  for (let i = 0; i < N; i++) {
    const s = await session(host, base, `/chat/${i}`, [`ping-${i}`, "again"]);
    t.regex(s.head, /^HTTP\/1\.1 101 /);
    t.is(s.echoed, `ping-${i}again`);
  }
  // The upstream refuses (403) / answers 200 (no upgrade handler); no endpoint accepts (503); a redirect rule (302).
  const refused = await raw(host, base, handshake("/refuse"));
  t.true(refused.closed);
  t.regex(refused.data, /^HTTP\/1\.1 403 /);
  t.is(refused.data.slice(refused.data.indexOf("\r\n\r\n") + 4), "no");
  const ok = await raw(host, base, handshake("/plain/x"));
  t.true(ok.closed);
  t.regex(ok.data, /^HTTP\/1\.1 200 /);
  const okBody = ok.data.slice(ok.data.indexOf("\r\n\r\n") + 4);
  t.is((JSON.parse(okBody) as { backend: string }).backend, "plain");
  const failed = await raw(host, base, handshake("/dead"));
  t.true(failed.closed);
  t.regex(failed.data, /^HTTP\/1\.1 503 /);
  const moved = await raw(host, base, handshake("/moved"));
  t.true(moved.closed);
  t.regex(moved.data, /^HTTP\/1\.1 302 /);
  t.true(moved.data.includes(`\r\nlocation: http://elsewhere.example:${base}/moved\r\n`), moved.data);

  const gw = "default/gw";
  const site = { gateway: gw, listener: "web", route: "default/site" };
  const wsBackend = "Service/default/ws:80";
  const total = N + 4;
  // A session's close reaches its worker a moment after the client's: wait for the counts to
  // arrive and every connection to be closed, then they must be exact.
  await until(async () => sum(await values(registry, "gatehouse_proxy_requests_total"), {}) >= total
    && sum(await values(registry, "gatehouse_proxy_active_connections"), { gateway: gw }) === 0, "every upgrade counted and every connection closed", 250);

  const requests = await values(registry, "gatehouse_proxy_requests_total");
  t.is(sum(requests, { ...site, rule: "chat", backend: wsBackend, method: "GET", code: "1xx" }), N);
  t.is(sum(requests, { code: "1xx" }), N);
  t.is(sum(requests, { ...site, rule: "refuse", backend: wsBackend, method: "GET", code: "4xx" }), 1);
  t.is(sum(requests, { ...site, rule: "plain", backend: "Service/default/plain:80", method: "GET", code: "2xx" }), 1);
  t.is(sum(requests, { ...site, rule: "dead", backend: "Service/default/dead:80", method: "GET", code: "5xx" }), 1);
  t.is(sum(requests, { ...site, rule: "moved", backend: "", method: "GET", code: "3xx" }), 1);
  // The dead endpoint's refused connect counts like any request's; nothing else failed to connect.
  const connectErrors = await values(registry, "gatehouse_proxy_upstream_connect_errors_total");
  t.is(sum(connectErrors, { ...site, rule: "dead", backend: "Service/default/dead:80" }), 1);
  t.is(sum(connectErrors, {}), 1);
  t.is(sum(requests, {}), total);
  const durations = await values(registry, "gatehouse_proxy_request_duration_seconds");
  t.is(sum(durations, { ...site, rule: "chat", code: "1xx" }, "gatehouse_proxy_request_duration_seconds_count"), N);
  t.is(sum(durations, {}, "gatehouse_proxy_request_duration_seconds_count"), total);

  // Access log: one line per upgrade.
  await until(() => lines(logPath).length >= total, "the access log lines", 250);
  const log = lines(logPath);
  t.is(log.length, total);
  const common = { gateway: gw, listener: "web", source: "httproute/default/site/rule/0/match/0", route: "default/site", protocol: "HTTP/1.1", method: "GET", client: "127.0.0.1", trace_id: null };
  const sessions = log.filter((l) => l.status === 101);
  t.is(sessions.length, N);
  for (let i = 0; i < N; i++) {
    const matching = sessions.filter((l) => l.path === `/chat/${i}`);
    t.is(matching.length, 1, `/chat/${i}`);
    const l = matching[0]!;
    const bytes = `ping-${i}again`.length;
    t.like(l, { ...common, rule: "chat", backend: wsBackend, endpoint: `127.91.40.10:${ws.port}`, bytes_in: bytes, bytes_out: bytes });
    t.is(typeof l.duration_ms, "number");
    t.is(typeof l.upstream_ms, "number");
  }
  const byPath = (p: string) => {
    const m = log.filter((l) => l.path === p);
    if (m.length !== 1) throw new Error(`${m.length} log lines for ${p}`);
    return m[0]!;
  };
  t.like(byPath("/refuse"), { ...common, source: "httproute/default/site/rule/1/match/0", rule: "refuse", backend: wsBackend, endpoint: `127.91.40.10:${ws.port}`, status: 403, bytes_in: 0, bytes_out: 2 });
  t.is(typeof byPath("/refuse").upstream_ms, "number");
  t.like(byPath("/plain/x"), { ...common, source: "httproute/default/site/rule/2/match/0", rule: "plain", backend: "Service/default/plain:80", endpoint: `127.91.40.11:${plain.port}`, status: 200, bytes_in: 0, bytes_out: Buffer.byteLength(okBody, "latin1") });
  t.like(byPath("/dead"), { ...common, source: "httproute/default/site/rule/3/match/0", rule: "dead", backend: "Service/default/dead:80", endpoint: `127.91.40.12:${dead}`, status: 503, bytes_in: 0, bytes_out: "upstream connect error\n".length, upstream_ms: null });
  t.like(byPath("/moved"), { ...common, source: "httproute/default/site/rule/4/match/0", rule: "moved", backend: null, endpoint: null, status: 302, bytes_in: 0, bytes_out: 0, upstream_ms: null });

  // Nothing more arrives once every connection is closed (no upgrade is reported twice).
  const written = async () => sum(await values(registry, "gatehouse_proxy_access_log_lines_total"), { result: "written" });
  await until(async () => (await written()) >= total, "the written-lines counter", 250);
  t.is(await written(), total);
  t.is(sum(await values(registry, "gatehouse_proxy_requests_total"), {}), total);
  t.is(lines(logPath).length, total);
});
