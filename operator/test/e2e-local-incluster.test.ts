// The operator with the local proxy in in-cluster mode (--local-addresses incluster) on a real
// API server with the LocalProxyConfig CRD: each Gateway gets a Service (listener ports →
// the internal ports the proxy binds, owner reference, type from the class's
// LocalProxyConfig, LoadBalancer by default) and status.addresses from it; the Service goes
// when the Gateway's listeners do; GatewayClass parametersRef resolution. The operator's
// namespace is gatehouse-system with operator pods (Pod objects whose status the test sets:
// no kubelet): a Gateway anywhere else gets a selector-less Service whose EndpointSlice lists
// those pods and follows them; a Gateway in gatehouse-system a Service with the pod selector.
import test from "ava";
import { startControlPlane } from "@gatehouse/test-harness";
import { SERVICE_LABEL, SLICE_MANAGED_BY_LABEL } from "../src/kube/gateway-services/index.js";
import { CORE_RESOURCES, resourcePath } from "../src/kube/client.js";
import {
  Kube, condition, controllerFor, eventually, ownInternalPorts, startOperator, type Obj, type OperatorSuite,
} from "./e2e-helpers.js";
import { installGatehouseCRDs } from "./local-crd.js";
import { createPod, deletePod, endpointsOf, slicesOf } from "./operator-pods.js";

const CONTROLLER = controllerFor("local-incluster");
const INTERNAL = ownInternalPorts(10000);
const OPERATOR_NS = "gatehouse-system";
const POD_LABELS = { "app.kubernetes.io/name": "gatehouse" };

const env = {} as OperatorSuite;
test.before(async () => {
  env.cp = await startControlPlane();
  env.kube = new Kube(env.cp);
  await installGatehouseCRDs(env.kube.client);
  for (const name of [OPERATOR_NS, "apps"]) await env.kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
  await createPod(env.kube.client, OPERATOR_NS, "gatehouse-0", POD_LABELS, { ip: "10.244.0.5", ready: true });
  env.run = await startOperator(env.cp, {
    controllerNames: [CONTROLLER], localAddresses: "incluster", internalPorts: INTERNAL,
    proxyPodSelector: POD_LABELS, proxyPodNamespace: OPERATOR_NS,
  });
});
test.after.always(async () => {
  await env.run?.stop();
  env.kube?.close();
  await env.cp?.stop();
});

function classYaml(name: string, params?: { name: string; namespace?: string }): string {
  const ref = params
    ? `\n  parametersRef: { group: gatehouse.dev, kind: LocalProxyConfig, name: ${params.name}${params.namespace ? `, namespace: ${params.namespace}` : ""} }`
    : "";
  return `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: ${name} }
spec:
  controllerName: ${CONTROLLER}${ref}
`;
}

function gatewayYaml(name: string, className: string, listeners = "[{ name: http, port: 80, protocol: HTTP }, { name: dns, port: 53, protocol: UDP }]"): string {
  return `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: ${name} }
spec:
  gatewayClassName: ${className}
  infrastructure: { labels: { team: edge }, annotations: { example.com/owner: web } }
  listeners: ${listeners}
`;
}

const programmed = (o: Obj) => condition(o, "Programmed");
const addresses = (o: Obj | undefined) => (o?.status?.addresses ?? []) as { type: string; value: string }[];

