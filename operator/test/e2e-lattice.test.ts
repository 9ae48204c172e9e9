// End to end with the VPC Lattice backend: a real kube-apiserver + etcd, the operator as
// `gatehouse run` assembles it, and the fake Lattice API on loopback behind the real SDK
// client. Gateway + 2 routes → Lattice resources; statuses and annotations; a route edit is a
// minimal diff; deleting a route removes its resources and releases its finalizer. A TLSRoute
// on a Passthrough listener → a TLS_PASSTHROUGH listener. And the operator built the product
// way (providers from --lattice-endpoint/--aws-region and the SDK's default credentials).
import test from "ava";
import { startControlPlane } from "@gatehouse/test-harness";
import { startFakeLattice, ZERO_DELAYS, type FakeLattice } from "@gatehouse/fake-lattice";
import { LATTICE_CONTROLLER, LatticeProvider } from "@gatehouse/provider-aws-vpc-lattice";
import { annotationsOf, condition, eventually, Kube, parentCondition, type RunningOperator, startOperator } from "./e2e-helpers.js";
import { hasFinalizer } from "../src/kube/finalizers/index.js";
import { installGatehouseCRDs } from "./local-crd.js";

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

/** The file's GatewayClass (optionally with a LatticeConfig parametersRef) and Gateway `gw` with these listeners. */
const classAndGateway = (ns: string, listeners: string, parametersRef = "") => `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: lattice-${ns} }
spec:
  controllerName: ${LATTICE_CONTROLLER}
${parametersRef ? `  parametersRef: ${parametersRef}\n` : ""}---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw }
spec:
  gatewayClassName: lattice-${ns}
  listeners:
${listeners}
`;

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


