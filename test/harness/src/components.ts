// Flags of kube-controller-manager and kube-scheduler against the harness's API server.
// Both use the admin kubeconfig (system:masters): a test cluster needs no per-controller
// identities. Neither serves HTTPS (--secure-port=0); the harness judges readiness by what
// they do (the `default` ServiceAccount appears; pods get bound).
import { join } from "node:path";

/**
 * What a Deployment + Service needs to become Ready pods with endpoints, and what a
 * namespace needs to accept pods (its ServiceAccount, token, kube-root-ca.crt); plus the
 * collectors that make deletion behave (namespace, garbage collector).
 */
export const DEFAULT_CONTROLLERS = [
  "deployment-controller",
  "replicaset-controller",
  "statefulset-controller",
  "daemonset-controller",
  "job-controller",
  "endpointslice-controller",
  "endpointslice-mirroring-controller",
  "endpoints-controller",
  "namespace-controller",
  "garbage-collector-controller",
  "serviceaccount-controller",
  "serviceaccount-token-controller",
  "root-ca-certificate-publisher-controller",
];

export function controllerManagerArgs(dir: string, controllers = DEFAULT_CONTROLLERS, extra: string[] = []): string[] {
  const file = (f: string) => join(dir, f);
  return [
    `--kubeconfig=${file("kubeconfig")}`,
    `--controllers=${controllers.join(",")}`,
    `--service-account-private-key-file=${file("sa.key")}`,
    `--root-ca-file=${file("ca.crt")}`,
    "--use-service-account-credentials=false",
    "--leader-elect=false",
    "--secure-port=0",
    // Tests create and delete many objects in bursts.
    "--kube-api-qps=200",
    "--kube-api-burst=400",
    "--concurrent-deployment-syncs=10",
    "--concurrent-replicaset-syncs=10",
    "--concurrent-service-endpoint-syncs=10",
    "--concurrent-namespace-syncs=10",
    ...extra,
  ];
}

export function schedulerArgs(dir: string, extra: string[] = []): string[] {
  return [`--kubeconfig=${join(dir, "kubeconfig")}`, "--leader-elect=false", "--secure-port=0", "--kube-api-qps=200", "--kube-api-burst=400", ...extra];
}
