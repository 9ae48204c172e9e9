// End to end, HTTP: HTTPRoutes created in a real API server, served by the operator's local
// proxy (loopback address mode), traffic sent to each Gateway's status address and answered
// by echo backends on 127.0.0.1 reached through Services + EndpointSlices. Each test has its
// own namespace and Gateway (so its own address); tests run concurrently.
import test from "ava";
import { Agent } from "node:http";
import { closeAll, httpEcho, type HttpEcho } from "./traffic-backends.js";
import { deadPort, send, until, type Req, type Res } from "./traffic-clients.js";
import { backendYaml, httpRouteYaml, routeCondition, setupNamespace, useTraffic } from "./traffic-world.js";

const env = useTraffic("http");
const backends: { close(): Promise<void> }[] = [];
test.after.always(() => closeAll(backends));

async function echoes(...names: string[]): Promise<Record<string, HttpEcho>> {
  const out: Record<string, HttpEcho> = {};
  for (const n of names) backends.push((out[n] = await httpEcho(n)));
  return out;
}

/** Services named after the echoes, port 80. */
function services(e: Record<string, HttpEcho>): string {
  return Object.values(e).map((b) => backendYaml(b.name, [b])).join("---");
}

const who = (r: Res) => (r.status === 200 ? r.echo?.name ?? `200 without echo: ${r.body}` : r.status);

test("matches: Exact, PathPrefix by segment, RegularExpression, headers, query params, method, precedence, 404", async (t) => {
  const e = await echoes("exact", "prefix", "regex", "canary", "canary-team", "version", "stable", "gold", "post", "p-exact", "p-prefix", "p-long", "first", "second");
  const rule = (match: string, backend: string) => `
  - matches: [${match}]
    backendRefs: [{ name: ${backend}, port: 80 }]`;
  const yaml = services(e) + "---" + httpRouteYaml("a-matches", `
  parentRefs: [{ name: gw }]
  hostnames: [match.example.com]
  rules:${[
    rule("{ path: { type: Exact, value: /exact } }", "exact"),
    rule("{ path: { type: PathPrefix, value: /prefix } }", "prefix"),
    rule('{ path: { type: RegularExpression, value: "/users/[0-9]+" } }', "regex"),
    rule("{ path: { type: PathPrefix, value: /h }, headers: [{ name: x-env, value: canary }] }", "canary"),
    rule("{ path: { type: PathPrefix, value: /h }, headers: [{ name: x-env, value: canary }, { name: x-team, value: a }] }", "canary-team"),
    rule('{ path: { type: PathPrefix, value: /h }, headers: [{ type: RegularExpression, name: x-version, value: "v[0-9]+" }] }', "version"),
    rule("{ path: { type: PathPrefix, value: /h } }", "stable"),
    rule("{ path: { type: PathPrefix, value: /q }, queryParams: [{ name: tier, value: gold }] }", "gold"),
    rule('{ path: { type: PathPrefix, value: /q }, queryParams: [{ type: RegularExpression, name: page, value: "[0-9]+" }] }', "gold"),
    rule("{ path: { type: PathPrefix, value: /m }, method: POST }", "post"),
    rule("{ path: { type: PathPrefix, value: /p } }", "p-prefix"),
    rule("{ path: { type: Exact, value: /p } }", "p-exact"),
    rule("{ path: { type: PathPrefix, value: /p/long } }", "p-long"),
    rule("{ path: { type: PathPrefix, value: /dup } }", "first"),
  ].join("")}
`) + "---" + httpRouteYaml("b-later", `
  parentRefs: [{ name: gw }]
  hostnames: [match.example.com]
  rules:${rule("{ path: { type: PathPrefix, value: /dup } }", "second")}
`);
  const { addr } = await setupNamespace(env, "t-match", yaml, ["a-matches", "b-later"]);
  const q = (path: string, extra: Partial<Req> = {}) => send(addr, 80, { host: "match.example.com", path, ...extra });
  await until(() => q("/exact"), (r) => r.status === 200, "the route serving");

  const cases: [string, Partial<Req>, string | number][] = [
    ["/exact", {}, "exact"], ["/exact/", {}, 404], ["/exact/x", {}, 404], ["/Exact", {}, 404],
    ["/prefix", {}, "prefix"], ["/prefix/", {}, "prefix"], ["/prefix/a/b", {}, "prefix"], ["/prefixed", {}, 404],
    ["/users/42", {}, "regex"], ["/users/abc", {}, 404], ["/users/42/x", {}, 404],
    ["/h", {}, "stable"], ["/h", { headers: { "x-env": "canary" } }, "canary"], ["/h", { headers: { "X-Env": "canary", "x-team": "a" } }, "canary-team"],
    ["/h", { headers: { "x-env": "Canary" } }, "stable"], ["/h", { headers: { "x-version": "v12" } }, "version"], ["/h", { headers: { "x-version": "v1x" } }, "stable"],
    ["/q?tier=gold", {}, "gold"], ["/q?a=1&tier=gold", {}, "gold"], ["/q?tier=silver", {}, 404], ["/q", {}, 404], ["/q?page=12", {}, "gold"], ["/q?page=x1", {}, 404],
    ["/m", { method: "POST", body: "x" }, "post"], ["/m", {}, 404],
    ["/p", {}, "p-exact"], ["/p/", {}, "p-prefix"], ["/p/x", {}, "p-prefix"], ["/p/long", {}, "p-long"], ["/p/long/x", {}, "p-long"], ["/p/longer", {}, "p-prefix"],
    // Same match in two routes: the older (then alphabetically first) route wins.
    ["/dup", {}, "first"],
    ["/nothing", {}, 404],
  ];
  for (const [path, extra, want] of cases) t.is(who(await q(path, extra)), want, `${extra.method ?? "GET"} ${path} ${JSON.stringify(extra.headers ?? {})}`);
  t.is((await send(addr, 80, { host: "other.example.com", path: "/exact" })).status, 404, "a host no route names");
  t.is(who(await send(addr, 80, { host: "match.example.com:80", path: "/exact" })), "exact", "Host with the port");
  t.is(who(await send(addr, 80, { host: "MATCH.Example.COM", path: "/exact" })), "exact", "hostnames compare case-insensitively");
  t.is(e["second"]!.seen.length, 0);
});