// The two tests on env share one fake (exact counts): one after the other.
test.serial("Gateway + 2 routes → Lattice resources, statuses and annotations; an edit is a minimal diff; a deleted route's resources go", async (t) => {
  const ns = await env.cp.newNamespace("lattice");
  await env.kube.apply(classAndGateway(ns, "  - { name: http, port: 80, protocol: HTTP }") + "---" + backend("web", "10.1.0.1") + "---" + backend("api", "10.1.0.2")
    + "---" + route("web", "web.example.com", "web") + "---" + route("api", "api.example.com", "api"), ns);

  const gw = await env.kube.waitFor("Gateway", ns, "gw", (o) => condition(o, "Programmed")?.status === "True" && (o.status?.addresses?.length ?? 0) === 2, "Gateway Programmed with 2 addresses");
  t.regex(condition(gw, "Programmed")!.message, /VPC Lattice service network gw-lattice.* \(arn:aws:vpc-lattice:/);
  t.true((gw.status.addresses as { type: string; value: string }[]).every((a) => a.type === "Hostname" && a.value.endsWith(".on.aws")));
  for (const r of ["web", "api"]) {
    const o = await env.kube.waitFor("HTTPRoute", ns, r, (x) => annotationsOf(x)[`gatehouse.dev/lattice-dns-${ns}.gw`] !== undefined && hasFinalizer(x)
      && parentCondition(x, LATTICE_CONTROLLER, "Accepted")?.status === "True", `${r}: DNS annotation, finalizer and Accepted`);
    t.regex(annotationsOf(o)[`gatehouse.dev/lattice-dns-${ns}.gw`]!, /^.*\.vpc-lattice-svcs\..*\.on\.aws$/);
    t.truthy(annotationsOf(o)[`gatehouse.dev/lattice-${ns}.gw`]);
  }
  await env.kube.waitFor("Gateway", ns, "gw", (o) => annotationsOf(o)["gatehouse.dev/lattice"] !== undefined && hasFinalizer(o), "Gateway annotation and finalizer");
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

const tlsRoute = (name: string, host: string, backends: [string, number][]) => `
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: { name: ${name} }
spec:
  parentRefs: [{ name: gw, sectionName: tls }]
  hostnames: ["${host}"]
  rules:
  - backendRefs: [${backends.map(([b, w]) => `{ name: ${b}, port: 80, weight: ${w} }`).join(", ")}]
`;

type Snap = ReturnType<FakeLattice["state"]["snapshot"]>;
const passthrough = (snap: Snap) => snap.listeners.filter((l) => l["protocol"] === "TLS_PASSTHROUGH");
const tcpGroups = (snap: Snap) => snap.targetGroups.filter((g) => (g["config"] as { protocol?: string }).protocol === "TCP");

test.serial("TLSRoute on a Passthrough listener → a service with its custom domain, a TLS_PASSTHROUGH listener, TCP target groups", async (t) => {
  const ns = await env.cp.newNamespace("lattice-tls");
  await env.kube.apply(classAndGateway(ns, "  - { name: http, port: 80, protocol: HTTP }\n  - { name: tls, port: 443, protocol: TLS, tls: { mode: Passthrough } }")
    + "---" + backend("db", "10.2.0.1") + "---" + backend("db2", "10.2.0.2") + "---" + tlsRoute("db", "db.example.com", [["db", 1]]), ns);

  // Annotations, finalizer and status are separate writes: wait for all three.
  const o = await env.kube.waitFor("TLSRoute", ns, "db", (x) => annotationsOf(x)[`gatehouse.dev/lattice-dns-${ns}.gw`] !== undefined && hasFinalizer(x)
    && parentCondition(x, LATTICE_CONTROLLER, "Accepted")?.status === "True", "TLSRoute: DNS annotation, finalizer and Accepted");
  t.regex(annotationsOf(o)[`gatehouse.dev/lattice-dns-${ns}.gw`]!, /\.vpc-lattice-svcs\..*\.on\.aws$/);
  const gw = await env.kube.waitFor("Gateway", ns, "gw", (x) => condition(x, "Programmed")?.status === "True" && (x.status?.addresses?.length ?? 0) === 1, "Gateway Programmed");
  const tlsListener = (gw.status.listeners as { name: string; attachedRoutes: number }[]).find((l) => l.name === "tls");
  t.is(tlsListener?.attachedRoutes, 1);
  let snap = env.lattice.state.snapshot();
  t.is(snap.services.length, 1);
  t.is(snap.services[0]!["customDomainName"], "db.example.com");
  t.like(passthrough(snap), [{ port: 443, name: "tls-443" }]);
  t.is(tcpGroups(snap).length, 1);
  t.deepEqual(snap.rules, [], "a TLS_PASSTHROUGH listener has only its default rule");

  // A second backend: one TCP group, its target, and the listener's default action; nothing else.
  await env.run.op.reconciler.idle();
  env.lattice.calls.clear();
  await env.kube.update("TLSRoute", ns, "db", (x) => { x.spec.rules[0].backendRefs.push({ name: "db2", port: 80, weight: 1 }); });
  await eventually(() => tcpGroups(env.lattice.state.snapshot()).length === 2 && env.lattice.calls.count({ operation: "UpdateListener" }) === 1, "listener forwards to two groups");
  await env.run.op.reconciler.idle();
  t.deepEqual(env.lattice.calls.counters({ mutating: true }), { CreateTargetGroup: 1, RegisterTargets: 1, UpdateListener: 1 });
  snap = env.lattice.state.snapshot();
  const fwd = passthrough(snap)[0]!["defaultAction"] as { forward: { targetGroups: { weight: number }[] } };
  t.deepEqual(fwd.forward.targetGroups.map((g) => g.weight), [1, 1]);

  await env.kube.delete("TLSRoute", ns, "db");
  await eventually(async () => (await env.kube.get("TLSRoute", ns, "db")) === undefined, "TLSRoute gone once finalized");
  t.like(env.lattice.state.counts(), { service: 0, listener: 0, targetGroup: 0 });
  await env.kube.delete("Gateway", ns, "gw");
  await eventually(async () => (await env.kube.get("Gateway", ns, "gw")) === undefined, "Gateway gone once finalized");
  await eventually(() => env.lattice.state.isEmpty({ key: "gatehouse.dev/cluster" }), "no Lattice resource left");
});

test("built the product way (controllerNames, latticeEndpoint, awsRegion; credentials from the environment; no providers override): a Gateway + HTTPRoute are programmed", async (t) => {
  // Its own control plane and fake: this operator serves the same controllerName as env's.
  const cp = await startControlPlane();
  t.teardown(() => cp.stop());
  const kube = new Kube(cp);
  t.teardown(() => kube.close());
  await installGatehouseCRDs(kube.client);
  const lattice = await startFakeLattice({ host: `127.0.${60 + (process.pid % 40)}.2`, delays: ZERO_DELAYS, region: "eu-west-1" });
  t.teardown(() => lattice.close());
  // The SDK's default credential chain reads these (a pod would have IRSA / pod identity).
  const saved = { id: process.env["AWS_ACCESS_KEY_ID"], secret: process.env["AWS_SECRET_ACCESS_KEY"] };
  process.env["AWS_ACCESS_KEY_ID"] = "AKIDFAKEFAKEFAKE";
  process.env["AWS_SECRET_ACCESS_KEY"] = "fake-secret";
  t.teardown(() => {
    for (const [k, v] of [["AWS_ACCESS_KEY_ID", saved.id], ["AWS_SECRET_ACCESS_KEY", saved.secret]] as const) {
      if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
  });
  const run = await startOperator(cp, {
    controllerNames: [LATTICE_CONTROLLER], latticeEndpoint: lattice.endpoint, awsRegion: "eu-west-1", clusterName: "product",
  });
  t.teardown(() => run.stop());

  const ns = await cp.newNamespace("lattice-product");
  await kube.apply(`
apiVersion: gatehouse.dev/v1alpha1
kind: LatticeConfig
metadata: { name: lattice, namespace: ${ns} }
spec: { vpcIdentifier: ${VPC}, serviceNetwork: { create: true } }
---
` + classAndGateway(ns, "  - { name: http, port: 80, protocol: HTTP }", `{ group: gatehouse.dev, kind: LatticeConfig, name: lattice, namespace: ${ns} }`)
    + "---" + backend("web", "10.3.0.1") + "---" + route("web", "web.example.com", "web"), ns);

  const gw = await kube.waitFor("Gateway", ns, "gw", (o) => condition(o, "Programmed")?.status === "True" && (o.status?.addresses?.length ?? 0) === 1, "Gateway Programmed");
  t.regex(condition(gw, "Programmed")!.message, /VPC Lattice service network gw-lattice-product.* \(arn:aws:vpc-lattice:eu-west-1:/);
  await kube.waitFor("HTTPRoute", ns, "web", (x) => annotationsOf(x)[`gatehouse.dev/lattice-dns-${ns}.gw`] !== undefined && hasFinalizer(x)
    && parentCondition(x, LATTICE_CONTROLLER, "Accepted")?.status === "True", "route: DNS annotation, finalizer and Accepted");
  t.like(lattice.state.counts(), { serviceNetwork: 1, vpcAssociation: 1, service: 1, serviceAssociation: 1, listener: 1, rule: 1, targetGroup: 1, targets: 1 });
  // The settings reached the provider: its ownership tag is --cluster-name, and every request was signed.
  t.true(lattice.state.resources().every((x) => x.tags["gatehouse.dev/cluster"] === "product"));
  t.true(lattice.calls.list().length > 0 && lattice.calls.list().every((c) => c.error !== "AccessDeniedException"));

  await kube.delete("HTTPRoute", ns, "web");
  await kube.delete("Gateway", ns, "gw");
  await eventually(async () => (await kube.get("Gateway", ns, "gw")) === undefined, "Gateway gone once finalized");
  await eventually(() => lattice.state.isEmpty({ key: "gatehouse.dev/cluster" }), "no Lattice resource left");
});
