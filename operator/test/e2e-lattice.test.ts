// End to end with the VPC Lattice backend: a real kube-apiserver + etcd, the operator as
// `gatehouse run` assembles it, and the fake Lattice API on loopback behind the real SDK
// client. Gateway + 2 routes → Lattice resources; statuses and annotations; a route edit is a
// minimal diff; deleting a route removes its resources and releases its finalizer.
import test from "ava";
import { startControlPlane } from "@gatehouse/test-harness";
import { startFakeLattice, ZERO_DELAYS, type FakeLattice } from "@gatehouse/fake-lattice";
import { LATTICE_CONTROLLER, LatticeProvider } from "@gatehouse/provider-aws-vpc-lattice";
import { condition, eventually, Kube, parentCondition, startOperator, type Obj, type RunningOperator } from "./e2e-helpers.js";

const VPC = "vpc-0123456789abcdef0";

interface Env { cp: Awaited<ReturnType<typeof startControlPlane>>; kube: Kube; run: RunningOperator; lattice: FakeLattice; provider: LatticeProvider }
const env = {} as Env;

test.before(async () => {
  env.cp = await startControlPlane();
  env.kube = new Kube(env.cp);
  env.lattice = await startFakeLattice({ host: `127.0.${60 + (process.pid % 40)}.1`, delays: ZERO_DELAYS });
  env.provider = new LatticeProvider({
    endpoint: env.lattice.endpoint, region: env.lattice.region, credentials: { accessKeyId: "fake", secretAccessKey: "fake" },
    clusterName: "e2e", vpcIdentifier: VPC, retry: { attempts: 5, baseMs: 10 }, pollMs: 10, driftCheckMs: 0,
  });
  env.run = await startOperator(env.cp, { controllerNames: [LATTICE_CONTROLLER] }, { providers: [env.provider] });
});

test.after.always(async () => {
  await env.run?.stop();
  env.kube?.close();
  await env.cp?.stop();
  await env.lattice?.close();
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
endpoints: [{ addresses: ["${ip}"], conditions: { ready: true } }]
ports: [{ name: http, port: 8080, protocol: TCP }]
`;

const route = (name: string, host: string, svc: string, path = "/") => `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name} }
spec:
  parentRefs: [{ name: gw }]
  hostnames: ["${host}"]
  rules:
  - matches: [{ path: { type: PathPrefix, value: "${path}" } }]
    backendRefs: [{ name: ${svc}, port: 80 }]
`;

const annotations = (o: Obj | undefined): Record<string, string> => (o?.metadata["annotations"] ?? {}) as Record<string, string>;
const hasFinalizer = (o: Obj) => Array.isArray(o.metadata["finalizers"]) && (o.metadata["finalizers"] as string[]).includes("gatehouse.dev/cleanup");

test("Gateway + 2 routes → Lattice resources, statuses and annotations; an edit is a minimal diff; a deleted route's resources go", async (t) => {
  const ns = await env.cp.newNamespace("lattice");
  await env.kube.apply(`
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: lattice-${ns} }
spec: { controllerName: ${LATTICE_CONTROLLER} }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw }
spec:
  gatewayClassName: lattice-${ns}
  listeners: [{ name: http, port: 80, protocol: HTTP }]
` + "---" + backend("web", "10.1.0.1") + "---" + backend("api", "10.1.0.2")
    + "---" + route("web", "web.example.com", "web") + "---" + route("api", "api.example.com", "api"), ns);

  const gw = await env.kube.waitFor("Gateway", ns, "gw", (o) => condition(o, "Programmed")?.status === "True" && (o.status?.addresses?.length ?? 0) === 2, "Gateway Programmed with 2 addresses");
  t.regex(condition(gw, "Programmed")!.message, /VPC Lattice service network gw-lattice.* \(arn:aws:vpc-lattice:/);
  t.true((gw.status.addresses as { type: string; value: string }[]).every((a) => a.type === "Hostname" && a.value.endsWith(".on.aws")));
  for (const r of ["web", "api"]) {
    const o = await env.kube.waitFor("HTTPRoute", ns, r, (x) => annotations(x)[`gatehouse.dev/lattice-dns-${ns}.gw`] !== undefined && hasFinalizer(x), `${r}: DNS annotation and finalizer`);
    t.like(parentCondition(o, LATTICE_CONTROLLER, "Accepted"), { status: "True" });
    t.regex(annotations(o)[`gatehouse.dev/lattice-dns-${ns}.gw`]!, /^.*\.vpc-lattice-svcs\..*\.on\.aws$/);
    t.truthy(annotations(o)[`gatehouse.dev/lattice-${ns}.gw`]);
  }
  await env.kube.waitFor("Gateway", ns, "gw", (o) => annotations(o)["gatehouse.dev/lattice"] !== undefined && hasFinalizer(o), "Gateway annotation and finalizer");
  t.like(env.lattice.state.counts(), { serviceNetwork: 1, vpcAssociation: 1, service: 2, serviceAssociation: 2, listener: 2, rule: 2, targetGroup: 2, targets: 2 });

  // Edit one route's path: only that route's rules change.
  await env.run.op.reconciler.idle();
  env.lattice.calls.clear();
  await env.kube.update("HTTPRoute", ns, "api", (o) => { o.spec.rules[0].matches[0].path = { type: "Exact", value: "/v2" }; });
  await eventually(() => env.lattice.state.snapshot().rules.some((r) => JSON.stringify(r["match"]).includes('"exact":"/v2"')), "rule updated");
  await env.run.op.reconciler.idle();
  const mutating = env.lattice.calls.counters({ mutating: true });
  t.deepEqual(mutating, { UpdateRule: 1 }, JSON.stringify(mutating));

  // Delete a route: its service, association, listener, rule and target group go; the finalizer is released.
  await env.kube.delete("HTTPRoute", ns, "api");
  await eventually(async () => (await env.kube.get("HTTPRoute", ns, "api")) === undefined, "route gone once finalized");
  t.like(env.lattice.state.counts(), { serviceNetwork: 1, service: 1, serviceAssociation: 1, listener: 1, rule: 1, targetGroup: 1 });
  t.false(env.lattice.state.resources().some((r) => r.tags["gatehouse.dev/owner"] === `httproute/${ns}/api`));

  // Delete the Gateway and the other route: nothing of ours is left.
  await env.kube.delete("HTTPRoute", ns, "web");
  await env.kube.delete("Gateway", ns, "gw");
  await eventually(async () => (await env.kube.get("Gateway", ns, "gw")) === undefined, "Gateway gone once finalized");
  await eventually(() => env.lattice.state.isEmpty({ key: "gatehouse.dev/cluster" }), "no Lattice resource left");
});
