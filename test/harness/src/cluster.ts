// A Kubernetes cluster without containers: the control plane (etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler) plus process kubelets that run pods as local
// processes in their own network namespaces on a test-owned bridge. Pods get real IPs
// the host (and every pod) reaches; no kube-proxy, so Service ClusterIPs do not route.
import { join } from "node:path";
import { CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { buildControlPlane, type Manifest } from "./builder.js";
import { DEFAULT_CONTROLLERS } from "./components.js";
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from "./controlplane.js";
import { allocateNetwork, MAX_NODES, type ClusterNetwork } from "./network.js";
import { ManagedProcess } from "./process.js";

/** Images the kubelets can run, each a program built from source. */
export type ImageProgram = "echo-basic" | "coredns";

export interface ClusterOptions extends Omit<ControlPlaneOptions, "controllerManager" | "scheduler"> {
  /** Process kubelets (default 1, at most 15). */
  nodes?: number;
  /** Programs to build and map (default ["echo-basic"]); pods of other images stay waiting (ErrImageNeverPull). */
  images?: ImageProgram[];
  /** kube-controller-manager's controllers (default DEFAULT_CONTROLLERS). */
  controllers?: string[];
  /** First restart delay of a failed container (default 10 s, as the kubelet's). */
  restartBackoffMs?: number;
  /** Extra process-kubelet flags. */
  kubeletArgs?: string[];
}

export interface ClusterNode {
  name: string;
  /** InternalIP, an address of the bridge; the kubelet serves HTTPS there. */
  ip: string;
  podCIDR: string;
  /** Prefix of this node's pod network namespaces (`<prefix>-<pod uid>`) and host veths. */
  namePrefix: string;
  pid: number;
  logPath: string;
}

export interface Cluster extends ControlPlane {
  nodes: ClusterNode[];
  network: Pick<ClusterNetwork, "bridge" | "cidr" | "gateway" | "namePrefix">;
  pids(): ReturnType<ControlPlane["pids"]> & { kubelets: number[] };
  /** The network namespace a pod runs in (/run/netns/<name>), from its node and UID. */
  podNetns(pod: V1Pod): string | undefined;
  /** Stops kubelets (their pods die, namespaces and veths go), the control plane, the bridge. Idempotent. */
  stop(): Promise<void>;
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const nodes = opts.nodes ?? 1;
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_NODES) throw new Error(`test harness: nodes must be 1..${MAX_NODES}`);
  const log =
    opts.log ?? (process.env["GATEHOUSE_HARNESS_VERBOSE"] ? (l: string) => process.stderr.write(`harness: ${l}\n`) : () => {});
  const t0 = Date.now();
  const images = opts.images ?? ["echo-basic"];
  // Built first (a cold build takes minutes): nothing is started or held meanwhile.
  const manifest = await buildControlPlane(["process-kubelet", ...images]);
  log(`process kubelet and ${images.join(", ")} ready in ${Date.now() - t0} ms`);

  const net = await allocateNetwork();
  let cp: ControlPlane | undefined;
  const kubelets: ManagedProcess[] = [];
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      try {
        // SIGTERM: each kubelet kills its pods and removes their namespaces.
        await Promise.all(kubelets.map((k) => k.stop(20_000)));
        await cp?.stop();
      } finally {
        net.release();
      }
    })());

  try {
    log(`network ${net.cidr} on ${net.bridge}`);
    for (let k = 0; k < nodes; k++) await net.addNode(k);
    cp = await startControlPlane({
      ...opts,
      log,
      controllerManager: { controllers: opts.controllers ?? DEFAULT_CONTROLLERS },
      scheduler: true,
    });
    const list: ClusterNode[] = [];
    for (let k = 0; k < nodes; k++) {
      const n = net.node(k);
      const name = `node-${k}`;
      const logPath = join(cp.dir, `kubelet-${name}.log`);
      const p = new ManagedProcess(`process-kubelet ${name}`, manifest.tool, need(manifest, "process-kubelet"),
        kubeletArgs(cp, manifest, images, net, k, name, opts), logPath);
      kubelets.push(p);
      list.push({ name, ip: n.ip, podCIDR: n.podCIDR, namePrefix: n.namePrefix, pid: p.pid, logPath });
    }
    const core = cp.kubeConfig.makeApiClient(CoreV1Api);
    for (const [i, n] of list.entries()) {
      await waitFor(kubelets[i]!, 60_000, async () => {
        const node = await core.readNode({ name: n.name });
        const ready = node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
        return !!ready && !(node.spec?.taints ?? []).some((t) => t.effect === "NoSchedule" || t.effect === "NoExecute");
      });
    }
    log(`cluster up (${nodes} node${nodes > 1 ? "s" : ""}) in ${Date.now() - t0} ms`);
    const byNode = new Map(list.map((n) => [n.name, n]));
    return {
      ...cp,
      nodes: list,
      network: { bridge: net.bridge, cidr: net.cidr, gateway: net.gateway, namePrefix: net.namePrefix },
      podNetns(pod) {
        const n = byNode.get(pod.spec?.nodeName ?? "");
        return n && pod.metadata?.uid ? `${n.namePrefix}-${pod.metadata.uid}` : undefined;
      },
      pids: () => ({ ...cp!.pids(), kubelets: kubelets.map((k) => k.pid) }),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

function kubeletArgs(cp: ControlPlane, m: Manifest, images: ImageProgram[], net: ClusterNetwork, k: number, name: string, opts: ClusterOptions): string[] {
  const n = net.node(k);
  return [
    `--kubeconfig=${cp.kubeconfigPath}`,
    `--node-name=${name}`,
    `--node-ip=${n.ip}`,
    `--pod-cidr=${n.podCIDR}`,
    `--gateway=${net.gateway}`,
    `--prefix-len=${net.prefixLength}`,
    `--bridge=${net.bridge}`,
    `--name-prefix=${n.namePrefix}`,
    `--root-dir=${join(cp.dir, name)}`,
    `--ca-cert=${join(cp.dir, "ca.crt")}`,
    `--ca-key=${join(cp.dir, "ca.key")}`,
    "--port=0",
    `--version=${cp.versions.kubernetes}`,
    `--restart-backoff=${opts.restartBackoffMs ?? 10_000}ms`,
    ...images.map((i) => `--image=${i}=${need(m, i)}`),
    ...(opts.kubeletArgs ?? []),
  ];
}

function need(m: Manifest, c: "process-kubelet" | ImageProgram): string {
  const p = m.bin[c];
  if (!p) throw new Error(`test harness: builder did not report ${c}`);
  return p;
}

async function waitFor(p: ManagedProcess, timeoutMs: number, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!p.running) {
      const r = await p.exited;
      throw new Error(`test harness: ${p.name} exited (${r.signal ?? `code ${r.code}`}) while starting; ${p.logPath}:\n${p.logTail()}`);
    }
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`test harness: ${p.name} not ready after ${timeoutMs} ms; ${p.logPath}:\n${p.logTail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
