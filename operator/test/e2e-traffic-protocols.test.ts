// End to end, every protocol: HTTPS termination (SNI picks one of two certificates, HTTP/1.1
// and h2 by ALPN), TLS passthrough by SNI (TLSRoute), TCPRoute, UDPRoute, GRPCRoute to an h2c
// backend, WebSocket (appProtocol kubernetes.io/ws and plain http), and two Gateways both on
// port 80. Real API server, the operator's local proxy in loopback mode, echo backends on
// 127.0.0.1 behind Services + EndpointSlices. One namespace and Gateway per test.
import test from "ava";
import { connect as h2connect } from "node:http2";
import * as grpc from "@grpc/grpc-js";
import { closeAll, grpcEcho, httpEcho, tcpEcho, tlsEcho, udpEcho, wsEcho } from "./traffic-backends.js";
import { makeCA, issue, type CA } from "./traffic-certs.js";
import { grpcSay, peerCertificate, send, tcpExchange, tlsExchange, udpClient, until, wsExchange } from "./traffic-clients.js";
import {
  backendYaml, classYaml, gatewayAddress, gatewayYaml, httpRouteYaml, routeReady, setupNamespace, tlsSecretYaml, useTraffic,
} from "./traffic-world.js";

const env = useTraffic("protocols", { gatehouseCRDs: true });
const backends: { close(): Promise<void> }[] = [];
let ca: CA;
test.before(() => { ca = makeCA(); });
test.after.always(async () => {
  await closeAll(backends);
  ca?.dispose();
});

function track<T extends { close(): Promise<void> }>(b: T): T {
  backends.push(b);
  return b;
}

function l4RouteYaml(kind: "TLSRoute" | "TCPRoute" | "UDPRoute", name: string, section: string, backend: string, port: number, hostnames?: string[]): string {
  return `
apiVersion: gateway.networking.k8s.io/v1
kind: ${kind}
metadata: { name: ${name} }
spec:
  parentRefs: [{ name: gw, sectionName: ${section} }]${hostnames ? `\n  hostnames: [${hostnames.join(", ")}]` : ""}
  rules: [{ backendRefs: [{ name: ${backend}, port: ${port} }] }]
`;
}

test("HTTPS termination: SNI chooses between two certificates of one listener; HTTP/1.1 and h2 (ALPN); X-Forwarded-Proto https; a renewed Secret is served", async (t) => {
  const echo = track(await httpEcho("secure"));
  const yaml = tlsSecretYaml("cert-a", issue(ca, ["a.tls.example.com"])) + "---" + tlsSecretYaml("cert-b", issue(ca, ["b.tls.example.com"]))
    + "---" + backendYaml("secure", [echo]) + "---" + httpRouteYaml("web", `
  parentRefs: [{ name: gw }]
  hostnames: [a.tls.example.com, b.tls.example.com]
  rules: [{ backendRefs: [{ name: secure, port: 80 }] }]
`);
  const { ns, addr } = await setupNamespace(env, "t-https", yaml, ["web"],
    "[{ name: https, port: 443, protocol: HTTPS, tls: { mode: Terminate, certificateRefs: [{ name: cert-a }, { name: cert-b }] } }]");

  for (const host of ["a.tls.example.com", "b.tls.example.com"]) {
    const r = await until(() => send(addr, 443, { host, path: "/s", ca: ca.cert }), (x) => x.status === 200, `${host} over TLS`);
    t.is(r.echo?.name, "secure");
    t.is(r.echo?.headers["x-forwarded-proto"], "https");
    const peer = await peerCertificate(addr, 443, host, ca.cert);
    t.is(peer.subject.CN, host, "the certificate for the SNI name");
  }

  // HTTP/2 negotiated by ALPN on the same listener.
  const h2 = await new Promise<{ status: number; alpn: string | false | undefined; body: string }>((resolve, reject) => {
    const session = h2connect(`https://${addr}:443`, { servername: "b.tls.example.com", ca: ca.cert });
    session.on("error", reject);
    const req = session.request({ ":path": "/h2", ":authority": "b.tls.example.com" });
    let status = 0;
    let body = "";
    req.on("response", (h) => { status = Number(h[":status"]); });
    req.setEncoding("utf8");
    req.on("data", (d: string) => { body += d; });
    req.on("end", () => {
      const alpn = (session.socket as { alpnProtocol?: string | false }).alpnProtocol;
      session.close();
      resolve({ status, alpn, body });
    });
    req.on("error", reject);
    req.end();
  });
  t.is(h2.alpn, "h2");
  t.is(h2.status, 200);
  t.like(JSON.parse(h2.body), { name: "secure", path: "/h2" });

  // The Secret's certificate is replaced: new handshakes get the new one.
  const before = await peerCertificate(addr, 443, "a.tls.example.com", ca.cert);
  const renewed = issue(ca, ["a.tls.example.com"]);
  await env.kube.update("Secret", ns, "cert-a", (o) => { o["data"] = { "tls.crt": Buffer.from(renewed.cert).toString("base64"), "tls.key": Buffer.from(renewed.key).toString("base64") }; });
  const after = await until(() => peerCertificate(addr, 443, "a.tls.example.com", ca.cert), (p) => p.fingerprint256 !== before.fingerprint256, "the renewed certificate served");
  t.is(after.subject.CN, "a.tls.example.com");
  t.is((await send(addr, 443, { host: "a.tls.example.com", path: "/s", ca: ca.cert })).status, 200);

  // An SNI no certificate covers: no handshake with a certificate for it.
  const wrong = await send(addr, 443, { host: "c.tls.example.com", path: "/", ca: ca.cert }).then((r) => `answered ${r.status}`, (e: Error) => e.message);
  t.notRegex(wrong, /^answered 200/);
});

