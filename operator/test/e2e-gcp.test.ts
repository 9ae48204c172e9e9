// End to end with the GCP backend: a real kube-apiserver + etcd, the operator as `gatehouse
// run` assembles it, and the fake Compute API on loopback behind the real
// @google-cloud/compute clients. Gateway + 2 routes → a load balancer whose URL map equals
// testdata/gcp-urlmap.yaml (GATEHOUSE_GOLDEN_UPDATE=1 rewrites it); statuses, addresses and
// annotations; an edit is one URL map update; deleting a route and then the Gateway leaves
// nothing of ours and releases the finalizers.
import test from "ava";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { startControlPlane } from "@gatehouse/test-harness";
import { startFakeCompute, type FakeCompute } from "@gatehouse/fake-gcp";
import { GCP_CONTROLLER } from "@gatehouse/provider-gcp";
import { annotationsOf, condition, eventually, Kube, parentCondition, type RunningOperator, startOperator } from "./e2e-helpers.js";
import { hasFinalizer } from "../src/kube/finalizers/index.js";
import { installGatehouseCRDs } from "./local-crd.js";

const PROJECT = "gatehouse-e2e";
const TESTDATA = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "test", "testdata");
const UPDATE = process.env["GATEHOUSE_GOLDEN_UPDATE"] === "1" || process.env["GATEHOUSE_GOLDEN_UPDATE"] === "true";

interface Env { cp: Awaited<ReturnType<typeof startControlPlane>>; kube: Kube; run: RunningOperator; fake: FakeCompute }
const env = {} as Env;

test.before(async () => {
  env.cp = await startControlPlane();
  env.kube = new Kube(env.cp);
  await installGatehouseCRDs(env.kube.client);
  env.fake = await startFakeCompute({ project: PROJECT, host: `127.0.${100 + (process.pid % 40)}.7`, operationDelayMs: 2, waitTimeoutMs: 200 });
  // The product wiring: the provider comes from the settings (--gcp-endpoint, --gcp-project), not a test override.
  env.run = await startOperator(env.cp, {
    controllerNames: [GCP_CONTROLLER], gcpEndpoint: env.fake.url, gcpProject: PROJECT, clusterName: "e2e",
  });
});

test.after.always(async () => {
  await env.run?.stop();
  env.kube?.close();
  await env.cp?.stop();
  await env.fake?.close();
});

const backend = (name: string, ip: string) => `
apiVersion: v1
kind: Service
metadata: { name: ${name} }
spec: { ports: [{ name: http, port: 80, targetPort: 8080 }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: ${name}-a, labels: { kubernetes.io/service-name: ${name} } }
addressType: IPv4
endpoints:
- { addresses: ["${ip}1"], conditions: { ready: true }, zone: us-central1-a, nodeName: node-a }
- { addresses: ["${ip}2"], conditions: { ready: true }, zone: us-central1-b, nodeName: node-b }
ports: [{ name: http, port: 8080, protocol: TCP }]
`;

const route = (name: string, host: string, svc: string, path: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name} }
spec:
  parentRefs: [{ name: gw }]
  hostnames: ["${host}"]
  rules:
  - matches: [{ path: { type: PathPrefix, value: "${path}" }, headers: [{ name: x-env, value: prod }] }]
    filters: [{ type: ResponseHeaderModifier, responseHeaderModifier: { set: [{ name: x-served-by, value: gatehouse }] } }]
    backendRefs: [{ name: ${svc}, port: 80 }]
`;


/** The stored URL maps, with what varies per run (namespace, hashed matcher names, spec hashes) replaced. */
function urlMapsText(ns: string): string {
  const text = stringify(env.fake.state.snapshot({ collection: "urlMaps", stable: true }), { sortMapEntries: true, lineWidth: 0 });
  const pms = new Map<string, string>();
  return text.split(ns).join("NS")
    .replace(/spec=[0-9a-f]{12}/g, "spec=HASH")
    .replace(/\bpm-[a-z0-9]{12}\b/g, (m) => { if (!pms.has(m)) pms.set(m, `pm-${pms.size + 1}`); return pms.get(m)!; });
}

test("Gateway + 2 routes → a global external load balancer; URL map golden; an edit is one update; deletes leave nothing", async (t) => {
  const ns = await env.cp.newNamespace("gcp");
  const cls = `gatehouse-gke-l7-global-external-managed-${ns}`;
  await env.kube.apply(`