test("500 for a rule whose backend is invalid (missing Service), for its share of a split; 503 without ready endpoints", async (t) => {
  const e = await echoes("ok");
  const yaml = services(e) + "---" + backendYaml("not-ready", [e["ok"]!]).replace("ready: true", "ready: false") + "---" + httpRouteYaml("web", `
  parentRefs: [{ name: gw }]
  rules:
  - matches: [{ path: { type: PathPrefix, value: /ok } }]
    backendRefs: [{ name: ok, port: 80 }]
  - matches: [{ path: { type: PathPrefix, value: /broken } }]
    backendRefs: [{ name: missing, port: 80 }]
  - matches: [{ path: { type: PathPrefix, value: /half } }]
    backendRefs: [{ name: ok, port: 80, weight: 1 }, { name: missing, port: 80, weight: 1 }]
  - matches: [{ path: { type: PathPrefix, value: /unready } }]
    backendRefs: [{ name: not-ready, port: 80 }]
`);
  const { ns, addr } = await setupNamespace(env, "t-invalid", yaml, []);
  const route = await env.kube.waitFor("HTTPRoute", ns, "web", (o) => routeCondition(env, o, "ResolvedRefs")?.status === "False", "ResolvedRefs=False");
  t.is(routeCondition(env, route, "ResolvedRefs")?.reason, "BackendNotFound");
  t.is(routeCondition(env, route, "Accepted")?.status, "True");
  await until(() => send(addr, 80, { path: "/ok" }), (r) => r.status === 200, "/ok served");
  const broken = await send(addr, 80, { path: "/broken/x" });
  t.is(broken.status, 500);
  t.is(broken.echo, undefined);
  t.is((await send(addr, 80, { path: "/elsewhere" })).status, 404);
  const half: number[] = [];
  for (let i = 0; i < 20; i++) half.push((await send(addr, 80, { path: "/half" })).status);
  t.deepEqual([half.filter((x) => x === 200).length, half.filter((x) => x === 500).length], [10, 10], `the invalid backend's share gets 500: ${half.join(" ")}`);
  t.is((await send(addr, 80, { path: "/unready" })).status, 503, "a Service without ready endpoints");
});