test("TLS passthrough: TLSRoutes by SNI reach TLS backends that present their own certificates", async (t) => {
  const a = track(await tlsEcho("pass-a", issue(ca, ["pass-a.example.com"])));
  const b = track(await tlsEcho("pass-b", issue(ca, ["pass-b.example.com"])));
  const yaml = backendYaml("tls-a", [a], { port: 443 }) + "---" + backendYaml("tls-b", [b], { port: 443 })
    + "---" + l4RouteYaml("TLSRoute", "pass-a", "tls", "tls-a", 443, ["pass-a.example.com"])
    + "---" + l4RouteYaml("TLSRoute", "pass-b", "tls", "tls-b", 443, ["pass-b.example.com"]);
  const { addr } = await setupNamespace(env, "t-passthrough", yaml, [["TLSRoute", "pass-a"], ["TLSRoute", "pass-b"]],
    "[{ name: tls, port: 8443, protocol: TLS, tls: { mode: Passthrough } }]");

  const ra = await until(() => tlsExchange(addr, 8443, "pass-a.example.com", ca.cert, "hello"), () => true, "pass-a");
  t.is(ra.reply, "pass-a\nhello");
  t.true(ra.authorized);
  t.is(ra.peer.subject.CN, "pass-a.example.com", "the backend's own certificate");
  const rb = await tlsExchange(addr, 8443, "pass-b.example.com", ca.cert, "there");
  t.is(rb.reply, "pass-b\nthere");
  t.is(rb.peer.subject.CN, "pass-b.example.com");
  t.deepEqual([a.servernames, b.servernames], [["pass-a.example.com"], ["pass-b.example.com"]], "the ClientHello reached the backend unchanged");

  const unknown = await tlsExchange(addr, 8443, "nobody.example.com", ca.cert, "x").then((r) => `answered ${r.reply}`, (e: Error) => e.message);
  t.notRegex(unknown, /^answered/, "an SNI no TLSRoute names is not forwarded");
  t.is(a.connections + b.connections, 2);
});

