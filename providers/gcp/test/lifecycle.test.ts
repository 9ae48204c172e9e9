import test from "ava";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FakeCompute } from "@gatehouse/fake-gcp";
import {
  PROJECT, REGIONAL_CLASS, mutations, backend, classes, converge, desiredOf, gateway, manyRoutes, provider, route, service, startFake,
} from "./fixture.js";

let fake: FakeCompute;
test.before(async () => { fake = await startFake(2); });
test.after.always(async () => { await fake.close(); });
test.beforeEach(() => fake.reset());

const ours = () => fake.state.paths();

test.serial("create, no-op, one-rule change, endpoint churn, route and Gateway finalize", async (t) => {
  const p = provider(fake);
  const objects = manyRoutes(4);
  const created = await converge(p, desiredOf(objects));
  t.true(created.gateways[0]!.programmed, created.gateways[0]!.message);
  t.deepEqual(fake.internalErrors, []);
  t.deepEqual(created.routes, []);

  // no-op: nothing mutates
  let mark = fake.calls.mark();
  await converge(p, desiredOf(objects));
  t.is(fake.calls.mutating(mark), 0);

  // one rule's header changes: one URL map update, nothing else
  const edited = objects.map((o) => {
    const r = o as { kind: string; metadata: { name: string }; spec: { rules: { filters?: { requestHeaderModifier: { set: { value: string }[] } }[] }[] } };
    if (r.kind !== "HTTPRoute" || r.metadata.name !== "route-1") return o;
    const copy = structuredClone(r);
    copy.spec.rules[0]!.filters![0]!.requestHeaderModifier.set[0]!.value = "changed";
    return copy;
  });
  mark = fake.calls.mark();
  const res = await converge(p, desiredOf(edited));
  t.true(res.gateways[0]!.programmed);
  t.deepEqual(mutations(fake, mark), { "urlMaps.update": 1 });
  const map = fake.state.get(`projects/${PROJECT}/global/urlMaps/gh-default-web-80`) as unknown;
  t.true(JSON.stringify(map).includes("changed"));

  // endpoints: one more ready endpoint in svc-2 → one attach; back → one detach
  const more = edited.flatMap((o) => {
    const s = o as { kind: string; metadata: { name: string } };
    if (s.kind === "EndpointSlice" && s.metadata.name === "svc-2-a") return [service("svc-2", 3)[1]];
    return [o];
  });
  mark = fake.calls.mark();
  await converge(p, desiredOf(more));
  t.deepEqual(mutations(fake, mark), { "networkEndpointGroups.attachNetworkEndpoints": 1 });
  mark = fake.calls.mark();
  await converge(p, desiredOf(edited));
  t.deepEqual(mutations(fake, mark), { "networkEndpointGroups.detachNetworkEndpoints": 1 });

  // a route goes: its rules leave the URL map, its backend service (and NEGs, HC) go
  const fin = await p.finalize({ kind: "HTTPRoute", namespace: "default", name: "route-3" });
  t.true(fin.done, fin.message);
  t.false(ours().some((x) => x.includes("svc-3")));
  t.true(ours().some((x) => x.includes("svc-2")));

  // the Gateway goes: nothing of ours is left
  const gone = await p.finalize({ kind: "Gateway", namespace: "default", name: "web" });
  t.true(gone.done, gone.message);
  t.deepEqual(ours(), []);
  t.deepEqual(fake.internalErrors, []);
  await p.close();
});

test.serial("regional internal class: regional resources, internal address, proxy-only range in the firewall", async (t) => {
  const p = provider(fake);
  const objects = [...classes(), gateway("int", REGIONAL_CLASS), ...service("api", 4),
    route("api", "int", [{ matches: [{ path: { type: "RegularExpression", value: "/v[0-9]+/.*" } }], backendRefs: [backend("api")] }])];
  const res = await converge(p, desiredOf(objects));
  const gw = res.gateways[0]!;
  t.true(gw.programmed, gw.message);
  t.regex(gw.addresses[0]!.value, /^10\.128\./);
  t.deepEqual(res.routes, []); // regex is fine on a regional map
  t.true(ours().includes(`projects/${PROJECT}/regions/us-central1/urlMaps/gh-default-int-80`));
  t.true(ours().includes(`projects/${PROJECT}/regions/us-central1/forwardingRules/fr-default-int-80`));
  const fw = fake.state.get(`projects/${PROJECT}/global/firewalls/gh-default-int-lb`) as { sourceRanges: string[] };
  t.true(fw.sourceRanges.includes("10.129.0.0/23"));
  t.is((await p.finalize({ kind: "Gateway", namespace: "default", name: "int" })).done, true);
  t.deepEqual(ours(), []);
  await p.close();
});