test("endpoints: requests spread over a Service's endpoints; a refusing endpoint is ejected and its requests fail over", async (t) => {
  const e = await echoes("ep-1", "ep-2");
  const dead = { name: "dead", host: "127.0.0.1", port: await deadPort() };
  const yaml = backendYaml("pool", [e["ep-1"]!, dead, e["ep-2"]!]) + "---" + httpRouteYaml("web", `
  parentRefs: [{ name: gw }]
  rules: [{ backendRefs: [{ name: pool, port: 80 }] }]
`);
  const { ns, addr } = await setupNamespace(env, "t-endpoints", yaml, ["web"]);
  await until(() => send(addr, 80, { path: "/warm" }), (r) => r.status === 200, "served");
  const names: (string | number)[] = [];
  for (let i = 0; i < 30; i++) names.push(who(await send(addr, 80, { path: "/lb" })));
  t.deepEqual(names.filter((n) => n !== "ep-1" && n !== "ep-2"), [], "every request answered by a live endpoint");
  t.true(names.includes("ep-1") && names.includes("ep-2"), names.join(" "));
  // The operator's /metrics (its registry) carries the proxy's counts for this route.
  const route = { gateway: `${ns}/gw`, route: `${ns}/web`, method: "GET", code: "2xx" };
  t.true(await env.run.metrics.value("gatehouse_proxy_requests_total", route) >= 30, "requests counted on /metrics");
  t.true(await env.run.metrics.value("gatehouse_proxy_upstream_connect_errors_total", { gateway: `${ns}/gw` }) >= 1, "the refusing endpoint");
  const text = await env.run.metrics.registry.metrics();
  const timed = [...text.matchAll(new RegExp(`^gatehouse_proxy_request_duration_seconds_count\\{[^}]*route="${ns}/web"[^}]*code="2xx"[^}]*\\} (\\d+)$`, "gm"))];
  t.true(timed.reduce((n, m) => n + Number(m[1]), 0) >= 30, "and timed, in the exposition text");
});

test("header filters: RequestHeaderModifier, ResponseHeaderModifier, backendRefs[].filters; X-Forwarded-For/-Proto/-Host", async (t) => {
  const e = await echoes("hdr");
  const yaml = services(e) + "---" + httpRouteYaml("web", `
  parentRefs: [{ name: gw }]
  hostnames: [hdr.example.com]
  rules:
  - filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set: [{ name: x-set, value: set-by-gw }]
        add: [{ name: x-add, value: added }]
        remove: [x-remove]
    - type: ResponseHeaderModifier
      responseHeaderModifier:
        set: [{ name: x-from-backend, value: overridden }]
        add: [{ name: x-resp-add, value: r }]
        remove: [x-drop-me]
    backendRefs:
    - name: hdr
      port: 80
      filters:
      - type: RequestHeaderModifier
        requestHeaderModifier: { set: [{ name: x-backend-filter, value: b }] }
`);
  const { addr } = await setupNamespace(env, "t-headers", yaml, ["web"]);
  const r = await until(() => send(addr, 80, {
    host: "hdr.example.com", path: "/a?b=c", localAddress: "127.0.0.1",
    headers: { "x-set": "client", "x-add": "client", "x-remove": "gone", "x-forwarded-for": "203.0.113.9", "x-keep": "k" },
  }), (x) => x.status === 200, "served");
  const h = r.echo!.headers;
  t.is(r.echo!.name, "hdr");
  t.is(h["x-set"], "set-by-gw");
  t.is(h["x-add"], "client, added");
  t.is(h["x-remove"], undefined);
  t.is(h["x-keep"], "k");
  t.is(h["x-backend-filter"], "b");
  t.is(h["x-forwarded-for"], "203.0.113.9, 127.0.0.1");
  t.is(h["x-forwarded-proto"], "http");
  t.is(h["x-forwarded-host"], "hdr.example.com");
  t.is(r.echo!.path, "/a");
  t.is(r.echo!.query, "b=c");
  t.is(r.headers["x-from-backend"], "overridden");
  t.is(r.headers["x-resp-add"], "r");
  t.is(r.headers["x-drop-me"], undefined);
  t.is(r.headers["x-echo"], "hdr");
});

