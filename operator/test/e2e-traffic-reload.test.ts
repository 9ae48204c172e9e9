// End to end, hot reload under load: 8 clients (half on keep-alive connections, half on a
// fresh connection per request) send requests in a loop through a Gateway while, one after
// another, a route is added, the backend Service's EndpointSlice is moved to another live
// echo, a response header filter is edited, the added route is removed and the Gateway gets
// another listener. Every change must take effect, not a single request may fail, and
// keep-alive connections survive every reload. Real API server, the operator's local proxy.
import test from "ava";
import { Agent } from "node:http";
import { closeAll, httpEcho } from "./traffic-backends.js";
import { send, until } from "./traffic-clients.js";
import { backendYaml, httpRouteYaml, routeReady, setupNamespace, sliceAddress, useTraffic } from "./traffic-world.js";

const env = useTraffic("reload");
const backends: { close(): Promise<void> }[] = [];
test.after.always(() => closeAll(backends));

const CLIENTS = 8;
/** Requests each client still sends after the last change took effect. */
const TAIL = 100;
/** Liveness bound per client. */
const MAX_REQUESTS = 5_000;

interface Sample { path: string; status: number; name?: string; version?: string; error?: string; localPort?: number }

test("hot reload under load: route added and removed, endpoints moved, filter edited, listener added; zero failed requests, keep-alive kept", async (t) => {
  const [a, b, c] = [await httpEcho("a"), await httpEcho("b"), await httpEcho("c")];
  backends.push(a, b, c);
  const mainRoute = (version: string) => httpRouteYaml("main", `
  parentRefs: [{ name: gw }]
  hostnames: [reload.example.com]
  rules:
  - filters: [{ type: ResponseHeaderModifier, responseHeaderModifier: { set: [{ name: x-version, value: ${version} }] } }]
    backendRefs: [{ name: app, port: 80 }]
`);
  const { ns, addr } = await setupNamespace(env, "t-reload", [backendYaml("app", [a]), backendYaml("extra", [c]), mainRoute("v1")].join("---"), ["main"]);
  await until(() => send(addr, 80, { host: "reload.example.com", path: "/" }), (r) => r.status === 200, "served");

  // The load: each client alternates / and /extra and records every answer.
  const samples: Sample[][] = Array.from({ length: CLIENTS }, () => []);
  let stopAfter: number | undefined;
  const loops = samples.map(async (mine, i) => {
    const agent = i % 2 === 0 ? new Agent({ keepAlive: true, maxSockets: 1 }) : undefined;
    try {
      let tail = 0;
      for (let n = 0; n < MAX_REQUESTS; n++) {
        if (stopAfter !== undefined && tail++ >= stopAfter) return;
        const path = n % 2 === 0 ? "/" : "/extra";
        try {
          const r = await send(addr, 80, { host: "reload.example.com", path, ...(agent ? { agent } : {}) });
          mine.push({
            path, status: r.status, ...(r.localPort ? { localPort: r.localPort } : {}),
            ...(r.echo ? { name: r.echo.name } : {}), ...(r.headers["x-version"] ? { version: String(r.headers["x-version"]) } : {}),
          });
        } catch (e) {
          mine.push({ path, status: 0, error: (e as Error).message });
        }
      }
    } finally {
      agent?.destroy();
    }
  });
  const all = () => samples.flat();
  /** Waits until every client has seen `pred` hold for an answer sent after this call. */
  const seenByAll = async (what: string, pred: (s: Sample) => boolean) => {
    const from = samples.map((s) => s.length);
    await until(async () => samples.every((s, i) => s.slice(from[i]).some(pred)), (ok) => ok, what);
  };

  try {
    await seenByAll("load running", (s) => s.status === 200);

    // 1. A new route: /extra leaves the catch-all (a) for c.
    await env.kube.apply(httpRouteYaml("extra", `
  parentRefs: [{ name: gw }]
  hostnames: [reload.example.com]
  rules:
  - matches: [{ path: { type: PathPrefix, value: /extra } }]
    backendRefs: [{ name: extra, port: 80 }]
`), ns);
    await routeReady(env, "HTTPRoute", ns, "extra");
    await seenByAll("/extra on c", (s) => s.path === "/extra" && s.name === "c");

    // 2. The Service's endpoints move to another live echo.
    await env.kube.update("EndpointSlice", ns, "app-0", (o) => {
      o["ports"] = [{ name: "p", port: b.port, protocol: "TCP" }];
      o["endpoints"] = [{ addresses: [sliceAddress(b.host)], conditions: { ready: true } }];
    });
    await seenByAll("/ on b", (s) => s.path === "/" && s.name === "b");

    // 3. The header filter is edited.
    await env.kube.update("HTTPRoute", ns, "main", (o) => { o.spec.rules[0].filters[0].responseHeaderModifier.set[0].value = "v2"; });
    await seenByAll("x-version v2", (s) => s.version === "v2");

    // 4. The added route goes: /extra falls back to the catch-all (now b).
    await env.kube.delete("HTTPRoute", ns, "extra");
    await seenByAll("/extra back on the catch-all", (s) => s.path === "/extra" && s.name === "b");

    // 5. The Gateway gets a listener on another port: it serves, port 80 is not disturbed.
    await env.kube.update("Gateway", ns, "gw", (o) => { o.spec.listeners.push({ name: "alt", port: 8080, protocol: "HTTP" }); });
    const alt = await until(() => send(addr, 8080, { host: "reload.example.com", path: "/" }), (r) => r.status === 200, "the new listener serving");
    t.is(alt.echo?.name, "b");
    await seenByAll("port 80 still served", (s) => s.status === 200);
  } finally {
    stopAfter = TAIL;
    await Promise.all(loops);
  }

  const failed = all().filter((s) => s.status !== 200);
  t.log(`${all().length} requests by ${CLIENTS} clients, ${failed.length} failed`);
  t.deepEqual(failed.slice(0, 10), [], `${failed.length} failed of ${all().length}`);
  t.true(all().length > CLIENTS * TAIL, `${all().length} requests`);
  t.deepEqual([...new Set(all().map((s) => s.name))].sort(), ["a", "b", "c"]);
  // Keep-alive clients kept their one connection through every reload.
  samples.forEach((mine, i) => {
    if (i % 2 === 0) t.is(new Set(mine.map((s) => s.localPort)).size, 1, `keep-alive client ${i}: connections ${[...new Set(mine.map((s) => s.localPort))].join(", ")}`);
  });
  // Each client's answers change once per switch and never go back: the swaps are atomic.
  for (const mine of samples) {
    const roots = mine.filter((s) => s.path === "/").map((s) => s.name);
    t.true(roots.lastIndexOf("a") < roots.indexOf("b"), `/: a before b only: ${compress(roots)}`);
    const versions = mine.map((s) => s.version);
    t.true(versions.lastIndexOf("v1") < versions.indexOf("v2"), `versions: ${compress(versions)}`);
    const extra = mine.filter((s) => s.path === "/extra").map((s) => s.name);
    t.regex(compress(extra), /^(a(\*\d+)?, )?c(\*\d+)?, b(\*\d+)?$/, `/extra: the catch-all (a), then c, then the catch-all again (b by then): ${compress(extra)}`);
  }
});

/** `a*3, b*2` */
function compress(list: (string | undefined)[]): string {
  const out: string[] = [];
  let prev: string | undefined;
  let n = 0;
  for (const x of [...list, "\0"]) {
    if (x === prev) { n++; continue; }
    if (n > 0) out.push(n > 1 ? `${prev}*${n}` : String(prev));
    prev = x;
    n = 1;
  }
  return out.join(", ");
}
