// kube-controller-manager and kube-scheduler against the harness's API server, with a
// hand-made Ready node (no kubelet): the objects the controllers derive, and binding.
import test from "ava";
import { AppsV1Api, CoreV1Api, DiscoveryV1Api, type V1Pod } from "@kubernetes/client-node";
import { startControlPlane, type ControlPlane } from "../src/index.js";

let cp: ControlPlane;

test.before(async (t) => {
  const t0 = Date.now();
  cp = await startControlPlane({ gatewayAPI: false, controllerManager: true, scheduler: true });
  t.log(`control plane with controller-manager and scheduler up in ${Date.now() - t0} ms`);
  // A node that is Ready and schedulable; the API server taints new nodes not-ready, and
  // without a node-lifecycle controller nobody else lifts that taint.
  const core = cp.kubeConfig.makeApiClient(CoreV1Api);
  const capacity = { cpu: "4", memory: "8Gi", pods: "110" };
  await core.createNode({ body: { metadata: { name: "fake-node" }, status: { capacity, allocatable: capacity } } });
  await core.replaceNode({ name: "fake-node", body: { metadata: { name: "fake-node" }, spec: { taints: [] } } });
  await core.replaceNodeStatus({
    name: "fake-node",
    body: {
      metadata: { name: "fake-node" },
      status: { capacity, allocatable: capacity, conditions: [{ type: "Ready", status: "True", reason: "Test", message: "hand-made" }] },
    },
  });
});

test.after.always(async () => {
  await cp?.stop();
});

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("a new namespace has its default ServiceAccount and kube-root-ca.crt", async (t) => {
  const namespace = await cp.newNamespace("sa");
  const core = cp.kubeConfig.makeApiClient(CoreV1Api);
  // newNamespace returns once the ServiceAccount exists.
  const sa = await core.readNamespacedServiceAccount({ namespace, name: "default" });
  t.is(sa.metadata?.name, "default");
  const ca = await eventually("kube-root-ca.crt", async () => (await core.readNamespacedConfigMap({ namespace, name: "kube-root-ca.crt" })).data?.["ca.crt"]);
  t.regex(ca, /BEGIN CERTIFICATE/);
  // A pod can be admitted (ServiceAccount admission finds the account and adds the token volume).
  const pod = await core.createNamespacedPod({ namespace, body: { metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "echo-basic" }] } } });
  t.true((pod.spec?.volumes ?? []).some((v) => v.projected?.sources?.some((s) => s.serviceAccountToken)));
});

test("a Deployment becomes a ReplicaSet and pods bound to the node; its Service gets an EndpointSlice", async (t) => {
  const namespace = await cp.newNamespace("deploy");
  const apps = cp.kubeConfig.makeApiClient(AppsV1Api);
  const core = cp.kubeConfig.makeApiClient(CoreV1Api);
  const labels = { app: "web" };
  await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: "web" },
      spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: "web", image: "echo-basic" }] } } },
    },
  });
  await core.createNamespacedService({ namespace, body: { metadata: { name: "web" }, spec: { selector: labels, ports: [{ port: 80, targetPort: 3000 }] } } });
  const pods = await eventually("2 pods bound", async () => {
    const list = await core.listNamespacedPod({ namespace });
    const bound = list.items.filter((p: V1Pod) => p.spec?.nodeName === "fake-node");
    return bound.length === 2 ? bound : undefined;
  });
  const rs = await apps.listNamespacedReplicaSet({ namespace });
  t.is(rs.items.length, 1);
  for (const p of pods) {
    t.is(p.metadata?.ownerReferences?.[0]?.uid, rs.items[0]?.metadata?.uid);
    t.is(p.status?.conditions?.find((c) => c.type === "PodScheduled")?.status, "True");
  }
  // No kubelet runs them: the slice exists, with no endpoints (pods have no IPs) and so no ports.
  const discovery = cp.kubeConfig.makeApiClient(DiscoveryV1Api);
  const slices = await eventually("EndpointSlice", async () => {
    const l = await discovery.listNamespacedEndpointSlice({ namespace, labelSelector: "kubernetes.io/service-name=web" });
    return l.items.length ? l.items : undefined;
  });
  t.deepEqual(slices[0]?.endpoints ?? [], []);
  t.is(typeof cp.pids().controllerManager, "number");
  t.is(typeof cp.pids().scheduler, "number");
});