test("TCPRoute: bytes both ways through a TCP listener", async (t) => {
  const echo = track(await tcpEcho("tcp"));
  const yaml = backendYaml("tcp", [echo], { port: 9000 }) + "---" + l4RouteYaml("TCPRoute", "tcp", "tcp", "tcp", 9000);
  const { addr } = await setupNamespace(env, "t-tcp", yaml, [["TCPRoute", "tcp"]], "[{ name: tcp, port: 9000, protocol: TCP }]");
  t.is(await until(() => tcpExchange(addr, 9000, "ping"), () => true, "tcp served"), "tcp\nping");
  const big = "0123456789abcdef".repeat(16 * 1024);
  t.true((await tcpExchange(addr, 9000, big)) === `tcp\n${big}`, "256 KiB echoed intact");
  t.true(echo.connections >= 2);
});

test("UDPRoute: datagrams through a UDP listener and back, one backend session per client", async (t) => {
  const echo = track(await udpEcho("udp"));
  const ns = await env.cp.newNamespace("t-udp");
  // UDP sessions end only when idle (60 s by default) and a closing proxy lets them drain for
  // the drain timeout: a short one, so stopping the operator after this file is quick.
  const cls = `${env.className}-udp`;
  await env.kube.apply(`
apiVersion: gatehouse.dev/v1alpha1
kind: LocalProxyConfig
metadata: { name: udp }
spec: { timeouts: { drain: 100ms } }
---${classYaml(cls, env.controller, { name: "udp", namespace: ns })}---${gatewayYaml("gw", cls, "[{ name: udp, port: 5353, protocol: UDP }]")}
---${backendYaml("dns", [echo], { port: 5353, protocol: "UDP" })}---${l4RouteYaml("UDPRoute", "dns", "udp", "dns", 5353)}`, ns);
  const addr = await gatewayAddress(env.kube, ns);
  await routeReady(env, "UDPRoute", ns, "dns");

  const one = await udpClient(addr, 5353);
  const two = await udpClient(addr, 5353);
  try {
    t.is(await until(() => one.ask("query-1"), (x) => x !== undefined, "udp answered"), "udp:query-1");
    const peerOne = echo.peers.at(-1);
    t.is(await until(() => one.ask("query-2"), (x) => x !== undefined, "udp answered again"), "udp:query-2");
    t.is(echo.peers.at(-1), peerOne, "the same client keeps its upstream socket");
    t.is(await until(() => two.ask("other"), (x) => x !== undefined, "second client answered"), "udp:other");
    t.not(echo.peers.at(-1), peerOne, "another client gets a session of its own");
  } finally {
    one.close();
    two.close();
  }
});

test("GRPCRoute: a unary call through an HTTP listener (h2c) to a kubernetes.io/h2c backend; unmatched method is UNIMPLEMENTED", async (t) => {
  const echo = track(await grpcEcho("grpc"));
  const yaml = backendYaml("grpc", [echo], { port: 50051, appProtocol: "kubernetes.io/h2c" }) + `---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: { name: rpc }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [grpc.example.com]
  rules:
  - matches: [{ method: { service: gatehouse.e2e.Echo, method: Say } }]
    backendRefs: [{ name: grpc, port: 50051 }]
`;
  const { addr } = await setupNamespace(env, "t-grpc", yaml, [["GRPCRoute", "rpc"]]);
  const r = await until(() => grpcSay(addr, 80, "grpc.example.com", "hello"), (x) => x.reply !== undefined, "gRPC answered");
  t.is(r.reply?.text, "grpc:hello");
  t.deepEqual(r.trailers?.get("x-echo"), ["grpc"], "trailing metadata passed through");
  t.deepEqual(echo.calls.slice(-1), ["hello"]);

  // Another method of the service: no rule matches.
  const client = new grpc.Client(`${addr}:80`, grpc.credentials.createInsecure(), { "grpc.default_authority": "grpc.example.com" });
  const err = await new Promise<grpc.ServiceError | null>((resolve) => {
    client.makeUnaryRequest("/gatehouse.e2e.Echo/Other", (m: Buffer) => m, (b: Buffer) => b, Buffer.from("{}"), (e) => resolve(e));
  });
  client.close();
  t.is(err?.code, grpc.status.UNIMPLEMENTED, String(err?.message));
});

