import { compute, type ComputeOutput } from "@gatehouse/core";
import { snapshotFromObjects } from "@gatehouse/model";
import type { Logger } from "pino";
import { capabilitiesOf } from "./run/providers.js";
import { loadManifests, type ManifestEntry } from "./manifests.js";
import { renderOutput } from "./render.js";

export interface RunOptions {
  controllerName: string;
  manifests: ManifestEntry[];
  log: Logger;
}

/** Loads the manifests, runs the core once and returns the YAML to print. */
export async function computeOnce(opts: RunOptions): Promise<{ yaml: string; output: ComputeOutput }> {
  const loaded = await loadManifests(opts.manifests);
  const { snapshot, rejected } = snapshotFromObjects(loaded.map((o) => o.object));
  for (const r of rejected) opts.log.warn({ origin: loaded[r.index]?.origin }, `skipped: ${r.reason}`);
  // Kubernetes timestamps (metav1.Time) have second precision.
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const output = compute({ snapshot, controllers: [capabilitiesOf(opts.controllerName)], now });
  opts.log.info(
    { objects: loaded.length - rejected.length, gateways: output.desired.gateways.length, statuses: output.statuses.length },
    "computed",
  );
  const header = `gatehouse: ${opts.controllerName}, ${loaded.length - rejected.length} objects, computed at ${now}`;
  return { yaml: renderOutput(output, header), output };
}
