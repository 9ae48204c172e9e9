// The Gateway Services of the local backend in a cluster (kube/gateway-services), on a real
// API server: one Service per Gateway (ports → internal target ports, owner reference, type),
// addresses from it, updates of what we manage only, deletion of ours alone, leader-only writes;
// outside the operator's namespace a selector-less Service whose EndpointSlices list the
// operator pods (Pod objects whose status the test sets: no kubelet) and follow them.
import test from "ava";
import {
  CONTROLLER_ANNOTATION, GATEWAY_ANNOTATION, GatewayServices, MANAGED_KEYS_ANNOTATION, SERVICE_LABEL, SLICE_MANAGED_BY_LABEL, serviceName,
} from "../src/kube/gateway-services/index.js";
import { CORE_RESOURCES, resourcePath } from "../src/kube/client.js";
import type { GatewayExposure } from "@gatehouse/provider-local";
import { Kube, eventually, type Obj } from "./e2e-helpers.js";
import { createPod, deletePod, endpointsOf, setPodState, slicesOf } from "./operator-pods.js";
import { useControlPlane } from "./kube-suite.js";

const env = useControlPlane();
// One controllerName per test: an exposer owns (and deletes) every Service of its controller.
const controllerOf = (ns: string) => `gatehouse.dev/${ns}`;
const SELECTOR = { "app.kubernetes.io/name": "gatehouse" };

const kube = () => new Kube(env.cp);

