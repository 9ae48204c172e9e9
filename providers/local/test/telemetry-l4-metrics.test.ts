// Metrics and access log lines of UDPRoute and TLSRoute (Passthrough) sessions from real
// traffic over loopback through 2 worker threads. Session counts, byte counts (the client side
// of the proxy: datagram payloads for UDP, TLS records for passthrough) and labels must match
// what the clients sent and received, summed over the workers.
import test from "ava";
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { Registry } from "prom-client";
import { LocalProvider } from "../src/provider.js";
import { makeCert, tlsBackend, udpBackend } from "./fixtures/l4-harness.js";
import { desiredOf, docs, gateway, gatewayClass, proxyConfig, service } from "./fixtures/provider-world.js";
import { lines, sum, values } from "./fixtures/telemetry-read.js";
import { freePort, recorder, until } from "./fixtures/runtime-util.js";

const T = `creationTimestamp: "2025-01-01T00:00:00Z"`;

function l4Route(kind: "UDPRoute" | "TLSRoute", name: string, backend: string, hostnames?: string[]): string {
  const apiVersion = kind === "TLSRoute" ? "gateway.networking.k8s.io/v1" : "gateway.networking.k8s.io/v1alpha2";
  return `
apiVersion: ${apiVersion}
kind: ${kind}
metadata: { name: ${name}, namespace: default, generation: 1, ${T} }
spec:
  parentRefs: [{ name: gw }]
${hostnames ? `  hostnames: [${hostnames.map((h) => `"${h}"`).join(", ")}]\n` : ""}  rules: [{ backendRefs: [{ name: ${backend}, port: 80 }] }]
`;
}

interface UdpResult { replies: string[]; bytesOut: number; bytesIn: number }

/**
 * One UDP session: a socket bound to `local`, each payload sent after the previous one's reply
 * came back (no resend: every datagram sent is counted). Liveness bound 5 s per reply.
 */
async function udpSession(local: string, host: string, port: number, payloads: string[]): Promise<UdpResult> {
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind({ address: local, port: 0 }, () => r()));
  const out: UdpResult = { replies: [], bytesOut: 0, bytesIn: 0 };
  try {
    for (const p of payloads) {
      const reply = new Promise<Buffer | undefined>((resolve) => {
        const timer = setTimeout(() => { s.removeAllListeners("message"); resolve(undefined); }, 5000);
        s.once("message", (m) => { clearTimeout(timer); resolve(m); });
      });
      const data = Buffer.from(p);
      s.send(data, port, host);
      out.bytesOut += data.length;
      const m = await reply;
      if (m === undefined) { out.replies.push("timeout"); break; }
      out.bytesIn += m.length;
      out.replies.push(m.toString());
    }
  } finally {
    s.close();
  }
  return out;
}

interface TlsResult { lines: string[]; written: number; read: number; error?: string }

/**
 * One TLS session from `local` with SNI `servername`: reads the backend's greeting, sends one
 * line and reads its echo, ends (close_notify + FIN) and waits for the close. `written` and
 * `read` are the TCP socket's byte counts under the TLS socket: the records the client moved.
 */
function tlsSession(local: string, host: string, port: number, servername: string, ca: string, payload: string): Promise<TlsResult> {
  return new Promise((resolve) => {
    const ns = netConnect({ host, port, localAddress: local });
    const s = tlsConnect({ socket: ns, servername, ca });
    let buf = "";
    let error: string | undefined;
    const timer = setTimeout(() => { error = "client timeout"; s.destroy(); ns.destroy(); }, 5000);
    s.setEncoding("utf8");
    s.on("secureConnect", () => s.write(`${payload}\n`));
    s.on("data", (d: string) => {
      buf += d;
      if (buf.split("\n").length === 3) s.end();
    });
    s.on("error", (e: NodeJS.ErrnoException) => { error ??= e.code ?? e.message; });
    ns.on("error", (e: NodeJS.ErrnoException) => { error ??= e.code ?? e.message; });
    s.on("close", () => {
      clearTimeout(timer);
      const r: TlsResult = { lines: buf.split("\n").filter((l) => l !== ""), written: ns.bytesWritten, read: ns.bytesRead };
      if (error !== undefined) r.error = error;
      resolve(r);
    });
  });
}

