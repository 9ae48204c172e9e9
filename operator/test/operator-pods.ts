// Operator pods on a plain API server (no kubelet): Pod objects whose status (IP, Ready) the
// test sets through the status subresource, and the EndpointSlices of a Service.
import type { KubeClient } from "../src/kube/client.js";
import { CORE_RESOURCES, resourcePath, statusMessage } from "../src/kube/client.js";
import { POD_RESOURCE, SERVICE_NAME_LABEL } from "../src/kube/gateway-services/index.js";
import type { Obj } from "./e2e-helpers.js";

export interface PodState { ip: string; ready: boolean }

/** A pod with `labels`; with `node` it is bound, so a delete leaves it terminating until forced. */
export async function createPod(kube: KubeClient, namespace: string, name: string, labels: Record<string, string>, state: PodState, node?: string): Promise<Obj> {
  // No controller-manager makes the namespace's default ServiceAccount, which admission wants.
  const sa = await kube.post(`/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default" } });
  if (sa.status !== 201 && sa.status !== 409) throw new Error(`create serviceaccount ${namespace}/default: ${statusMessage(sa)}`);
  const r = await kube.post<Obj>(resourcePath(POD_RESOURCE, { namespace }), {
    apiVersion: "v1", kind: "Pod", metadata: { name, namespace, labels },
    spec: { ...(node ? { nodeName: node } : {}), automountServiceAccountToken: false, containers: [{ name: "gatehouse", image: "gatehouse:dev" }] },
  });
  if (r.status !== 201) throw new Error(`create pod ${namespace}/${name}: ${statusMessage(r)}`);
  return setPodState(kube, namespace, name, state);
}

export async function setPodState(kube: KubeClient, namespace: string, name: string, state: PodState): Promise<Obj> {
  const path = resourcePath(POD_RESOURCE, { namespace, name });
  for (;;) {
    const pod = (await kube.get<Obj>(path)).body;
    pod.status = {
      phase: "Running", podIP: state.ip, podIPs: [{ ip: state.ip }],
      conditions: [{ type: "Ready", status: state.ready ? "True" : "False", lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, "Z") }],
    };
    const r = await kube.put<Obj>(`${path}/status`, pod);
    if (r.status === 200) return r.body;
    if (r.status !== 409) throw new Error(`pod status ${namespace}/${name}: ${statusMessage(r)}`);
  }
}

/** Deletes a pod; `force`: at once (grace period 0), else a bound pod stays terminating. */
export async function deletePod(kube: KubeClient, namespace: string, name: string, force = false): Promise<void> {
  const r = await kube.delete(resourcePath(POD_RESOURCE, { namespace, name }), force ? { query: { gracePeriodSeconds: 0 } } : {});
  if (r.status !== 200 && r.status !== 202 && r.status !== 404) throw new Error(`delete pod ${namespace}/${name}: ${statusMessage(r)}`);
}

export async function slicesOf(kube: KubeClient, namespace: string, service: string): Promise<Obj[]> {
  const r = await kube.get<{ items: Obj[] }>(resourcePath(CORE_RESOURCES.EndpointSlice, { namespace }), { query: { labelSelector: `${SERVICE_NAME_LABEL}=${service}` } });
  if (r.status !== 200) throw new Error(`list endpointslices ${namespace}: ${statusMessage(r)}`);
  return r.body.items;
}

/** [address, ready, serving, terminating, pod] of every endpoint of a Service's slices, sorted. */
export async function endpointsOf(kube: KubeClient, namespace: string, service: string): Promise<[string, boolean, boolean, boolean, string][]> {
  return (await slicesOf(kube, namespace, service)).flatMap((s) => ((s["endpoints"] ?? []) as any[]).map((e) =>
    [e.addresses[0], e.conditions?.ready, e.conditions?.serving, e.conditions?.terminating, `${e.targetRef?.namespace}/${e.targetRef?.name}`] as [string, boolean, boolean, boolean, string]))
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
}