async function gateway(k: Kube, ns: string, name: string): Promise<Obj> {
  return k.create({
    apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: { name, namespace: ns },
    spec: { gatewayClassName: "any", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
  });
}

function exposure(ns: string, name: string, over: Partial<GatewayExposure> = {}): GatewayExposure {
  return {
    gateway: `${ns}/${name}`, namespace: ns, name,
    ports: [{ port: 443, protocol: "TCP", targetPort: 21443 }, { port: 80, protocol: "TCP", targetPort: 20080 }],
    serviceType: "LoadBalancer", labels: { team: "edge" }, annotations: { "example.com/lb": "internal" },
    ...over,
  };
}

function services(ns: string, opts: { leader?: () => boolean; controller?: string } = {}): GatewayServices {
  return new GatewayServices(env.kube, {
    controllerName: opts.controller ?? controllerOf(ns), selector: SELECTOR, podNamespace: ns, ...(opts.leader ? { isLeader: opts.leader } : {}),
  });
}

test("a Service per Gateway: ports → target ports, selector, labels, owner reference; a LoadBalancer waits for its address", async (t) => {
  const k = kube();
  const ns = await env.cp.newNamespace("svc-create");
  const gw = await gateway(k, ns, "web");
  const s = services(ns);
  const [r] = await s.expose([exposure(ns, "web")]);
  t.deepEqual(r, { gateway: `${ns}/web`, addresses: [], ready: false, message: `waiting for a load balancer address (LoadBalancer Service ${ns}/gatehouse-web)` });

  const svc = (await k.get("Service", ns, "gatehouse-web"))!;
  t.is(svc.spec.type, "LoadBalancer");
  t.deepEqual(svc.spec.selector, SELECTOR);
  t.deepEqual(svc.spec.ports.map((p: any) => [p.name, p.port, p.targetPort, p.protocol]), [["tcp-80", 80, 20080, "TCP"], ["tcp-443", 443, 21443, "TCP"]]);
  t.like(svc.metadata["labels"], { team: "edge", [SERVICE_LABEL]: "true", "app.kubernetes.io/managed-by": "gatehouse", "gatehouse.dev/gateway-name": "web" });
  t.like(svc.metadata["annotations"], { "example.com/lb": "internal", [GATEWAY_ANNOTATION]: `${ns}/web`, [CONTROLLER_ANNOTATION]: controllerOf(ns) });
  t.deepEqual(svc.metadata["ownerReferences"], [{ apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", name: "web", uid: gw.metadata["uid"], controller: true }]);

  // A load balancer controller reports its ingress: the addresses follow.
  await k.update("Service", ns, "gatehouse-web", (o) => { o.status = { loadBalancer: { ingress: [{ ip: "203.0.113.7" }, { hostname: "lb.example.com" }] } }; }, "status");
  const [ready] = await s.expose([exposure(ns, "web")]);
  t.true(ready!.ready);
  t.deepEqual(ready!.addresses, [{ type: "IPAddress", value: "203.0.113.7" }, { type: "Hostname", value: "lb.example.com" }]);

  // Nothing changed: no write (the resourceVersion stays).
  const rv = (await k.get("Service", ns, "gatehouse-web"))!.metadata["resourceVersion"];
  await s.expose([exposure(ns, "web")]);
  t.is((await k.get("Service", ns, "gatehouse-web"))!.metadata["resourceVersion"], rv);
  k.close();
});

test("ClusterIP: the cluster IP; NodePort: the cluster IP and the node ports in the message", async (t) => {
  const k = kube();
  const ns = await env.cp.newNamespace("svc-types");
  await gateway(k, ns, "a");
  await gateway(k, ns, "b");
  const s = services(ns);
  const [a, b] = await s.expose([exposure(ns, "a", { serviceType: "ClusterIP" }), exposure(ns, "b", { serviceType: "NodePort" })]);
  const ipA = (await k.get("Service", ns, "gatehouse-a"))!.spec.clusterIP as string;
  t.regex(ipA, /^10\.0\.0\.\d+$/);
  t.deepEqual(a, { gateway: `${ns}/a`, addresses: [{ type: "IPAddress", value: ipA }], ready: true, message: `exposed by ClusterIP Service ${ns}/gatehouse-a (reachable inside the cluster only)` });
  const svcB = (await k.get("Service", ns, "gatehouse-b"))!;
  t.true(b!.ready);
  t.deepEqual(b!.addresses, [{ type: "IPAddress", value: svcB.spec.clusterIP }]);
  const np = svcB.spec.ports.find((p: any) => p.port === 80).nodePort;
  t.regex(b!.message, new RegExp(`NodePort Service ${ns}/gatehouse-b; .*any node's address on node ports 80→${np}/TCP`));
  k.close();
});

test("updates change only what we manage: type, ports, our labels; others' annotations stay; node ports are kept", async (t) => {
  const k = kube();
  const ns = await env.cp.newNamespace("svc-update");
  await gateway(k, ns, "web");
  const s = services(ns);
  await s.expose([exposure(ns, "web", { serviceType: "NodePort" })]);
  const before = (await k.get("Service", ns, "gatehouse-web"))!;
  const np80 = before.spec.ports.find((p: any) => p.port === 80).nodePort;
  await k.update("Service", ns, "gatehouse-web", (o) => { o.metadata["annotations"] = { ...(o.metadata["annotations"] as object), "cloud.example/neg-status": "{}" }; });

  // 443 goes, 8443/UDP comes, a label goes; still NodePort: 80 keeps its node port.
  await s.expose([exposure(ns, "web", {
    serviceType: "NodePort", labels: {},
    ports: [{ port: 80, protocol: "TCP", targetPort: 20080 }, { port: 8443, protocol: "UDP", targetPort: 28443 }],
  })]);
  const mid = (await k.get("Service", ns, "gatehouse-web"))!;
  t.deepEqual(mid.spec.ports.map((p: any) => [p.name, p.port, p.protocol, p.targetPort]), [["tcp-80", 80, "TCP", 20080], ["udp-8443", 8443, "UDP", 28443]]);
  t.is(mid.spec.ports.find((p: any) => p.port === 80).nodePort, np80, "allocated node port kept");
  t.is((mid.metadata["labels"] as Record<string, string>)["team"], undefined, "a label we set before and no longer want is removed");
  t.is((mid.metadata["annotations"] as Record<string, string>)["cloud.example/neg-status"], "{}", "others' annotations stay");
  t.truthy((mid.metadata["annotations"] as Record<string, string>)[MANAGED_KEYS_ANNOTATION]);

  // To ClusterIP: node ports go (the API server rejects them there).
  const [r] = await s.expose([exposure(ns, "web", { serviceType: "ClusterIP" })]);
  const after = (await k.get("Service", ns, "gatehouse-web"))!;
  t.is(after.spec.type, "ClusterIP");
  t.true(after.spec.ports.every((p: any) => p.nodePort === undefined));
  t.true(r!.ready);
  k.close();
});

test("Services of Gateways no longer listed (or with no port) are deleted; other controllers' and foreign Services stay", async (t) => {
  const k = kube();
  const ns = await env.cp.newNamespace("svc-delete");
  for (const n of ["a", "b", "c", "taken"]) await gateway(k, ns, n);
  const mine = services(ns);
  const theirs = services(ns, { controller: `${controllerOf(ns)}-other` });
  await mine.expose([exposure(ns, "a"), exposure(ns, "b")]);
  await theirs.expose([exposure(ns, "c")]);
  // Someone else's Service holds the name we would derive for Gateway "taken".
  await k.create({ apiVersion: "v1", kind: "Service", metadata: { name: "gatehouse-taken", namespace: ns }, spec: { ports: [{ port: 1 }] } });

  const results = await mine.expose([exposure(ns, "a", { ports: [] }), exposure(ns, "taken")]);
  t.deepEqual(results.map((r) => [r.gateway, r.ready]), [[`${ns}/a`, false], [`${ns}/taken`, false]]);
  t.is(results[0]!.message, "no listener to expose");
  t.regex(results[1]!.message, /exists and is not gatehouse's Service for Gateway .*taken; delete or rename it/);
  t.is(await k.get("Service", ns, "gatehouse-a"), undefined, "no ports: deleted");
  t.is(await k.get("Service", ns, "gatehouse-b"), undefined, "not listed: deleted");
  t.truthy(await k.get("Service", ns, "gatehouse-c"), "another controller's Service stays");
  t.deepEqual((await k.get("Service", ns, "gatehouse-taken"))!.spec.ports.map((p: any) => p.port), [1], "a foreign Service is never changed");
  k.close();
});

test("only the leader writes: a follower reports what exists and creates nothing", async (t) => {
  const k = kube();
  const ns = await env.cp.newNamespace("svc-follower");
  await gateway(k, ns, "web");
  let leader = false;
  const s = services(ns, { leader: () => leader });
  const [r] = await s.expose([exposure(ns, "web", { serviceType: "ClusterIP" })]);
  t.false(r!.ready);
  t.regex(r!.message, /not created yet \(the leader creates it\)/);
  t.is(await k.get("Service", ns, "gatehouse-web"), undefined);
  leader = true;
  await s.expose([exposure(ns, "web", { serviceType: "ClusterIP" })]);
  leader = false;
  const [r2] = await s.expose([]);
  t.is(r2, undefined);
  t.truthy(await k.get("Service", ns, "gatehouse-web"), "a follower deletes nothing either");
  const [r3] = await s.expose([exposure(ns, "web", { serviceType: "ClusterIP" })]);
  t.true(r3!.ready);
  k.close();
});

test("a Gateway that does not exist gets no Service", async (t) => {
  const ns = await env.cp.newNamespace("svc-nogw");
  const [r] = await services(ns).expose([exposure(ns, "ghost")]);
  t.deepEqual(r, { gateway: `${ns}/ghost`, addresses: [], ready: false, message: `Gateway ${ns}/ghost not found` });
});

test("Service names: gatehouse-<gateway> when valid, else shortened with a hash; ≤ 63, DNS-1035, distinct", (t) => {
  t.is(serviceName("web"), "gatehouse-web");
  const names = ["a.b", "a-b", "x".repeat(253), `${"x".repeat(252)}y`, "9lives", "a".repeat(53), "a".repeat(54)];
  const out = names.map(serviceName);
  for (const n of out) {
    t.true(n.length <= 63, n);
    t.regex(n, /^[a-z]([-a-z0-9]*[a-z0-9])?$/);
  }
  t.is(new Set([...out, "gatehouse-a-b"]).size, out.length, "no two Gateways share a name");
  t.is(out[5], `gatehouse-${"a".repeat(53)}`, "exactly 63: kept");
  t.not(out[6], `gatehouse-${"a".repeat(54)}`);
});

test("outside the operator's namespace: no selector, an EndpointSlice of the operator pods that follows them; the Gateway gone, both go", async (t) => {
  const k = kube();
  const op = await env.cp.newNamespace("svc-operator");
  const apps = await env.cp.newNamespace("svc-apps");
  const controllerName = controllerOf(apps);
  await createPod(env.kube, op, "gatehouse-0", SELECTOR, { ip: "10.244.0.10", ready: true }, "node-a");
  // Not ours: other labels in the operator's namespace, our labels in another namespace.
  await createPod(env.kube, op, "other", { app: "other" }, { ip: "10.244.0.99", ready: true });
  await createPod(env.kube, apps, "impostor", SELECTOR, { ip: "10.244.9.9", ready: true });
  await gateway(k, apps, "web");

  // What an earlier version wrote: the Service in the Gateway's namespace with the selector.
  const before = new GatewayServices(env.kube, { controllerName, selector: SELECTOR, podNamespace: apps });
  await before.expose([exposure(apps, "web", { serviceType: "ClusterIP" })]);
  const old = (await k.get("Service", apps, "gatehouse-web"))!;
  t.deepEqual(old.spec.selector, SELECTOR);

  const s = new GatewayServices(env.kube, { controllerName, selector: SELECTOR, podNamespace: op });
  try {
    const [r] = await s.expose([exposure(apps, "web", { serviceType: "ClusterIP" })]);
    const svc = (await k.get("Service", apps, "gatehouse-web"))!;
    t.is(svc.spec.selector, undefined, "no selector: it would match no pod here");
    t.is(svc.spec.clusterIP, old.spec.clusterIP, "same Service, same address");
    t.deepEqual(r, { gateway: `${apps}/web`, addresses: [{ type: "IPAddress", value: svc.spec.clusterIP }], ready: true, message: `exposed by ClusterIP Service ${apps}/gatehouse-web (reachable inside the cluster only)` });

    const [slice, ...more] = await slicesOf(env.kube, apps, "gatehouse-web");
    t.deepEqual(more, []);
    t.is(slice!.metadata.name, "gatehouse-web-ipv4");
    t.like(slice!.metadata["labels"], { "kubernetes.io/service-name": "gatehouse-web", [SLICE_MANAGED_BY_LABEL]: "gatehouse.dev", [SERVICE_LABEL]: "true" });
    t.like(slice!.metadata["annotations"], { [GATEWAY_ANNOTATION]: `${apps}/web`, [CONTROLLER_ANNOTATION]: controllerName });
    t.deepEqual(slice!.metadata["ownerReferences"], [{ apiVersion: "v1", kind: "Service", name: "gatehouse-web", uid: svc.metadata["uid"], controller: true }]);
    t.is(slice!["addressType"], "IPv4");
    t.deepEqual(slice!["ports"], [{ name: "tcp-80", protocol: "TCP", port: 20080 }, { name: "tcp-443", protocol: "TCP", port: 21443 }], "named as the Service's ports, numbered as the internal ports");
    const pod0 = (await env.kube.get<Obj>(resourcePath({ group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true }, { namespace: op, name: "gatehouse-0" }))).body;
    t.deepEqual(slice!["endpoints"], [{
      addresses: ["10.244.0.10"], conditions: { ready: true, serving: true, terminating: false }, nodeName: "node-a",
      targetRef: { kind: "Pod", namespace: op, name: "gatehouse-0", uid: pod0.metadata["uid"] },
    }]);

    // A second replica starts (not ready yet), becomes ready; the first one terminates, then goes.
    await createPod(env.kube, op, "gatehouse-1", SELECTOR, { ip: "10.244.1.11", ready: false }, "node-b");
    const eps = () => endpointsOf(env.kube, apps, "gatehouse-web");
    const is = (want: unknown) => async () => JSON.stringify(await eps()) === JSON.stringify(want);
    await eventually(is([["10.244.0.10", true, true, false, `${op}/gatehouse-0`], ["10.244.1.11", false, false, false, `${op}/gatehouse-1`]]), "the new pod listed, not ready");
    await setPodState(env.kube, op, "gatehouse-1", { ip: "10.244.1.11", ready: true });
    await eventually(is([["10.244.0.10", true, true, false, `${op}/gatehouse-0`], ["10.244.1.11", true, true, false, `${op}/gatehouse-1`]]), "both ready");
    await deletePod(env.kube, op, "gatehouse-0");
    await eventually(is([["10.244.0.10", false, true, true, `${op}/gatehouse-0`], ["10.244.1.11", true, true, false, `${op}/gatehouse-1`]]), "the first terminating");
    await deletePod(env.kube, op, "gatehouse-0", true);
    await eventually(is([["10.244.1.11", true, true, false, `${op}/gatehouse-1`]]), "the first gone");

    // Nothing changed: no write.
    const rv = (await slicesOf(env.kube, apps, "gatehouse-web"))[0]!.metadata["resourceVersion"];
    await s.expose([exposure(apps, "web", { serviceType: "ClusterIP" })]);
    t.is((await slicesOf(env.kube, apps, "gatehouse-web"))[0]!.metadata["resourceVersion"], rv);

    // The Gateway no longer listed: its Service and its slice are deleted.
    await s.expose([]);
    t.is(await k.get("Service", apps, "gatehouse-web"), undefined);
    t.deepEqual(await slicesOf(env.kube, apps, "gatehouse-web"), []);
  } finally {
    s.close();
    before.close();
    k.close();
  }
});

test("in the operator's namespace: the selector, and no EndpointSlice of ours", async (t) => {
  const k = kube();
  const op = await env.cp.newNamespace("svc-samens");
  await gateway(k, op, "web");
  const s = services(op);
  const [r] = await s.expose([exposure(op, "web", { serviceType: "ClusterIP" })]);
  t.true(r!.ready);
  t.deepEqual((await k.get("Service", op, "gatehouse-web"))!.spec.selector, SELECTOR);
  const slices = await env.kube.get<{ items: unknown[] }>(resourcePath(CORE_RESOURCES.EndpointSlice, { namespace: op }), { query: { labelSelector: `${SLICE_MANAGED_BY_LABEL}=gatehouse.dev` } });
  t.deepEqual(slices.body.items, []);
  s.close();
  k.close();
});

test("a follower writes no EndpointSlice; a slice of that name it does not manage is reported, not changed", async (t) => {
  const k = kube();
  const op = await env.cp.newNamespace("svc-fop");
  const apps = await env.cp.newNamespace("svc-fapps");
  await createPod(env.kube, op, "gatehouse-0", SELECTOR, { ip: "10.244.0.20", ready: true });
  await gateway(k, apps, "web");
  let leader = false;
  const s = new GatewayServices(env.kube, { controllerName: controllerOf(apps), selector: SELECTOR, podNamespace: op, isLeader: () => leader });
  try {
    await s.expose([exposure(apps, "web", { serviceType: "ClusterIP" })]);
    t.deepEqual(await slicesOf(env.kube, apps, "gatehouse-web"), []);
    // Someone else's slice holds the name ours would have.
    await k.create({
      apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice",
      metadata: { name: "gatehouse-web-ipv4", namespace: apps, labels: { "kubernetes.io/service-name": "elsewhere" } },
      addressType: "IPv4", endpoints: [{ addresses: ["192.0.2.1"] }], ports: [],
    } as unknown as Obj);
    leader = true;
    const [r] = await s.expose([exposure(apps, "web", { serviceType: "ClusterIP" })]);
    t.false(r!.ready);
    t.regex(r!.message, new RegExp(`EndpointSlice ${apps}/gatehouse-web-ipv4: exists and is not gatehouse's`));
    const foreign = (await env.kube.get<Obj>(resourcePath(CORE_RESOURCES.EndpointSlice, { namespace: apps, name: "gatehouse-web-ipv4" }))).body;
    t.deepEqual((foreign["endpoints"] as any[]).map((e) => e.addresses[0]), ["192.0.2.1"], "not changed");
  } finally {
    s.close();
    k.close();
  }
});