apiVersion: gatehouse.dev/v1alpha1
kind: GCPConfig
metadata: { name: global }
spec: { project: ${PROJECT}, scope: global, loadBalancingScheme: EXTERNAL_MANAGED, network: default, labels: { team: edge } }
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: ${cls} }
spec:
  controllerName: ${GCP_CONTROLLER}
  parametersRef: { group: gatehouse.dev, kind: GCPConfig, name: global, namespace: ${ns} }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw }
spec:
  gatewayClassName: ${cls}
  listeners: [{ name: http, port: 80, protocol: HTTP }]
` + "---" + backend("web", "10.1.0.") + "---" + backend("api", "10.2.0.")
    + "---" + route("web", "web.example.com", "web", "/") + "---" + route("api", "api.example.com", "api", "/v1"), ns);

  const gw = await env.kube.waitFor("Gateway", ns, "gw",
    (o) => condition(o, "Programmed")?.status === "True" && (o.status?.addresses?.length ?? 0) === 1 && hasFinalizer(o)
      && annotationsOf(o)["gatehouse.dev/url-maps"] !== undefined,
    "Gateway Programmed with an address, annotations and the finalizer");
  t.regex(condition(gw, "Programmed")!.message, /global EXTERNAL_MANAGED load balancer: 1 URL map\(s\), 1 forwarding rule\(s\) on 34\.120\./);
  t.like(gw.status.addresses[0], { type: "IPAddress" });
  t.regex(gw.status.addresses[0].value, /^34\.120\.\d+\.\d+$/);
  const ann = annotationsOf(gw);
  t.is(ann["gatehouse.dev/url-maps"], `global/urlMaps/gh-${ns}-gw-80`);
  t.is(ann["gatehouse.dev/forwarding-rules"], `global/forwardingRules/fr-${ns}-gw-80`);
  t.is(ann["gatehouse.dev/gcp-project"], PROJECT);
  t.is(ann["gatehouse.dev/backend-services"]!.split(",").length, 3); // api, web, the 404 default
  t.is(ann["gatehouse.dev/network-endpoint-groups"]!.split(",").length, 4);
  for (const r of ["web", "api"]) {
    const o = await env.kube.waitFor("HTTPRoute", ns, r, (x) => hasFinalizer(x) && parentCondition(x, GCP_CONTROLLER, "Accepted")?.status === "True", `${r}: accepted with the finalizer`);
    t.like(parentCondition(o, GCP_CONTROLLER, "ResolvedRefs"), { status: "True" });
  }

  await env.run.op.reconciler.idle();
  const golden = join(TESTDATA, "gcp-urlmap.yaml");
  const actual = urlMapsText(ns);
  if (UPDATE) writeFileSync(golden, actual);
  else {
    t.true(existsSync(golden), "testdata/gcp-urlmap.yaml is missing: run with GATEHOUSE_GOLDEN_UPDATE=1");
    t.is(actual, readFileSync(golden, "utf8"), "the URL map differs from testdata/gcp-urlmap.yaml");
  }

  // Edit one route's path: one URL map update and nothing else.
  const mark = env.fake.calls.mark();
  await env.kube.update("HTTPRoute", ns, "api", (o) => { o.spec.rules[0].matches[0].path = { type: "PathPrefix", value: "/v2" }; });
  await eventually(() => JSON.stringify(env.fake.state.snapshot({ collection: "urlMaps" })).includes("/v2/"), "URL map updated");
  await env.run.op.reconciler.idle();
  t.deepEqual(env.fake.calls.byMethod({ mutating: true, since: mark }), { "compute.urlMaps.update": 1 });

  // Delete a route: its rules, backend service, health check and NEGs go; the finalizer is released.
  await env.kube.delete("HTTPRoute", ns, "api");
  await eventually(async () => (await env.kube.get("HTTPRoute", ns, "api")) === undefined, "route gone once finalized");
  await eventually(() => !env.fake.state.paths().some((p) => p.includes(`${ns}-api-`)), "the route's backend resources are deleted");
  t.true(env.fake.state.paths().some((p) => p.includes(`${ns}-web-`)));

  // Delete the Gateway and the other route: nothing of ours is left.
  await env.kube.delete("HTTPRoute", ns, "web");
  await env.kube.delete("Gateway", ns, "gw");
  await eventually(async () => (await env.kube.get("Gateway", ns, "gw")) === undefined, "Gateway gone once finalized");
  await eventually(() => env.fake.state.paths().length === 0, "no Compute resource left");
  t.deepEqual(env.fake.internalErrors, []);
});