test("RequestRedirect: scheme, hostname, port, full path and prefix replacement, 301/302/303/307/308", async (t) => {
  const e = await echoes("never");
  const rule = (path: string, redirect: string) => `
  - matches: [{ path: { type: PathPrefix, value: ${path} } }]
    filters: [{ type: RequestRedirect, requestRedirect: ${redirect} }]`;
  const yaml = services(e) + "---" + httpRouteYaml("web", `
  parentRefs: [{ name: gw }]
  hostnames: [redir.example.com]
  rules:${[
    rule("/to-https", "{ scheme: https, statusCode: 301 }"),
    rule("/elsewhere", "{ hostname: other.example.org, port: 8080 }"),
    rule("/full", "{ path: { type: ReplaceFullPath, replaceFullPath: /new-home }, statusCode: 303 }"),
    rule("/old", "{ path: { type: ReplacePrefixMatch, replacePrefixMatch: /new }, statusCode: 307 }"),
    rule("/perm", "{ hostname: x.example.com, statusCode: 308 }"),
  ].join("")}
  - matches: [{ path: { type: PathPrefix, value: / } }]
    backendRefs: [{ name: never, port: 80 }]
`);
  const { addr } = await setupNamespace(env, "t-redirect", yaml, ["web"],
    "[{ name: http, port: 80, protocol: HTTP }, { name: alt, port: 8080, protocol: HTTP }]");
  const q = (path: string) => send(addr, 80, { host: "redir.example.com", path });
  await until(() => q("/to-https"), (r) => r.status === 301, "served");
  const cases: [string, number, string][] = [
    ["/to-https/a", 301, "https://redir.example.com/to-https/a"],
    ["/elsewhere", 302, "http://other.example.org:8080/elsewhere"],
    ["/full/deep/path", 303, "http://redir.example.com/new-home"],
    ["/old/x/y", 307, "http://redir.example.com/new/x/y"],
    ["/old", 307, "http://redir.example.com/new"],
    ["/perm", 308, "http://x.example.com/perm"],
  ];
  for (const [path, status, location] of cases) {
    const r = await q(path);
    t.is(r.status, status, path);
    t.is(r.headers.location, location, path);
  }
  // On a listener of another port, the redirect keeps that port unless the scheme changes.
  const on8080 = (path: string) => send(addr, 8080, { host: "redir.example.com", path });
  t.is((await until(() => on8080("/elsewhere"), (r) => r.status === 302, "8080 served")).headers.location, "http://other.example.org:8080/elsewhere");
  t.is((await on8080("/old/z")).headers.location, "http://redir.example.com:8080/new/z", "the listener's port");
  t.is((await on8080("/to-https")).headers.location, "https://redir.example.com/to-https", "scheme changed: its well-known port");
  t.is(e["never"]!.seen.length, 0, "redirects never reach the backend");
});

test("URLRewrite: hostname and path prefix / full replacement, query kept", async (t) => {
  const e = await echoes("rw");
  const yaml = services(e) + "---" + httpRouteYaml("web", `
  parentRefs: [{ name: gw }]
  hostnames: [rw.example.com]
  rules:
  - matches: [{ path: { type: PathPrefix, value: /api } }]
    filters: [{ type: URLRewrite, urlRewrite: { hostname: internal.example.com, path: { type: ReplacePrefixMatch, replacePrefixMatch: /v2 } } }]
    backendRefs: [{ name: rw, port: 80 }]
  - matches: [{ path: { type: PathPrefix, value: /strip } }]
    filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplacePrefixMatch, replacePrefixMatch: / } } }]
    backendRefs: [{ name: rw, port: 80 }]
  - matches: [{ path: { type: PathPrefix, value: /legacy } }]
    filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplaceFullPath, replaceFullPath: /modern } } }]
    backendRefs: [{ name: rw, port: 80 }]
`);
  const { addr } = await setupNamespace(env, "t-rewrite", yaml, ["web"]);
  const q = (path: string) => send(addr, 80, { host: "rw.example.com", path });
  const a = await until(() => q("/api/users?id=7"), (r) => r.status === 200, "served");
  t.like(a.echo, { path: "/v2/users", query: "id=7", host: "internal.example.com" });
  t.like((await q("/api")).echo, { path: "/v2", host: "internal.example.com" });
  t.is((await q("/apis")).status, 404, "segment semantics: /apis is not under /api");
  t.like((await q("/strip/users")).echo, { path: "/users" }, "prefix replaced by /: no double slash");
  t.like((await q("/strip")).echo, { path: "/" });
  const b = await q("/legacy/a/b?x=1");
  t.like(b.echo, { path: "/modern", query: "x=1", host: "rw.example.com" });
});