test("WebSocket: upgrade and echo through an HTTP listener, backend with appProtocol kubernetes.io/ws and a plain one", async (t) => {
  const wsApp = track(await wsEcho("ws-app"));
  const wsPlain = track(await wsEcho("ws-plain"));
  const yaml = backendYaml("ws-app", [wsApp], { appProtocol: "kubernetes.io/ws" }) + "---" + backendYaml("ws-plain", [wsPlain]) + "---" + httpRouteYaml("web", `
  parentRefs: [{ name: gw }]
  hostnames: [ws.example.com]
  rules:
  - matches: [{ path: { type: PathPrefix, value: /app } }]
    backendRefs: [{ name: ws-app, port: 80 }]
  - matches: [{ path: { type: PathPrefix, value: /plain } }]
    backendRefs: [{ name: ws-plain, port: 80 }]
`);
  const { addr } = await setupNamespace(env, "t-ws", yaml, ["web"]);
  for (const [path, name] of [["/app/socket", "ws-app"], ["/plain/socket", "ws-plain"]] as const) {
    const r = await until(() => wsExchange(addr, 80, "ws.example.com", path, ["hello", "again"]), (x) => x.status === 101, `${name} upgrade`);
    t.deepEqual(r.replies, [`${name}:hello`, `${name}:again`], path);
    t.regex(r.head, /^sec-websocket-accept: /im);
  }
  t.is(wsApp.upgrades.at(-1)?.path, "/app/socket");
  t.is(wsApp.upgrades.at(-1)?.headers["x-forwarded-proto"], "http");
  t.is(wsPlain.upgrades.at(-1)?.headers["upgrade"], "websocket");
  // A plain request on the same route still works.
  t.is((await send(addr, 80, { host: "ws.example.com", path: "/plain/x" })).body, "plain ws-plain");
});

test("two Gateways both on port 80 (distinct addresses; one from the pool, one from spec.addresses) serve their own routes", async (t) => {
  const one = track(await httpEcho("one"));
  const two = track(await httpEcho("two"));
  const ns = await env.cp.newNamespace("t-two-gw");
  // An address of this operator's own pool (127.a.b.0/24) that allocation from the start never reaches.
  const pinned = env.run.settings.addressPool[0]!.replace(/\.0\/24$/, ".250");
  const route = (name: string, parent: string, path: string) => httpRouteYaml(name, `
  parentRefs: [{ name: ${parent} }]
  rules:
  - matches: [{ path: { type: PathPrefix, value: ${path} } }]
    backendRefs: [{ name: ${name}, port: 80 }]
`);
  await env.kube.apply([
    gatewayYaml("gw-one", env.className, "[{ name: http, port: 80, protocol: HTTP }]"),
    gatewayYaml("gw-two", env.className, "[{ name: http, port: 80, protocol: HTTP }]") + `  addresses: [{ type: IPAddress, value: "${pinned}" }]\n`,
    backendYaml("one", [one]), backendYaml("two", [two]), route("one", "gw-one", "/one"), route("two", "gw-two", "/two"),
  ].join("---"), ns);
  const [a1, a2] = [await gatewayAddress(env.kube, ns, "gw-one"), await gatewayAddress(env.kube, ns, "gw-two")];
  t.not(a1, a2);
  t.is(a2, pinned, "spec.addresses honoured");
  await routeReady(env, "HTTPRoute", ns, "one");
  await routeReady(env, "HTTPRoute", ns, "two");
  t.is((await until(() => send(a1, 80, { path: "/one" }), (r) => r.status === 200, "gw-one serving")).echo?.name, "one");
  t.is((await until(() => send(a2, 80, { path: "/two" }), (r) => r.status === 200, "gw-two serving")).echo?.name, "two");
  t.is((await send(a1, 80, { path: "/two" })).status, 404, "gw-one does not serve gw-two's route");
  t.is((await send(a2, 80, { path: "/one" })).status, 404, "gw-two does not serve gw-one's route");
});