/** One line from `client` (each session of these tests has its own client address). */
function lineOf(log: Record<string, unknown>[], client: string): Record<string, unknown> | undefined {
  const mine = log.filter((l) => l.client === client);
  return mine.length === 1 ? mine[0] : undefined;
}

test.serial("2 workers: UDPRoute sessions, bytes, connections and access log lines match the datagrams sent", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-telemetry-l4-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const logPath = join(dir, "access.log");
  const echo = await udpBackend("echo", "127.93.0.10");
  t.teardown(() => echo.close());

  const host = "127.93.1.1";
  const base = await freePort(host);
  const registry = new Registry();
  const provider = new LocalProvider({ workers: 2, portOffset: base - 80, addressPool: ["127.93.1.0/24"], logger: recorder().log, metricsRegistry: registry });
  t.teardown(() => provider.close());
  const yaml = docs(
    gatewayClass("local", "obs"),
    // A session ends after 2 s without a datagram either way (well past the gap between one
    // session's datagrams, which are sent back to back).
    proxyConfig("obs", `{ accessLog: { enabled: true, sampleRatio: 1, path: "${logPath}" }, timeouts: { udpIdle: 2s } }`),
    service("echo", "127.93.0.10", echo.port, "UDP"),
    gateway("gw", `[{ name: dgram, port: 80, protocol: UDP, allowedRoutes: { kinds: [{ kind: UDPRoute }] } }]`),
    l4Route("UDPRoute", "dns", "echo"),
  );
  const desired = desiredOf(yaml);
  const r = await provider.apply(await provider.plan(desired), desired);
  t.true(r.gateways[0]?.programmed, JSON.stringify(r.gateways[0]));

  // 4 sessions (one client address each) of 1, 2, 3 and 4 datagrams of different sizes.
  const clients = [1, 2, 3, 4].map((i) => `127.93.3.${i}`);
  const results: UdpResult[] = [];
  for (const [i, local] of clients.entries()) {
    const payloads = Array.from({ length: i + 1 }, (_, j) => `s${i}d${j}:${"x".repeat(10 * j + i)}`);
    const res = await udpSession(local, host, base, payloads);
    t.deepEqual(res.replies, payloads.map((p) => `echo|${p}`));
    results.push(res);
  }
  const sentByClients = results.reduce((n, x) => n + x.bytesOut, 0);
  const readByClients = results.reduce((n, x) => n + x.bytesIn, 0);
  t.is(readByClients, sentByClients + "echo|".length * 10);

  const gw = "default/gw";
  const labels = { gateway: gw, listener: "dgram", route: "default/dns", rule: "0", backend: "Service/default/echo:80", protocol: "udp" };
  // Open sessions report their bytes at each scrape; the counts are the same before and after they end.
  t.is(sum(await values(registry, "gatehouse_proxy_l4_sessions_total"), labels), 4);
  let bytes = await values(registry, "gatehouse_proxy_l4_bytes_total");
  t.is(sum(bytes, { ...labels, direction: "received" }), sentByClients);
  t.is(sum(bytes, { ...labels, direction: "sent" }), readByClients);

  // The sessions idle out: each one closes its gauge and writes its log line.
  await until(async () => sum(await values(registry, "gatehouse_proxy_active_connections"), { gateway: gw }) === 0
    && lines(logPath).length >= 4, "the UDP sessions to idle out", 500);

  const sessions = await values(registry, "gatehouse_proxy_l4_sessions_total");
  t.is(sum(sessions, labels), 4);
  t.is(sum(sessions, {}), 4);
  for (const v of sessions) t.deepEqual(Object.keys(v.labels).sort(), ["backend", "gateway", "listener", "protocol", "route", "rule"]);
  bytes = await values(registry, "gatehouse_proxy_l4_bytes_total");
  t.is(sum(bytes, { ...labels, direction: "received" }), sentByClients);
  t.is(sum(bytes, { ...labels, direction: "sent" }), readByClients);
  t.is(sum(bytes, {}), sentByClients + readByClients);
  const conns = await values(registry, "gatehouse_proxy_connections_total");
  t.is(sum(conns, { gateway: gw, listener: "dgram", protocol: "udp" }), 4);
  t.is(sum(conns, {}), 4);
  t.is(sum(await values(registry, "gatehouse_proxy_active_connections"), {}), 0);
  t.is(sum(await values(registry, "gatehouse_proxy_upstream_connect_errors_total"), {}), 0);
  t.is(sum(await values(registry, "gatehouse_proxy_requests_total"), {}), 0);

  const text = await registry.metrics();
  t.regex(text, /gatehouse_proxy_l4_sessions_total\{gateway="default\/gw",listener="dgram",route="default\/dns",rule="0",backend="Service\/default\/echo:80",protocol="udp"\} 4/);

  // Access log: one line per session, with that session's bytes.
  const log = lines(logPath);
  t.is(log.length, 4);
  t.is(log.filter((l) => l.protocol === "UDP").length, 4);
  for (const [i, local] of clients.entries()) {
    const line = lineOf(log, local);
    t.truthy(line, `one line for ${local}`);
    t.like(line, {
      gateway: gw, listener: "dgram", source: "udproute/default/dns/rule/0", route: "default/dns", rule: "0",
      backend: "Service/default/echo:80", endpoint: `127.93.0.10:${echo.port}`, protocol: "UDP", method: null, path: null, status: null,
      bytes_in: results[i]!.bytesOut, bytes_out: results[i]!.bytesIn, upstream_ms: null, client: local, trace_id: null,
    });
    t.true(typeof line?.duration_ms === "number" && line.duration_ms >= 0);
    t.regex(line?.ts as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
});

test.serial("2 workers: TLSRoute passthrough sessions, bytes, connections and access log lines match the TLS records moved", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-telemetry-l4-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const logPath = join(dir, "access.log");
  const cert = makeCert(["a.pass.test", "b.pass.test"]);
  const ta = await tlsBackend("ta", "127.93.0.20", cert);
  const tb = await tlsBackend("tb", "127.93.0.21", cert);
  t.teardown(async () => { await ta.close(); await tb.close(); });

  const host = "127.93.2.1";
  const base = await freePort(host);
  const registry = new Registry();
  const provider = new LocalProvider({ workers: 2, portOffset: base - 80, addressPool: ["127.93.2.0/24"], logger: recorder().log, metricsRegistry: registry });
  t.teardown(() => provider.close());
  const yaml = docs(
    gatewayClass("local", "obs"),
    proxyConfig("obs", `{ accessLog: { enabled: true, sampleRatio: 1, path: "${logPath}" } }`),
    service("ta", "127.93.0.20", ta.port), service("tb", "127.93.0.21", tb.port),
    gateway("gw", `[{ name: pass, port: 80, protocol: TLS, hostname: "*.pass.test", tls: { mode: Passthrough }, allowedRoutes: { kinds: [{ kind: TLSRoute }] } }]`),
    l4Route("TLSRoute", "exact", "ta", ["a.pass.test"]),
    l4Route("TLSRoute", "wild", "tb", ["*.pass.test"]),
  );
  const desired = desiredOf(yaml);
  const r = await provider.apply(await provider.plan(desired), desired);
  t.true(r.gateways[0]?.programmed, JSON.stringify(r.gateways[0]));

  // 3 sessions for a.pass.test (route exact → ta), 2 for b.pass.test (route wild → tb), one
  // client address each; the backend certificate is verified, so the bytes went through untouched.
  const plan = [
    { local: "127.93.4.1", sni: "a.pass.test", backend: "ta" },
    { local: "127.93.4.2", sni: "a.pass.test", backend: "ta" },
    { local: "127.93.4.3", sni: "a.pass.test", backend: "ta" },
    { local: "127.93.4.4", sni: "b.pass.test", backend: "tb" },
    { local: "127.93.4.5", sni: "b.pass.test", backend: "tb" },
  ];
  const results: TlsResult[] = [];
  for (const [i, p] of plan.entries()) {
    const payload = `hello-${i}-${"y".repeat(i * 100)}`;
    const res = await tlsSession(p.local, host, base, p.sni, cert.cert, payload);
    t.deepEqual(res, { lines: [p.backend, payload], written: res.written, read: res.read });
    t.true(res.written > payload.length && res.read > payload.length + p.backend.length, JSON.stringify(res));
    results.push(res);
  }
  // A ClientHello no listener takes: refused, a connection with a log line but no session.
  const refused = await tlsSession("127.93.4.6", host, base, "c.other.test", cert.cert, "never");
  t.truthy(refused.error);
  t.deepEqual(refused.lines, []);
  t.true(refused.written > 0);
  t.is(refused.read, 0);
  const total = (backend: string, k: "written" | "read") =>
    results.filter((_, i) => plan[i]!.backend === backend).reduce((n, x) => n + x[k], 0);

  const gw = "default/gw";
  // A session's close (and its byte count) may still be on its way in a worker.
  await until(async () => sum(await values(registry, "gatehouse_proxy_active_connections"), { gateway: gw }) === 0
    && lines(logPath).length >= 6, "every TLS connection to close", 250);

  const exact = { gateway: gw, listener: "pass", route: "default/exact", rule: "0", backend: "Service/default/ta:80", protocol: "tls" };
  const wild = { gateway: gw, listener: "pass", route: "default/wild", rule: "0", backend: "Service/default/tb:80", protocol: "tls" };
  const sessions = await values(registry, "gatehouse_proxy_l4_sessions_total");
  t.is(sum(sessions, exact), 3);
  t.is(sum(sessions, wild), 2);
  t.is(sum(sessions, {}), 5);
  const bytes = await values(registry, "gatehouse_proxy_l4_bytes_total");
  t.is(sum(bytes, { ...exact, direction: "received" }), total("ta", "written"));
  t.is(sum(bytes, { ...exact, direction: "sent" }), total("ta", "read"));
  t.is(sum(bytes, { ...wild, direction: "received" }), total("tb", "written"));
  t.is(sum(bytes, { ...wild, direction: "sent" }), total("tb", "read"));
  t.is(sum(bytes, {}), total("ta", "written") + total("ta", "read") + total("tb", "written") + total("tb", "read"));
  const conns = await values(registry, "gatehouse_proxy_connections_total");
  t.is(sum(conns, { gateway: gw, listener: "pass", protocol: "tls" }), 6);
  t.is(sum(conns, {}), 6);
  t.is(sum(await values(registry, "gatehouse_proxy_active_connections"), {}), 0);
  t.is(sum(await values(registry, "gatehouse_proxy_upstream_connect_errors_total"), {}), 0);

  const text = await registry.metrics();
  t.regex(text, /gatehouse_proxy_l4_sessions_total\{gateway="default\/gw",listener="pass",route="default\/exact",rule="0",backend="Service\/default\/ta:80",protocol="tls"\} 3/);

  // Access log: one line per connection with the bytes its client moved.
  const log = lines(logPath);
  t.is(log.length, 6);
  t.is(log.filter((l) => l.protocol === "TLS").length, 6);
  t.like(lineOf(log, "127.93.4.6"), {
    gateway: gw, listener: null, source: null, route: null, rule: null, backend: null, endpoint: null, protocol: "TLS",
    bytes_in: refused.written, bytes_out: 0, client: "127.93.4.6",
  });
  for (const [i, p] of plan.entries()) {
    const line = lineOf(log, p.local);
    t.truthy(line, `one line for ${p.local}`);
    const route = p.backend === "ta" ? "exact" : "wild";
    t.like(line, {
      gateway: gw, listener: "pass", source: `tlsroute/default/${route}/rule/0`, route: `default/${route}`, rule: "0",
      backend: `Service/default/${p.backend}:80`, endpoint: p.backend === "ta" ? `127.93.0.20:${ta.port}` : `127.93.0.21:${tb.port}`,
      protocol: "TLS", method: null, path: null, status: null,
      bytes_in: results[i]!.written, bytes_out: results[i]!.read, upstream_ms: null, client: p.local, trace_id: null,
    });
    t.true(typeof line?.duration_ms === "number" && line.duration_ms >= 0);
  }
});
