// --kubeconfig, else the in-cluster service account, else $KUBECONFIG (or ~/.kube/config).
import { existsSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";
import { UsageError, fsProblem } from "../errors.js";
import type { Settings } from "./settings.js";

const SA_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

export function loadKubeConfig(settings: Pick<Settings, "kubeconfig">, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  const file = settings.kubeconfig;
  if (file !== undefined) {
    if (!existsSync(file)) throw new UsageError(`--kubeconfig: ${file}: no such file`);
    try {
      kc.loadFromFile(file);
    } catch (e) {
      throw new UsageError(`--kubeconfig: ${file}: ${fsProblem(e)}`);
    }
  } else if (env["KUBERNETES_SERVICE_HOST"] && existsSync(SA_TOKEN)) {
    kc.loadFromCluster();
  } else {
    try {
      kc.loadFromDefault();
    } catch (e) {
      throw new UsageError(`--kubeconfig: not in a cluster and $KUBECONFIG could not be loaded: ${fsProblem(e)}`);
    }
  }
  if (!kc.getCurrentCluster()) {
    throw new UsageError("--kubeconfig: no cluster configured (not in a cluster, no $KUBECONFIG or ~/.kube/config, or no current-context)");
  }
  return kc;
}
