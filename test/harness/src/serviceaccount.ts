// A kubeconfig that authenticates as a ServiceAccount: a bound token minted with the
// TokenRequest API (the API server's --service-account-* flags sign it), against the same
// server and CA as the admin's. The harness's API server runs with RBAC authorization, so a
// client with this kubeconfig can do exactly what the account's Roles grant.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import type { ControlPlane } from "./controlplane.js";

export interface ServiceAccountKubeconfig {
  /** Written into the control plane's directory (removed with it). */
  path: string;
  token: string;
  kubeConfig: KubeConfig;
}

export async function serviceAccountKubeconfig(cp: ControlPlane, namespace: string, name: string,
  opts: { expirationSeconds?: number } = {}): Promise<ServiceAccountKubeconfig> {
  const core = cp.kubeConfig.makeApiClient(CoreV1Api);
  const tr = await core.createNamespacedServiceAccountToken({
    namespace, name,
    body: { spec: { audiences: [], expirationSeconds: opts.expirationSeconds ?? 3600 } },
  });
  const token = tr.status?.token;
  if (!token) throw new Error(`test harness: TokenRequest for ServiceAccount ${namespace}/${name} returned no token`);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "harness", server: cp.server, caFile: cp.caPath }],
    users: [{ name: `${namespace}-${name}`, token }],
    contexts: [{ name: "sa", cluster: "harness", user: `${namespace}-${name}`, namespace }],
    currentContext: "sa",
  });
  const path = join(cp.dir, `kubeconfig-sa-${namespace}-${name}`);
  writeFileSync(path, kc.exportConfig(), { mode: 0o600 });
  return { path, token, kubeConfig: kc };
}
