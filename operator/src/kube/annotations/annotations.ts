// Provider memory on Gateways and routes: `gatehouse.dev/` annotations a cloud provider
// reports (resource ids, ARNs, DNS names) are written with a JSON merge patch of
// metadata.annotations. A merge patch touches only the keys it names (null deletes one), so
// users' annotations and a concurrent writer's keys are never overwritten: no version check.
import { GATEWAY_RESOURCES, resourcePath, statusMessage, type KubeClient, type ResourceType } from "../client.js";

export interface AnnotatedRef { kind: string; namespace: string; name: string }

export type AnnotateResult = "patched" | "gone";

export class Annotations {
  constructor(private readonly kube: KubeClient) {}

  async set(ref: AnnotatedRef, annotations: Record<string, string | null>): Promise<AnnotateResult> {
    const type = (GATEWAY_RESOURCES as Record<string, ResourceType>)[ref.kind];
    if (!type) throw new Error(`annotations: no API resource known for kind ${ref.kind}`);
    const r = await this.kube.patch(resourcePath(type, { namespace: ref.namespace, name: ref.name }), { metadata: { annotations } });
    if (r.status === 404) return "gone";
    if (r.status !== 200) throw new Error(`annotations: PATCH ${ref.kind} ${ref.namespace}/${ref.name}: ${statusMessage(r)}`);
    return "patched";
  }
}