test.serial("regex on the global external class: reported on the exact rule, the rest programmed", async (t) => {
  const p = provider(fake);
  const objects = [...classes(), gateway("web"), ...service("a"),
    route("mixed", "web", [
      { matches: [{ path: { type: "PathPrefix", value: "/ok" } }], backendRefs: [backend("a")] },
      { matches: [{ path: { type: "RegularExpression", value: "/re/[a-z]+" } }], backendRefs: [backend("a")] },
    ])];
  const res = await converge(p, desiredOf(objects));
  t.true(res.gateways[0]!.programmed, res.gateways[0]!.message);
  t.is(res.routes.length, 1);
  t.is(res.routes[0]!.route, "httproute/default/mixed");
  t.regex(res.routes[0]!.error!.message, /httproute\/default\/mixed\/rule\/1\/match\/0: regular expression/);
  await p.finalize({ kind: "Gateway", namespace: "default", name: "web" });
  t.deepEqual(ours(), []);
  await p.close();
});

test.serial("invalid GCPConfig: Programmed=False naming the field, nothing created", async (t) => {
  const p = provider(fake);
  const objects = [...classes(), gateway("web"), ...service("a"), route("r", "web", [{ backendRefs: [backend("a")] }])].map((o) => {
    const c = o as { kind: string; metadata: { name: string }; spec: Record<string, unknown> };
    return c.kind === "GCPConfig" && c.metadata.name === "global" ? { ...c, spec: { ...c.spec, zones: ["us-central1-a", 7] } } : o;
  });
  const res = await converge(p, desiredOf(objects));
  t.false(res.gateways[0]!.programmed);
  t.is(res.gateways[0]!.reason, "Invalid");
  t.regex(res.gateways[0]!.message, /GCPConfig gatehouse-system\/global: spec\.zones\[1\]: 7 is not a zone name/);
  t.is(fake.calls.mutating(), 0);
  await p.close();
});

test.serial("quota exceeded: surfaced in the Gateway status, converges once the quota allows", async (t) => {
  const p = provider(fake);
  const q = fake.inject.quotaExceeded({ method: "urlMaps.insert" }, { metric: "URL_MAPS", limit: 0 });
  const objects = manyRoutes(1);
  const res = await converge(p, desiredOf(objects));
  t.false(res.gateways[0]!.programmed);
  t.is(res.gateways[0]!.reason, "NoResources");
  t.regex(res.gateways[0]!.message, /quota/i);
  t.regex(res.gateways[0]!.message, /URL_MAPS/);
  q.remove();
  const ok = await converge(p, desiredOf(objects));
  t.true(ok.gateways[0]!.programmed, ok.gateways[0]!.message);
  await p.finalize({ kind: "Gateway", namespace: "default", name: "web" });
  t.deepEqual(ours(), []);
  await p.close();
});

