// Installs gatehouse's own CRDs (charts/gatehouse/crds) into a test control plane and waits
// until the API server serves them.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import type { KubeClient } from "../src/kube/client.js";
import { sleep } from "./e2e-helpers.js";

// Compiled to operator/dist/test/: the repository root is three levels up.
export const CRD_DIR = join(fileURLToPath(new URL("../../../", import.meta.url)), "charts/gatehouse/crds");

interface CRD { metadata: { name: string }; spec: { group: string; names: { plural: string }; versions: { name: string; storage: boolean }[] } }

export async function installGatehouseCRDs(kube: KubeClient, timeoutMs = 60_000): Promise<string[]> {
  const crds = readdirSync(CRD_DIR).filter((f) => f.endsWith(".yaml")).sort()
    .map((f) => parse(readFileSync(join(CRD_DIR, f), "utf8")) as CRD);
  const deadline = Date.now() + timeoutMs;
  for (const crd of crds) {
    const r = await kube.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
    if (r.status !== 201 && r.status !== 409) throw new Error(`installing CRD ${crd.metadata.name}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  // Served once a list answers 200 (Established alone can still answer 404/429 for a moment).
  for (const crd of crds) {
    const version = crd.spec.versions.find((v) => v.storage)?.name ?? crd.spec.versions[0]!.name;
    for (;;) {
      const r = await kube.get(`/apis/${crd.spec.group}/${version}/${crd.spec.names.plural}`, { query: { limit: 1 } });
      if (r.status === 200) break;
      if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata.name} not served after ${timeoutMs} ms: ${r.status}`);
      await sleep(100);
    }
  }
  return crds.map((c) => c.metadata.name);
}
