// Tracing through 2 worker threads: a traceparent sent in reaches the backend with the same
// trace id and the proxy's span as parent (fast path and Node's path), tracestate passes
// through, a request without one starts a trace, and the proxy's spans arrive at an
// OTLP/HTTP receiver (a plain node:http server decoding the JSON export) run by the test.
import test from "ava";
import { createServer, type IncomingMessage } from "node:http";
import { gunzipSync } from "node:zlib";
import { Registry } from "prom-client";
import { LocalProvider } from "../src/provider.js";
import { ask, httpEcho, raw, type EchoBackend } from "./fixtures/http-backends.js";
import { desiredOf, docs, gateway, gatewayClass, http, httpRoute, proxyConfig, service } from "./fixtures/provider-world.js";
import { freePort, recorder, until } from "./fixtures/runtime-util.js";

interface OtlpSpan { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes: { key: string; value: Record<string, unknown> }[] }
interface Received { service: string; span: OtlpSpan }

/** OTLP/JSON ids are hex; accept base64 too. */
function hexId(v: string | undefined): string {
  if (v === undefined || v === "") return "";
  return /^[0-9a-f]+$/.test(v) ? v : Buffer.from(v, "base64").toString("hex");
}

async function otlpReceiver(host: string): Promise<{ url: string; spans: Received[]; close(): Promise<void> }> {
  const spans: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let body = Buffer.concat(chunks);
      if (req.headers["content-encoding"] === "gzip") body = gunzipSync(body);
      const doc = JSON.parse(body.toString("utf8")) as { resourceSpans?: { resource?: { attributes?: { key: string; value: { stringValue?: string } }[] }; scopeSpans?: { spans?: OtlpSpan[] }[] }[] };
      for (const rs of doc.resourceSpans ?? []) {
        const svc = rs.resource?.attributes?.find((a) => a.key === "service.name")?.value.stringValue ?? "";
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) spans.push({ service: svc, span: { ...s, traceId: hexId(s.traceId), spanId: hexId(s.spanId), parentSpanId: hexId(s.parentSpanId) } });
        }
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen({ host, port: 0 }, () => resolve()));
  const a = server.address();
  const port = typeof a === "object" && a ? a.port : 0;
  return { url: `http://${host}:${port}/v1/traces`, spans, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

function traceparentSeen(b: EchoBackend, path: string): string {
  const r = b.requests.find((x) => x.url === path);
  const v = r?.headers.traceparent;
  if (typeof v !== "string") throw new Error(`the backend saw no single traceparent for ${path}: ${JSON.stringify(v)}`);
  return v;
}

const TP = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/;

test.serial("traceparent: propagated with the proxy's span as parent; spans exported over OTLP/HTTP; new traces started", async (t) => {
  const otlp = await otlpReceiver("127.91.3.50");
  t.teardown(() => otlp.close());
  const one = await httpEcho("one", "127.91.3.10");
  t.teardown(() => one.close());
  const base = await freePort("127.91.4.1");
  const registry = new Registry();
  const provider = new LocalProvider({ workers: 2, portOffset: base - 80, addressPool: ["127.91.4.0/24"], logger: recorder().log, metricsRegistry: registry });
  t.teardown(() => provider.close());
  const yaml = docs(
    gatewayClass("local", "traced"),
    proxyConfig("traced", `{ accessLog: { enabled: false }, tracing: { enabled: true, sampleRatio: 1, otlpEndpoint: "${otlp.url}", serviceName: edge-proxy } }`),
    service("one", "127.91.3.10", one.port),
    gateway("gw", `[${http("web", 80)}]`),
    httpRoute("shop", "gw", "one"),
  );
  const desired = desiredOf(yaml);
  const r = await provider.apply(await provider.plan(desired), desired);
  t.true(r.gateways[0]?.programmed, JSON.stringify(r.gateways[0]));
  const url = `http://127.91.4.1:${base}`;

  const t1 = "4bf92f3577b34da6a3ce929d0e0e4736", p1 = "00f067aa0ba902b7";
  const t2 = "0af7651916cd43dd8448eb211c80319c", p2 = "b7ad6b7169203331";
  const t4 = "11111111111111111111111111111111", p4 = "2222222222222222";
  // Fast path, with tracestate.
  t.is((await ask(url, { path: "/fast", headers: { traceparent: `00-${t1}-${p1}-01`, tracestate: "vendor=abc" } })).status, 200);
  // Node's path (HTTP/1.0 is handed over).
  const old = await raw("127.91.4.1", base, `GET /node HTTP/1.0\r\nHost: x\r\ntraceparent: 00-${t2}-${p2}-01\r\n\r\n`);
  t.regex(old.data, /^HTTP\/1\.[01] 200/);
  // No traceparent: a new trace (sampled: ratio 1).
  t.is((await ask(url, { path: "/new" })).status, 200);
  // Not sampled by the client: propagated as not sampled.
  t.is((await ask(url, { path: "/unsampled", headers: { traceparent: `00-${t4}-${p4}-00` } })).status, 200);
  // Invalid: a new trace.
  t.is((await ask(url, { path: "/invalid", headers: { traceparent: `00-${"0".repeat(32)}-${p4}-01` } })).status, 200);

  const fast = TP.exec(traceparentSeen(one, "/fast"))!;
  t.truthy(fast);
  t.is(fast[1], t1);
  t.not(fast[2], p1);
  t.is(fast[3], "01");
  t.is(one.requests.find((x) => x.url === "/fast")?.headers.tracestate, "vendor=abc");
  const node = TP.exec(traceparentSeen(one, "/node"))!;
  t.is(node[1], t2);
  t.not(node[2], p2);
  const fresh = TP.exec(traceparentSeen(one, "/new"))!;
  t.truthy(fresh);
  t.is(fresh[3], "01");
  const unsampled = TP.exec(traceparentSeen(one, "/unsampled"))!;
  t.is(unsampled[1], t4);
  t.is(unsampled[3], "00");
  const invalid = TP.exec(traceparentSeen(one, "/invalid"))!;
  t.not(invalid[1], "0".repeat(32));
  // One traceparent only, the proxy's.
  t.is(one.requests.find((x) => x.url === "/fast")!.rawHeaders.filter((h) => h.toLowerCase() === "traceparent").length, 1);

  // The proxy's spans: the ids the backend saw, the client's span as parent.
  const want = [fast[1]!, node[1]!, fresh[1]!, invalid[1]!];
  await until(() => want.every((id) => otlp.spans.some((s) => s.span.traceId === id)), "the spans at the OTLP receiver", 400, 25);
  const spanOf = (traceId: string) => otlp.spans.find((s) => s.span.traceId === traceId)!;
  const s1 = spanOf(t1);
  t.is(s1.service, "edge-proxy");
  t.is(s1.span.spanId, fast[2]!);
  t.is(s1.span.parentSpanId, p1);
  t.is(s1.span.name, "GET default/shop");
  t.is(s1.span.kind, 2); // SERVER
  const attr = (s: OtlpSpan, k: string) => s.attributes.find((a) => a.key === k)?.value;
  t.like(attr(s1.span, "http.response.status_code"), { intValue: 200 } as never);
  t.like(attr(s1.span, "url.path"), { stringValue: "/fast" });
  t.like(attr(s1.span, "gatehouse.source"), { stringValue: "httproute/default/shop/rule/0/match/0" });
  const s2 = spanOf(t2);
  t.is(s2.span.spanId, node[2]!);
  t.is(s2.span.parentSpanId, p2);
  const s3 = spanOf(fresh[1]!);
  t.is(s3.span.spanId, fresh[2]!);
  t.is(s3.span.parentSpanId ?? "", "");
});

test.serial("tracing off: the client's traceparent passes through untouched and nothing is added", async (t) => {
  const one = await httpEcho("one", "127.91.5.10");
  t.teardown(() => one.close());
  const base = await freePort("127.91.6.1");
  const provider = new LocalProvider({ workers: 2, portOffset: base - 80, addressPool: ["127.91.6.0/24"], logger: recorder().log });
  t.teardown(() => provider.close());
  const yaml = docs(gatewayClass("local", "plain"), proxyConfig("plain", "{ accessLog: { enabled: false } }"),
    service("one", "127.91.5.10", one.port), gateway("gw", `[${http("web", 80)}]`), httpRoute("shop", "gw", "one"));
  const desired = desiredOf(yaml);
  await provider.apply(await provider.plan(desired), desired);
  const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  t.is((await ask(`http://127.91.6.1:${base}`, { path: "/with", headers: { traceparent: tp } })).status, 200);
  t.is((await ask(`http://127.91.6.1:${base}`, { path: "/without" })).status, 200);
  t.is(one.requests.find((x) => x.url === "/with")?.headers.traceparent, tp);
  t.is(one.requests.find((x) => x.url === "/without")?.headers.traceparent, undefined);
});