test("RequestMirror: each mirror backend receives a copy, the response comes from the main backend", async (t) => {
  const e = await echoes("main", "mirror-a", "mirror-b");
  const yaml = services(e) + "---" + httpRouteYaml("web", `
  parentRefs: [{ name: gw }]
  hostnames: [mirror.example.com]
  rules:
  - filters:
    - { type: RequestMirror, requestMirror: { backendRef: { name: mirror-a, port: 80 } } }
    - { type: RequestMirror, requestMirror: { backendRef: { name: mirror-b, port: 80 } } }
    backendRefs: [{ name: main, port: 80 }]
`);
  const { addr } = await setupNamespace(env, "t-mirror", yaml, ["web"]);
  await until(() => send(addr, 80, { host: "mirror.example.com", path: "/warmup" }), (r) => r.status === 200, "served");
  const r = await send(addr, 80, { host: "mirror.example.com", method: "POST", path: "/m/1?z=2", headers: { "x-id": "copy-me", "content-type": "text/plain" }, body: "payload" });
  t.is(r.status, 200);
  t.like(r.echo, { name: "main", path: "/m/1", body: "payload" });
  for (const m of [e["mirror-a"]!, e["mirror-b"]!]) {
    const seen = await until(async () => m.seen.find((s) => s.path === "/m/1"), (s) => s !== undefined, `${m.name} got the copy`);
    t.like(seen, { method: "POST", query: "z=2", body: "payload" });
    t.is(seen!.headers["x-id"], "copy-me");
  }
  t.is(e["main"]!.seen.filter((s) => s.path === "/m/1").length, 1);
});

test("CORS: preflight answered by the Gateway, allowed origin gets the allow headers, others do not", async (t) => {
  const e = await echoes("cors");
  const yaml = services(e) + "---" + httpRouteYaml("web", `
  parentRefs: [{ name: gw }]
  hostnames: [cors.example.com]
  rules:
  - filters:
    - type: CORS
      cors:
        allowOrigins: ["https://app.example.org"]
        allowMethods: [GET, PUT]
        allowHeaders: [x-token]
        exposeHeaders: [x-echo]
        maxAge: 600
    backendRefs: [{ name: cors, port: 80 }]
`);
  const { addr } = await setupNamespace(env, "t-cors", yaml, ["web"]);
  const q = (r: Req) => send(addr, 80, { host: "cors.example.com", path: "/res", ...r });
  await until(() => q({}), (r) => r.status === 200, "served");
  const pre = await q({ method: "OPTIONS", headers: { origin: "https://app.example.org", "access-control-request-method": "PUT", "access-control-request-headers": "x-token" } });
  t.true(pre.status === 200 || pre.status === 204, String(pre.status));
  t.is(pre.headers["access-control-allow-origin"], "https://app.example.org");
  t.regex(String(pre.headers["access-control-allow-methods"]), /PUT/);
  t.regex(String(pre.headers["access-control-allow-headers"]), /x-token/i);
  t.is(pre.headers["access-control-max-age"], "600");
  t.false(e["cors"]!.seen.some((s) => s.method === "OPTIONS"), "the preflight never reaches the backend");

  const get = await q({ headers: { origin: "https://app.example.org" } });
  t.is(get.status, 200);
  t.is(get.headers["access-control-allow-origin"], "https://app.example.org");
  t.regex(String(get.headers["access-control-expose-headers"]), /x-echo/i);
  const evil = await q({ headers: { origin: "https://evil.example.net" } });
  t.is(evil.headers["access-control-allow-origin"], undefined);
  const evilPre = await q({ method: "OPTIONS", headers: { origin: "https://evil.example.net", "access-control-request-method": "PUT" } });
  t.is(evilPre.status, 204);
  t.is(evilPre.headers["access-control-allow-origin"], undefined);
  t.false(e["cors"]!.seen.some((s) => s.method === "OPTIONS"), "a refused preflight is answered by the Gateway too");
});

