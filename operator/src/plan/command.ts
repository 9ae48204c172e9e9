// `gatehouse plan`: what a backend would change for manifest files or for a cluster's
// objects, printed without applying anything. The core computes the desired state as `run`
// does; the provider's plan() reads its world (cloud APIs: GETs only) and diffs.
import { stringify } from "yaml";
import type { Logger } from "pino";
import { compute } from "@gatehouse/core";
import { snapshotFromObjects, type Snapshot } from "@gatehouse/model";
import type { Plan, Provider } from "@gatehouse/provider-api";
import { KubeConfig } from "@kubernetes/client-node";
import { UsageError } from "../errors.js";
import { loadManifests, type ManifestEntry } from "../manifests.js";
import { redact } from "../render.js";
import { KubeSource } from "../kube/source/index.js";
import { providerFor, type ProviderSettings } from "../run/providers.js";

export interface PlanOptions {
  controllerName: string;
  /** Files or directories; empty: read the cluster of `kubeconfig`. */
  manifests: ManifestEntry[];
  kubeconfig: string | undefined;
  settings: ProviderSettings;
  log: Logger;
  output: "yaml" | "json";
}

/** The snapshot: from files, or one full list of the cluster (no watch is kept). */
async function snapshotOf(opts: PlanOptions): Promise<Snapshot> {
  if (opts.manifests.length > 0) {
    const loaded = await loadManifests(opts.manifests);
    const { snapshot, rejected } = snapshotFromObjects(loaded.map((o) => o.object));
    for (const r of rejected) opts.log.warn({ origin: loaded[r.index]?.origin }, `skipped: ${r.reason}`);
    return snapshot;
  }
  const kc = new KubeConfig();
  try {
    if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
    else kc.loadFromDefault();
  } catch (e) {
    throw new UsageError(`--kubeconfig: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!kc.getCurrentCluster()) throw new UsageError("plan: no cluster in the kubeconfig; pass -f <path> or --kubeconfig <path>");
  const source = new KubeSource(kc, { watchNamespaces: [], controllerNames: [opts.controllerName], debounceMs: 0, maxWaitMs: 1, logger: opts.log.child({ component: "source" }) });
  try {
    await source.start();
    return source.snapshot();
  } finally {
    await source.stop();
  }
}

export async function planOnce(opts: PlanOptions): Promise<{ text: string; plan: Plan }> {
  const snapshot = await snapshotOf(opts);
  const provider: Provider = providerFor(opts.controllerName, { ...opts.settings, localAddresses: "loopback" }, opts.log, () => undefined);
  try {
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const out = compute({ snapshot, controllers: [provider.capabilities], now });
    const plan = await provider.plan(out.desired);
    const doc = {
      controllerName: plan.controllerName,
      gateways: out.desired.gateways.filter((g) => g.controllerName === opts.controllerName).map((g) => g.key),
      changes: plan.changes.map((c) => ({ op: c.op, resource: c.resource, id: c.id, summary: c.summary, sources: c.sources })),
    };
    const text = opts.output === "json" ? `${JSON.stringify(redact(doc), null, 2)}\n` : stringify(redact(doc), { lineWidth: 0 });
    return { text, plan };
  } finally {
    await provider.close();
  }
}
