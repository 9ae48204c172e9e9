// End to end, safety: a cross-namespace backendRef is not routed until a ReferenceGrant allows
// it; listeners sharing a port are isolated by hostname; request smuggling (Content-Length
// with Transfer-Encoding) is refused with 400; oversize headers get 431; a slowloris client
// is cut off (LocalProxyConfig request header timeout). Real API server, the operator's local
// proxy, echo backends behind Services + EndpointSlices; one namespace and Gateway per test.
import test from "ava";
import { connect } from "node:net";
import { closeAll, httpEcho, type HttpEcho } from "./traffic-backends.js";
import { raw, send, statusOf, until } from "./traffic-clients.js";
import {
  backendYaml, classYaml, gatewayAddress, gatewayYaml, httpRouteYaml, routeCondition, routeReady, setupNamespace, useTraffic,
} from "./traffic-world.js";

const env = useTraffic("security", { gatehouseCRDs: true });
const backends: { close(): Promise<void> }[] = [];
test.after.always(() => closeAll(backends));

async function echo(name: string): Promise<HttpEcho> {
  const e = await httpEcho(name);
  backends.push(e);
  return e;
}

const catchAll = (backend: string) => `
  rules: [{ backendRefs: [{ name: ${backend}, port: 80 }] }]`;

test("cross-namespace backendRef: 500 and RefNotPermitted without a ReferenceGrant, routed while the grant exists", async (t) => {
  const remote = await echo("remote");
  const backendNs = await env.cp.newNamespace("t-xns-backend");
  await env.kube.apply(backendYaml("remote", [remote]), backendNs);
  const { ns, addr } = await setupNamespace(env, "t-xns-route", httpRouteYaml("web", `
  parentRefs: [{ name: gw }]
  rules: [{ backendRefs: [{ name: remote, namespace: ${backendNs}, port: 80 }] }]
`), []);
  const before = await env.kube.waitFor("HTTPRoute", ns, "web", (o) => routeCondition(env, o, "ResolvedRefs")?.status === "False", "ResolvedRefs=False");
  t.is(routeCondition(env, before, "ResolvedRefs")?.reason, "RefNotPermitted");
  const denied = await until(() => send(addr, 80, { path: "/x" }), (r) => r.status !== 404, "the route programmed");
  t.is(denied.status, 500);
  t.is(remote.seen.length, 0, "nothing reached the other namespace");

  await env.kube.apply(`
apiVersion: gateway.networking.k8s.io/v1
kind: ReferenceGrant
metadata: { name: allow-web }
spec:
  from: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: ${ns} }]
  to: [{ group: "", kind: Service, name: remote }]
`, backendNs);
  await routeReady(env, "HTTPRoute", ns, "web");
  const ok = await until(() => send(addr, 80, { path: "/x" }), (r) => r.status === 200, "routed after the grant");
  t.is(ok.echo?.name, "remote");

  // The grant goes: not routed any more.
  await env.kube.delete("ReferenceGrant", backendNs, "allow-web");
  await env.kube.waitFor("HTTPRoute", ns, "web", (o) => routeCondition(env, o, "ResolvedRefs")?.reason === "RefNotPermitted", "RefNotPermitted again");
  t.is((await until(() => send(addr, 80, { path: "/x" }), (r) => r.status !== 200, "unrouted after the grant is deleted")).status, 500);
});

test("listener isolation: listeners with different hostnames on one port never answer for each other", async (t) => {
  const [a, b, wild, onlyA] = [await echo("iso-a"), await echo("iso-b"), await echo("iso-wild"), await echo("iso-only-a")];
  const route = (name: string, section: string, backend: string, extra = "") => httpRouteYaml(name, `
  parentRefs: [{ name: gw, sectionName: ${section} }]${extra || catchAll(backend)}
`);
  const yaml = [backendYaml("iso-a", [a]), backendYaml("iso-b", [b]), backendYaml("iso-wild", [wild]), backendYaml("iso-only-a", [onlyA]),
    route("ra", "a", "iso-a"), route("rb", "b", "iso-b"), route("rw", "wild", "iso-wild"),
    route("r-only-a", "a", "", `
  rules:
  - matches: [{ path: { type: PathPrefix, value: /only-a } }]
    backendRefs: [{ name: iso-only-a, port: 80 }]`),
  ].join("---");
  const { addr } = await setupNamespace(env, "t-isolation", yaml, ["ra", "rb", "rw", "r-only-a"], `
  - { name: a, port: 80, protocol: HTTP, hostname: a.iso.example.com }
  - { name: b, port: 80, protocol: HTTP, hostname: b.iso.example.com }
  - { name: wild, port: 80, protocol: HTTP, hostname: "*.iso.example.com" }`);
  const who = async (host: string, path: string) => {
    const r = await send(addr, 80, { host, path });
    return r.status === 200 ? r.echo?.name : r.status;
  };
  await until(() => who("a.iso.example.com", "/"), (w) => w === "iso-a", "listener a serving");
  t.is(await who("a.iso.example.com", "/only-a/x"), "iso-only-a");
  t.is(await who("b.iso.example.com", "/only-a/x"), "iso-b", "a route on listener a never answers for b's host");
  t.is(await who("b.iso.example.com", "/"), "iso-b");
  t.is(await who("c.iso.example.com", "/only-a"), "iso-wild", "the wildcard listener takes the other names");
  t.is(await who("a.iso.example.com", "/anything"), "iso-a", "the more specific listener wins over the wildcard");
  t.is(await who("other.example.com", "/"), 404, "a host no listener accepts");
  t.false(wild.seen.some((s) => s.host.startsWith("a.iso") || s.host.startsWith("b.iso")));
});