test("timeouts: a slow backend gets 504 (request and backendRequest timeouts); fast requests pass", async (t) => {
  const e = await echoes("slowpoke");
  const yaml = services(e) + "---" + httpRouteYaml("web", `
  parentRefs: [{ name: gw }]
  hostnames: [slow.example.com]
  rules:
  - matches: [{ path: { type: PathPrefix, value: /req } }]
    timeouts: { request: 300ms }
    backendRefs: [{ name: slowpoke, port: 80 }]
  - matches: [{ path: { type: PathPrefix, value: /backend } }]
    timeouts: { request: 10s, backendRequest: 300ms }
    backendRefs: [{ name: slowpoke, port: 80 }]
`);
  const { addr } = await setupNamespace(env, "t-timeouts", yaml, ["web"]);
  const q = (path: string) => send(addr, 80, { host: "slow.example.com", path });
  await until(() => q("/req/fast"), (r) => r.status === 200, "served");
  t.is((await q("/req/slow/5000")).status, 504);
  t.is((await q("/backend/slow/5000")).status, 504);
  t.is((await q("/backend/fast")).status, 200);
});

test("retries: 503s retried up to attempts, then the last answer returned", async (t) => {
  const e = await echoes("flaky");
  const yaml = services(e) + "---" + httpRouteYaml("web", `
  parentRefs: [{ name: gw }]
  hostnames: [retry.example.com]
  rules:
  - retry: { codes: [503], attempts: 2, backoff: 10ms }
    backendRefs: [{ name: flaky, port: 80 }]
`);
  const { addr } = await setupNamespace(env, "t-retry", yaml, ["web"]);
  const q = (path: string) => send(addr, 80, { host: "retry.example.com", path });
  await until(() => q("/warm"), (r) => r.status === 200, "served");
  const ok = await q("/flaky/twice/2");
  t.is(ok.status, 200, "third attempt succeeds");
  t.is(e["flaky"]!.seen.filter((s) => s.path === "/flaky/twice/2").length, 3);
  const post = await send(addr, 80, { host: "retry.example.com", method: "POST", path: "/flaky/post/1", body: "replay-me" });
  t.is(post.status, 200);
  t.deepEqual(e["flaky"]!.seen.filter((s) => s.path === "/flaky/post/1").map((s) => s.body), ["replay-me", "replay-me"], "the body is sent again on retry");
  const bad = await q("/flaky/always/9");
  t.is(bad.status, 503, "attempts exhausted");
  t.is(e["flaky"]!.seen.filter((s) => s.path === "/flaky/always/9").length, 3, "1 try + 2 retries");
});

test("weighted split 90/10: exactly 180/20 over 200 requests (smooth weighted round robin)", async (t) => {
  const e = await echoes("heavy", "light");
  const yaml = services(e) + "---" + httpRouteYaml("web", `
  parentRefs: [{ name: gw }]
  hostnames: [split.example.com]
  rules:
  - backendRefs: [{ name: heavy, port: 80, weight: 90 }, { name: light, port: 80, weight: 10 }]
`);
  const { addr } = await setupNamespace(env, "t-split", yaml, ["web"]);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const q = () => send(addr, 80, { host: "split.example.com", path: "/w", agent });
    await until(q, (r) => r.status === 200, "served");
    const counts: Record<string, number> = {};
    for (let i = 0; i < 200; i++) {
      const r = await q();
      const k = String(who(r));
      counts[k] = (counts[k] ?? 0) + 1;
    }
    t.deepEqual(Object.keys(counts).sort(), ["heavy", "light"], JSON.stringify(counts));
    // Smooth WRR repeats with a period of 100 picks (the weights' sum), so any 200 consecutive
    // picks hold exactly 180/20; reloads caused by the other tests keep the picker's state
    // (same backends and weights), and the proxy serves in one thread here (--proxy-workers 0).
    t.deepEqual(counts, { heavy: 180, light: 20 });
  } finally {
    agent.destroy();
  }
});