test("default class: a LoadBalancer Service per Gateway; the Gateway waits for its address, then shows it", async (t) => {
  const ns = await env.cp.newNamespace("incluster-lb");
  await env.kube.apply(classYaml(`lb-${ns}`), ns);
  const gw = (await env.kube.apply(gatewayYaml("web", `lb-${ns}`), ns))[0]!;

  const waiting = await env.kube.waitFor("Gateway", ns, "web", (o) => programmed(o)?.reason === "AddressNotAssigned", "Programmed=False AddressNotAssigned");
  t.is(programmed(waiting)?.status, "False");
  t.regex(programmed(waiting)!.message, /waiting for a load balancer address/);

  const svc = (await env.kube.get("Service", ns, "gatehouse-web"))!;
  t.is(svc.spec.type, "LoadBalancer");
  t.is(svc.spec.selector, undefined, "not the operator's namespace: no selector, an EndpointSlice of ours");
  t.deepEqual(await endpointsOf(env.kube.client, ns, "gatehouse-web"), [["10.244.0.5", true, true, false, `${OPERATOR_NS}/gatehouse-0`]]);
  const ports = svc.spec.ports.map((p: any) => ({ port: p.port, protocol: p.protocol, targetPort: p.targetPort }));
  t.deepEqual(ports.map((p: any) => [p.port, p.protocol]), [[53, "UDP"], [80, "TCP"]]);
  for (const p of ports) t.true(p.targetPort >= INTERNAL.from && p.targetPort <= INTERNAL.to, `targetPort ${p.targetPort} in --internal-ports`);
  t.like(svc.metadata["labels"], { team: "edge", [SERVICE_LABEL]: "true" });
  t.like(svc.metadata["annotations"], { "example.com/owner": "web" });
  t.deepEqual(svc.metadata["ownerReferences"], [{ apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", name: "web", uid: gw.metadata["uid"], controller: true }]);

  // A load balancer controller reports an address: the Service's status change alone wakes
  // the reconcile that puts it on the Gateway.
  await env.kube.update("Service", ns, "gatehouse-web", (o) => { o.status = { loadBalancer: { ingress: [{ ip: "203.0.113.10" }] } }; }, "status");
  const ready = await env.kube.waitFor("Gateway", ns, "web", (o) => programmed(o)?.status === "True", "Programmed=True");
  t.deepEqual(addresses(ready), [{ type: "IPAddress", value: "203.0.113.10" }]);
});

test("LocalProxyConfig service.type ClusterIP: accepted class, a ClusterIP Service, status.addresses from its cluster IP", async (t) => {
  const ns = await env.cp.newNamespace("incluster-cip");
  await env.kube.apply(`
apiVersion: gatehouse.dev/v1alpha1
kind: LocalProxyConfig
metadata: { name: proxy }
spec:
  service: { type: ClusterIP, labels: { tier: gateway } }
  timeouts: { idle: 30s }
`, ns);
  await env.kube.apply(classYaml(`cip-${ns}`, { name: "proxy", namespace: ns }), ns);
  await env.kube.apply(gatewayYaml("web", `cip-${ns}`), ns);

  const cls = await env.kube.waitFor("GatewayClass", undefined, `cip-${ns}`, (o) => condition(o, "Accepted")?.status === "True", "class Accepted");
  t.is(condition(cls, "Accepted")?.reason, "Accepted");
  const gw = await env.kube.waitFor("Gateway", ns, "web", (o) => programmed(o)?.status === "True", "Programmed=True");
  const svc = (await env.kube.get("Service", ns, "gatehouse-web"))!;
  t.is(svc.spec.type, "ClusterIP");
  t.like(svc.metadata["labels"], { tier: "gateway", team: "edge" });
  t.deepEqual(addresses(gw), [{ type: "IPAddress", value: svc.spec.clusterIP }]);
});

test("the Service goes when the Gateway's listeners all go, and when the Gateway does", async (t) => {
  const ns = await env.cp.newNamespace("incluster-gone");
  await env.kube.apply(`
apiVersion: gatehouse.dev/v1alpha1
kind: LocalProxyConfig
metadata: { name: proxy }
spec: { service: { type: ClusterIP } }
`, ns);
  await env.kube.apply(classYaml(`gone-${ns}`, { name: "proxy", namespace: ns }), ns);
  await env.kube.apply(gatewayYaml("a", `gone-${ns}`) + "---\n" + gatewayYaml("b", `gone-${ns}`), ns);
  await eventually(async () => !!(await env.kube.get("Service", ns, "gatehouse-a")) && !!(await env.kube.get("Service", ns, "gatehouse-b")), "both Services");

  // Every listener of a becomes invalid (a protocol nobody serves): nothing to expose.
  await env.kube.update("Gateway", ns, "a", (o) => { o.spec.listeners = [{ name: "x", port: 80, protocol: "example.com/quic" }]; });
  await eventually(async () => !(await env.kube.get("Service", ns, "gatehouse-a")), "Service of a deleted");
  const a = await env.kube.waitFor("Gateway", ns, "a", (o) => condition(o, "Accepted")?.status === "False", "a not accepted");
  t.deepEqual(addresses(a), []);

  await env.kube.delete("Gateway", ns, "b");
  await eventually(async () => !(await env.kube.get("Service", ns, "gatehouse-b")), "Service of b deleted");
  t.pass();
});

test("parametersRef to a missing LocalProxyConfig: InvalidParameters; creating it makes the class Accepted", async (t) => {
  const ns = await env.cp.newNamespace("incluster-params");
  await env.kube.apply(classYaml(`missing-${ns}`, { name: "later", namespace: ns }) + "---\n" + classYaml(`nons-${ns}`, { name: "later" }), ns);
  const missing = await env.kube.waitFor("GatewayClass", undefined, `missing-${ns}`, (o) => condition(o, "Accepted")?.reason === "InvalidParameters", "InvalidParameters");
  t.is(condition(missing, "Accepted")?.status, "False");
  t.is(condition(missing, "Accepted")?.message, `spec.parametersRef: LocalProxyConfig ${ns}/later not found`);
  const nons = await env.kube.waitFor("GatewayClass", undefined, `nons-${ns}`, (o) => condition(o, "Accepted")?.reason === "InvalidParameters", "InvalidParameters");
  t.is(condition(nons, "Accepted")?.message, "spec.parametersRef.namespace: required, LocalProxyConfig is namespaced");

  await env.kube.apply(`
apiVersion: gatehouse.dev/v1alpha1
kind: LocalProxyConfig
metadata: { name: later }
spec: {}
`, ns);
  await env.kube.waitFor("GatewayClass", undefined, `missing-${ns}`, (o) => condition(o, "Accepted")?.status === "True", "Accepted once the LocalProxyConfig exists");
  t.is(condition(await env.kube.get("GatewayClass", undefined, `nons-${ns}`), "Accepted")?.status, "False", "still no namespace");
});

test("a Gateway in apps (operator in gatehouse-system): its Service's EndpointSlice lists the operator pods and follows them; status.addresses is the Service's; deleting the Gateway removes both", async (t) => {
  const ns = "apps";
  await env.kube.apply(`
apiVersion: gatehouse.dev/v1alpha1
kind: LocalProxyConfig
metadata: { name: proxy }
spec: { service: { type: ClusterIP } }
`, ns);
  await env.kube.apply(classYaml("apps-class", { name: "proxy", namespace: ns }), ns);
  await env.kube.apply(gatewayYaml("web", "apps-class"), ns);

  const gw = await env.kube.waitFor("Gateway", ns, "web", (o) => programmed(o)?.status === "True", "Programmed=True");
  const svc = (await env.kube.get("Service", ns, "gatehouse-web"))!;
  t.is(svc.spec.selector, undefined);
  t.deepEqual(addresses(gw), [{ type: "IPAddress", value: svc.spec.clusterIP }], "status.addresses: the Service in the Gateway's namespace");
  const [slice] = await slicesOf(env.kube.client, ns, "gatehouse-web");
  t.deepEqual((slice!["ports"] as any[]).map((p) => [p.name, p.protocol]), svc.spec.ports.map((p: any) => [p.name, p.protocol]), "slice ports named as the Service's");
  t.deepEqual((slice!["ports"] as any[]).map((p) => p.port), svc.spec.ports.map((p: any) => p.targetPort), "numbered as its target ports");
  const eps = () => endpointsOf(env.kube.client, ns, "gatehouse-web");
  t.deepEqual(await eps(), [["10.244.0.5", true, true, false, `${OPERATOR_NS}/gatehouse-0`]]);

  // A second operator pod appears, then goes.
  await createPod(env.kube.client, OPERATOR_NS, "gatehouse-1", POD_LABELS, { ip: "10.244.1.6", ready: true });
  await eventually(async () => (await eps()).length === 2, "the second pod listed");
  t.deepEqual(await eps(), [["10.244.0.5", true, true, false, `${OPERATOR_NS}/gatehouse-0`], ["10.244.1.6", true, true, false, `${OPERATOR_NS}/gatehouse-1`]]);
  await deletePod(env.kube.client, OPERATOR_NS, "gatehouse-1", true);
  await eventually(async () => (await eps()).length === 1, "the second pod gone");
  t.deepEqual(await eps(), [["10.244.0.5", true, true, false, `${OPERATOR_NS}/gatehouse-0`]]);
  t.is(programmed((await env.kube.get("Gateway", ns, "web"))!)?.status, "True");

  await env.kube.delete("Gateway", ns, "web");
  await eventually(async () => !(await env.kube.get("Service", ns, "gatehouse-web")) && (await slicesOf(env.kube.client, ns, "gatehouse-web")).length === 0, "Service and EndpointSlice deleted");
  t.pass();
});

test("a Gateway in the operator's namespace works as before: a Service selecting the operator pods, no EndpointSlice of ours", async (t) => {
  await env.kube.apply(`
apiVersion: gatehouse.dev/v1alpha1
kind: LocalProxyConfig
metadata: { name: proxy }
spec: { service: { type: ClusterIP } }
`, OPERATOR_NS);
  await env.kube.apply(classYaml("sys-class", { name: "proxy", namespace: OPERATOR_NS }), OPERATOR_NS);
  await env.kube.apply(gatewayYaml("web", "sys-class"), OPERATOR_NS);
  const gw = await env.kube.waitFor("Gateway", OPERATOR_NS, "web", (o) => programmed(o)?.status === "True", "Programmed=True");
  const svc = (await env.kube.get("Service", OPERATOR_NS, "gatehouse-web"))!;
  t.deepEqual(svc.spec.selector, POD_LABELS);
  t.deepEqual(addresses(gw), [{ type: "IPAddress", value: svc.spec.clusterIP }]);
  const ours = await env.kube.client.get<{ items: unknown[] }>(resourcePath(CORE_RESOURCES.EndpointSlice, { namespace: OPERATOR_NS }), { query: { labelSelector: `${SLICE_MANAGED_BY_LABEL}=gatehouse.dev` } });
  t.deepEqual(ours.body.items, []);
});