test.serial("static address by IP, and an HTTPS listener with a TLS Secret (rotation swaps the certificate)", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "gh-gcp-cert-"));
  const mk = (cn: string) => {
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "k.pem"), "-out", join(dir, "c.pem"), "-days", "2",
      "-subj", `/CN=${cn}`, "-addext", `subjectAltName=DNS:${cn}`], { stdio: "ignore" });
    return { "tls.crt": readFileSync(join(dir, "c.pem")).toString("base64"), "tls.key": readFileSync(join(dir, "k.pem")).toString("base64") };
  };
  try {
    const p = provider(fake);
    fake.state.seed("global/addresses", { name: "user-ip", address: "34.120.9.9" });
    const secret = (data: Record<string, string>) => ({ apiVersion: "v1", kind: "Secret", type: "kubernetes.io/tls",
      metadata: { name: "tls", namespace: "default", creationTimestamp: "2025-01-01T00:00:00Z" }, data });
    const gw = gateway("secure", undefined, [
      { name: "http", port: 80, protocol: "HTTP" },
      { name: "https", port: 443, protocol: "HTTPS", hostname: "www.example.com", tls: { certificateRefs: [{ name: "tls" }] } },
    ]) as { spec: Record<string, unknown> };
    gw.spec["addresses"] = [{ type: "IPAddress", value: "34.120.9.9" }];
    const base = [...classes(), gw, ...service("a"), route("r", "secure", [{ backendRefs: [backend("a")] }])];
    const res = await converge(p, desiredOf([...base, secret(mk("www.example.com"))]));
    t.true(res.gateways[0]!.programmed, res.gateways[0]!.message);
    t.deepEqual(res.gateways[0]!.addresses, [{ type: "IPAddress", value: "34.120.9.9" }]);
    const certs1 = ours().filter((x) => x.includes("sslCertificates"));
    t.is(certs1.length, 1);
    const mark = fake.calls.mark();
    await converge(p, desiredOf([...base, secret(mk("www.example.com"))]));
    const certs2 = ours().filter((x) => x.includes("sslCertificates"));
    t.is(certs2.length, 1);
    t.not(certs2[0], certs1[0]);
    t.deepEqual(mutations(fake, mark),
      { "sslCertificates.insert": 1, "targetHttpsProxies.setSslCertificates": 1, "sslCertificates.delete": 1 });
    await p.finalize({ kind: "Gateway", namespace: "default", name: "secure" });
    t.deepEqual(ours(), ["projects/gatehouse-test/global/addresses/user-ip"]);
    await p.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.serial("a fresh instance knows the cloud from the Gateway annotations and cleans up what is no longer wanted", async (t) => {
  const p1 = provider(fake);
  const objects = manyRoutes(2);
  const res = await converge(p1, desiredOf(objects));
  await p1.close();
  // route-1 went while the controller was down; a new instance must still delete its pieces
  const fewer = objects.filter((o) => (o as { metadata: { name: string } }).metadata.name !== "route-1");
  const desired = desiredOf(fewer);
  const ann = Object.fromEntries(Object.entries(res.gateways[0]!.annotations!).filter(([, v]) => v !== null)) as Record<string, string>;
  desired.annotations = { "gateway/default/web": ann };
  const p2 = provider(fake);
  const again = await converge(p2, desired);
  t.true(again.gateways[0]!.programmed);
  t.false(ours().some((x) => x.includes("svc-1-")));
  await p2.finalize({ kind: "Gateway", namespace: "default", name: "web" });
  t.deepEqual(ours(), []);
  await p2.close();
});

test.serial("finalize in a fresh process (no desired state yet) finds the Gateway's resources by listing", async (t) => {
  const p1 = provider(fake);
  await converge(p1, desiredOf(manyRoutes(2)));
  await p1.close();
  const p2 = provider(fake);
  const mark = fake.calls.mark();
  const fin = await p2.finalize({ kind: "Gateway", namespace: "default", name: "web" });
  t.true(fin.done, fin.message);
  // The listing calls are in the provider's stats (the operator's API call metrics) as the fake saw them.
  const listed = p2.stats().apiCalls.filter((c) => c.operation.endsWith(".aggregatedList")).reduce((n, c) => n + c.count, 0);
  t.true(listed > 0);
  t.is(listed, fake.calls.count({ method: /aggregatedList/, since: mark }));
  // shared pieces (backend services, health checks, NEGs) go with the next apply
  t.true(ours().length > 0);
  await converge(p2, desiredOf(classes()));
  t.deepEqual(ours(), []);
  await p2.close();
});

test.serial("finalize in a fresh process with the deleted Gateway's annotations reads what they list", async (t) => {
  const p1 = provider(fake);
  const res = await converge(p1, desiredOf(manyRoutes(2)));
  await p1.close();
  const annotations = Object.fromEntries(Object.entries(res.gateways[0]!.annotations!).filter(([, v]) => v !== null)) as Record<string, string>;
  const p2 = provider(fake);
  const mark = fake.calls.mark();
  const fin = await p2.finalize({ kind: "Gateway", namespace: "default", name: "web", annotations });
  t.true(fin.done, fin.message);
  t.is(fake.calls.count({ method: /aggregatedList|\.list$/, since: mark }), 0);
  t.false(ours().some((x) => /urlMaps|forwardingRules|targetHttpProxies|addresses|firewalls|-web-404/.test(x)));
  await converge(p2, desiredOf(classes()));
  t.deepEqual(ours(), []);
  await p2.close();
});
