// Creates the objects of YAML files (or directories of them) in order, as `kubectl
// create` would, replacing ones that exist; a CustomResourceDefinition is waited for
// until served, so later documents may be of its kind.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ApiException, ApiextensionsV1Api, KubernetesObjectApi, loadAllYaml, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";

export async function applyManifests(kc: KubeConfig, paths: string[], timeoutMs = 60_000): Promise<string[]> {
  const objects = kc.makeApiClient(KubernetesObjectApi);
  const crds = kc.makeApiClient(ApiextensionsV1Api);
  const applied: string[] = [];
  for (const file of paths.flatMap(expand)) {
    for (const doc of loadAllYaml(readFileSync(file, "utf8")) as KubernetesObject[]) {
      if (!doc?.kind) continue;
      const ns = doc.metadata?.namespace;
      const id = `${doc.kind}/${ns ? `${ns}/` : ""}${doc.metadata?.name ?? ""}`;
      try {
        await objects.create(doc);
      } catch (e) {
        if (!(e instanceof ApiException && e.code === 409)) throw new Error(`${file}: creating ${id}: ${String((e as Error).message ?? e)}`);
        const cur = await objects.read({ apiVersion: doc.apiVersion, kind: doc.kind, metadata: { name: doc.metadata!.name!, ...(ns ? { namespace: ns } : {}) } });
        await objects.replace({ ...doc, metadata: { ...doc.metadata, resourceVersion: cur.metadata?.resourceVersion } });
      }
      if (doc.kind === "CustomResourceDefinition") await established(crds, doc.metadata!.name!, timeoutMs);
      applied.push(id);
    }
  }
  return applied;
}

function expand(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(path, f));
}

async function established(api: ApiextensionsV1Api, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const crd = await api.readCustomResourceDefinition({ name });
    if (crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) return;
    if (Date.now() > deadline) throw new Error(`CRD ${name} not Established after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
