// Installs the Gateway API CRDs of the experimental channel, as the release's
// kustomization lists them, and waits until the API server serves every one.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ApiException, ApiextensionsV1Api, CustomObjectsApi, KubeConfig, loadAllYaml, loadYaml, type V1CustomResourceDefinition } from "@kubernetes/client-node";

/** The CRDs in `crdDir` in kustomization order (the channel's ValidatingAdmissionPolicy, which only guards CRD upgrades, is left out). */
export async function readGatewayCRDs(crdDir: string): Promise<V1CustomResourceDefinition[]> {
  const kustomization = loadYaml<{ resources?: string[] }>(await readFile(join(crdDir, "kustomization.yaml"), "utf8"));
  const crds: V1CustomResourceDefinition[] = [];
  for (const file of kustomization.resources ?? []) {
    for (const doc of loadAllYaml(await readFile(join(crdDir, file), "utf8"))) {
      if (doc?.kind === "CustomResourceDefinition") crds.push(doc as V1CustomResourceDefinition);
    }
  }
  if (crds.length === 0) throw new Error(`test harness: no CustomResourceDefinition in ${crdDir}`);
  return crds;
}

const cache = new Map<string, Promise<V1CustomResourceDefinition[]>>();

export async function installGatewayCRDs(kc: KubeConfig, crdDir: string, timeoutMs = 60_000): Promise<string[]> {
  let read = cache.get(crdDir);
  if (!read) cache.set(crdDir, (read = readGatewayCRDs(crdDir)));
  const crds = await read;
  const api = kc.makeApiClient(ApiextensionsV1Api);
  await Promise.all(
    crds.map(async (body) => {
      try {
        await api.createCustomResourceDefinition({ body });
      } catch (e) {
        if (!(e instanceof ApiException && e.code === 409)) throw e;
      }
    }),
  );
  const names = crds.map((c) => c.metadata?.name ?? "");
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    for (;;) {
      const crd = await api.readCustomResourceDefinition({ name });
      const conds = crd.status?.conditions ?? [];
      const ok = (type: string) => conds.some((c) => c.type === type && c.status === "True");
      if (ok("Established") && ok("NamesAccepted")) break;
      if (Date.now() > deadline) throw new Error(`test harness: CRD ${name} not Established after ${timeoutMs} ms: ${JSON.stringify(conds)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  // Established is not serving yet: the first requests build the resource's storage and
  // then get 429 "storage is (re)initializing" until its watch cache has synced. Tests
  // start once a list of every resource succeeds.
  const objects = kc.makeApiClient(CustomObjectsApi);
  await Promise.all(
    crds.map(async (crd) => {
      const version = crd.spec.versions.find((v) => v.storage)?.name ?? crd.spec.versions[0]?.name ?? "v1";
      const req = { group: crd.spec.group, version, plural: crd.spec.names.plural, limit: 1 };
      for (;;) {
        try {
          await objects.listClusterCustomObject(req);
          return;
        } catch (e) {
          if (!(e instanceof ApiException && [404, 429, 503].includes(e.code))) throw e;
          if (Date.now() > deadline) throw new Error(`test harness: ${req.plural}.${req.group} not served after ${timeoutMs} ms: ${e.code} ${String(e.body)}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }),
  );
  return names;
}