test("request smuggling: Content-Length with Transfer-Encoding gets 400 and a closed connection; nothing forwarded", async (t) => {
  const web = await echo("smuggle");
  const { addr } = await setupNamespace(env, "t-smuggle", backendYaml("smuggle", [web]) + "---" + httpRouteYaml("web", `
  parentRefs: [{ name: gw }]${catchAll("smuggle")}
`), ["web"]);
  await until(() => send(addr, 80, { path: "/ready" }), (r) => r.status === 200, "served");
  const r = await raw(addr, 80,
    "POST /cl-te HTTP/1.1\r\nHost: app.example.com\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: app.example.com\r\n\r\n");
  t.is(statusOf(r.data), 400, r.data.slice(0, 200));
  t.true(r.closed, "the connection is closed");
  const te = await raw(addr, 80, "POST /te-cl HTTP/1.1\r\nHost: app.example.com\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n");
  t.is(statusOf(te.data), 400, te.data.slice(0, 200));
  t.true(te.closed);
  const twoCl = await raw(addr, 80, "POST /two-cl HTTP/1.1\r\nHost: app.example.com\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde");
  t.is(statusOf(twoCl.data), 400);
  t.deepEqual(web.seen.map((s) => s.path).filter((p) => p !== "/ready"), [], "neither the request nor the smuggled one reached the backend");
});

test("oversize request headers: 431, nothing forwarded", async (t) => {
  const web = await echo("big");
  const { addr } = await setupNamespace(env, "t-431", backendYaml("big", [web]) + "---" + httpRouteYaml("web", `
  parentRefs: [{ name: gw }]${catchAll("big")}
`), ["web"]);
  await until(() => send(addr, 80, { path: "/ready" }), (r) => r.status === 200, "served");
  const r = await raw(addr, 80, `GET /big HTTP/1.1\r\nHost: app.example.com\r\nX-Big: ${"x".repeat(32 * 1024)}\r\n\r\n`);
  t.is(statusOf(r.data), 431, r.data.slice(0, 200));
  const many = Array.from({ length: 400 }, (_, i) => `X-H${i}: ${"y".repeat(60)}\r\n`).join("");
  t.is(statusOf((await raw(addr, 80, `GET /many HTTP/1.1\r\nHost: app.example.com\r\n${many}\r\n`)).data), 431, "many headers adding up");
  t.false(web.seen.some((s) => s.path === "/big" || s.path === "/many"));
  t.is((await send(addr, 80, { path: "/after" })).status, 200, "normal requests still served");
});

test("slowloris: headers dripped a byte at a time are cut off at the request header timeout (LocalProxyConfig)", async (t) => {
  const web = await echo("drip");
  const ns = await env.cp.newNamespace("t-slowloris");
  const cls = `${env.className}-slow`;
  await env.kube.apply(`
apiVersion: gatehouse.dev/v1alpha1
kind: LocalProxyConfig
metadata: { name: strict }
spec: { timeouts: { requestHeaders: 1s } }
---${classYaml(cls, env.controller, { name: "strict", namespace: ns })}---${gatewayYaml("gw", cls, "[{ name: http, port: 80, protocol: HTTP }]")}
---${backendYaml("drip", [web])}---${httpRouteYaml("web", `
  parentRefs: [{ name: gw }]${catchAll("drip")}
`)}`, ns);
  const addr = await gatewayAddress(env.kube, ns);
  await routeReady(env, "HTTPRoute", ns, "web");
  await until(() => send(addr, 80, { path: "/ready" }), (r) => r.status === 200, "served");

  // One byte every 100 ms, forever (bounded at 15 s for liveness): only the header deadline stops it.
  const outcome = await new Promise<{ closed: boolean; sent: number; data: string }>((resolve) => {
    const s = connect({ host: addr, port: 80 });
    const text = `GET /drip HTTP/1.1\r\nHost: app.example.com\r\nX-Slow: ${"z".repeat(1000)}`;
    let sent = 0;
    let data = "";
    const finish = (closed: boolean): void => {
      clearInterval(drip);
      clearTimeout(liveness);
      s.destroy();
      resolve({ closed, sent, data });
    };
    const drip = setInterval(() => { if (sent < text.length) s.write(text[sent++]!); }, 100);
    const liveness = setTimeout(() => finish(false), 15_000);
    s.on("data", (d: Buffer) => { data += d.toString("latin1"); });
    s.on("close", () => finish(true));
    s.on("error", () => finish(true));
  });
  t.true(outcome.closed, `the proxy closed the connection (sent ${outcome.sent} bytes)`);
  t.true(outcome.data === "" || statusOf(outcome.data) === 408, outcome.data.slice(0, 200));
  t.false(web.seen.some((s) => s.path === "/drip"));
});
