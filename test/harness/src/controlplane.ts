// A real Kubernetes control plane for tests: etcd and kube-apiserver on loopback, built
// from the pinned Go modules (see test/controlplane), with the Gateway API CRDs installed.
// Start one per test file (or worker) and give each test its own namespace.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { request } from "node:https";
import { request as httpRequest } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { buildControlPlane, type Component, type Manifest } from "./builder.js";
import { installGatewayCRDs } from "./crds.js";
import { controllerManagerArgs, schedulerArgs } from "./components.js";
import { ManagedProcess } from "./process.js";

export interface ControlPlaneOptions {
  /** Install the Gateway API experimental-channel CRDs (default true). */
  gatewayAPI?: boolean;
  /** Extra kube-apiserver flags (`--name=value`), appended after the harness's own (then GATEHOUSE_APISERVER_ARGS, split on spaces). */
  apiServerArgs?: string[];
  /** Progress messages (default: stderr when GATEHOUSE_HARNESS_VERBOSE is set). */
  log?: (line: string) => void;
  /** Keep the temporary directory (logs, data, certificates) after stop(). Also GATEHOUSE_KEEP_CONTROLPLANE=1. */
  keepDir?: boolean;
  /**
   * Also start kube-controller-manager (`true`: the controllers a Deployment + Service
   * needs, see `DEFAULT_CONTROLLERS`; or the list to enable). `newNamespace` then waits for
   * the namespace's `default` ServiceAccount, without which no pod can be created.
   */
  controllerManager?: boolean | { controllers?: string[]; args?: string[] };
  /** Also start kube-scheduler. */
  scheduler?: boolean | { args?: string[] };
}

export interface ControlPlane {
  /** A kubeconfig for an admin (client certificate in system:masters). */
  kubeconfigPath: string;
  /** https://127.0.0.1:<port> */
  server: string;
  kubeConfig: KubeConfig;
  /** Bearer token of the same admin, for plain HTTPS requests. */
  token: string;
  /** PEM of the CA that signed the serving certificate. */
  caPath: string;
  /** Temporary directory: certificates, etcd data, *.log. */
  dir: string;
  etcdUrl: string;
  versions: { kubernetes: string; etcd: string; gatewayAPI: string };
  /** Installed CRD names (empty when gatewayAPI is false). */
  crds: string[];
  pids(): { etcd: number; apiServer: number; controllerManager?: number; scheduler?: number };
  /** Creates a namespace with a unique name starting with `prefix` and returns the name. */
  newNamespace(prefix?: string): Promise<string>;
  /** Stops kube-apiserver and starts it again on the same port and etcd; resolves when ready. */
  restartApiServer(): Promise<void>;
  /** SIGTERM (then SIGKILL) every process and remove the temporary directory. Idempotent. */
  stop(): Promise<void>;
}

const SERVICE_CIDR = "10.0.0.0/24";
const SERVICE_IP = "10.0.0.1";

/** Builds the binaries if needed (many minutes cold), starts etcd and kube-apiserver, installs the CRDs. */
export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const log =
    opts.log ?? (process.env["GATEHOUSE_HARNESS_VERBOSE"] ? (l: string) => process.stderr.write(`harness: ${l}\n`) : () => {});
  const t0 = Date.now();
  const manifest = await buildControlPlane([
    "etcd",
    "kube-apiserver",
    ...(opts.controllerManager ? (["kube-controller-manager"] as const) : []),
    ...(opts.scheduler ? (["kube-scheduler"] as const) : []),
  ]);
  log(`binaries ready in ${Date.now() - t0} ms (kubernetes ${manifest.kubernetes}, etcd ${manifest.etcd})`);
  // A port found free can be taken before the server binds it: retry with new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(manifest, opts, log, t0);
    } catch (e) {
      if (attempt >= 3 || !(e instanceof PortInUse)) throw e;
      log(`port taken, retrying (${(e as Error).message})`);
    }
  }
}

class PortInUse extends Error {}

async function startOnce(manifest: Manifest, opts: ControlPlaneOptions, log: (l: string) => void, t0: number): Promise<ControlPlane> {
  const keepDir = opts.keepDir ?? !!process.env["GATEHOUSE_KEEP_CONTROLPLANE"];
  const dir = await mkdtemp(join(tmpdir(), "gatehouse-controlplane-"));
  const [etcdPort, peerPort, apiPort] = await freePorts(3);
  const server = `https://127.0.0.1:${apiPort}`;
  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const file = (f: string) => join(dir, f);
  let etcd: ManagedProcess | undefined;
  let apiServer: ManagedProcess | undefined;
  let controllerManager: ManagedProcess | undefined;
  let scheduler: ManagedProcess | undefined;
  let stopped: Promise<void> | undefined;

  const stop = () =>
    (stopped ??= (async () => {
      await Promise.all([controllerManager?.stop(), scheduler?.stop()]);
      await apiServer?.stop();
      await etcd?.stop();
      if (keepDir) process.stderr.write(`harness: control plane files kept in ${dir}\n`);
      else await rm(dir, { recursive: true, force: true });
    })());

  try {
    await promisify(execFile)(manifest.tool, ["certs", dir, "--server", server, "--service-ip", SERVICE_IP]);
    const token = (await readFile(file("admin.token"), "utf8")).trim();
    const ca = await readFile(file("ca.crt"));

    const etcdBin = need(manifest, "etcd");
    etcd = new ManagedProcess("etcd", manifest.tool, etcdBin, [
      "--name=gatehouse",
      `--data-dir=${file("etcd")}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=gatehouse=http://127.0.0.1:${peerPort}`,
      // Test data need not survive a machine crash; fsync dominates write latency.
      "--unsafe-no-fsync=true",
      "--log-level=warn",
    ], file("etcd.log"));
    await waitUntil(etcd, 60_000, async () => (await get(`${etcdUrl}/health`)) === 200);
    log(`etcd ready on ${etcdUrl} (pid ${etcd.pid})`);

    const apiBin = need(manifest, "kube-apiserver");
    const apiArgs = [
      `--etcd-servers=${etcdUrl}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${apiPort}`,
      `--cert-dir=${file("apiserver-certs")}`,
      `--tls-cert-file=${file("apiserver.crt")}`,
      `--tls-private-key-file=${file("apiserver.key")}`,
      `--client-ca-file=${file("ca.crt")}`,
      `--token-auth-file=${file("tokens.csv")}`,
      "--authorization-mode=RBAC",
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${file("sa.pub")}`,
      `--service-account-signing-key-file=${file("sa.key")}`,
      "--allow-privileged=true",
      "--enable-priority-and-fairness=false",
      "--profiling=false",
      // Pod logs through kubelets (the process kubelets of startCluster serve them).
      `--kubelet-client-certificate=${file("kubelet-client.crt")}`,
      `--kubelet-client-key=${file("kubelet-client.key")}`,
      `--kubelet-certificate-authority=${file("ca.crt")}`,
      "--kubelet-preferred-address-types=InternalIP",
      ...(opts.apiServerArgs ?? []),
      ...(process.env["GATEHOUSE_APISERVER_ARGS"]?.split(/\s+/).filter(Boolean) ?? []),
    ];
    const startApiServer = async () => {
      const t = Date.now();
      const p = new ManagedProcess("kube-apiserver", manifest.tool, apiBin, apiArgs, file("kube-apiserver.log"));
      apiServer = p;
      await waitUntil(p, 120_000, async () => (await get(`${server}/readyz`, { ca, token })) === 200);
      log(`kube-apiserver ready on ${server} (pid ${p.pid}) in ${Date.now() - t} ms`);
    };
    await startApiServer();

    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(file("kubeconfig"));
    const core = kubeConfig.makeApiClient(CoreV1Api);
    // The system namespaces are created by a controller shortly after /readyz.
    await waitUntil(apiServer!, 30_000, async () => {
      try {
        await core.readNamespace({ name: "default" });
        return true;
      } catch {
        return false;
      }
    });

    if (opts.controllerManager) {
      const cm = opts.controllerManager === true ? {} : opts.controllerManager;
      controllerManager = new ManagedProcess("kube-controller-manager", manifest.tool, need(manifest, "kube-controller-manager"),
        controllerManagerArgs(dir, cm.controllers, cm.args), file("kube-controller-manager.log"));
    }
    if (opts.scheduler) {
      const sc = opts.scheduler === true ? {} : opts.scheduler;
      scheduler = new ManagedProcess("kube-scheduler", manifest.tool, need(manifest, "kube-scheduler"), schedulerArgs(dir, sc.args),
        file("kube-scheduler.log"));
    }
    const waitForServiceAccount = async (namespace: string, p: ManagedProcess) =>
      waitUntil(p, 60_000, async () => {
        try {
          await core.readNamespacedServiceAccount({ namespace, name: "default" });
          return true;
        } catch {
          return false;
        }
      });

    let crds: string[] = [];
    if (opts.gatewayAPI !== false) {
      const t = Date.now();
      crds = await installGatewayCRDs(kubeConfig, manifest.crdDir);
      log(`${crds.length} Gateway API CRDs (${manifest.gatewayAPI}) established in ${Date.now() - t} ms`);
    }
    if (controllerManager) {
      // Its serviceaccount controller has run once this exists: the controllers are up.
      const t = Date.now();
      await waitForServiceAccount("default", controllerManager);
      log(`kube-controller-manager ready (pid ${controllerManager.pid}) in ${Date.now() - t} ms`);
    }
    log(`control plane up in ${Date.now() - t0} ms; kubeconfig ${file("kubeconfig")}`);

    return {
      kubeconfigPath: file("kubeconfig"),
      server,
      kubeConfig,
      token,
      caPath: file("ca.crt"),
      dir,
      etcdUrl,
      versions: { kubernetes: manifest.kubernetes, etcd: manifest.etcd, gatewayAPI: manifest.gatewayAPI },
      crds,
      pids: () => ({
        etcd: etcd!.pid,
        apiServer: apiServer!.pid,
        ...(controllerManager ? { controllerManager: controllerManager.pid } : {}),
        ...(scheduler ? { scheduler: scheduler.pid } : {}),
      }),
      async newNamespace(prefix = "test") {
        const base = prefix.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "test";
        const ns = await core.createNamespace({ body: { metadata: { generateName: `${base}-` } } });
        const name = ns.metadata!.name!;
        if (controllerManager) await waitForServiceAccount(name, controllerManager);
        return name;
      },
      async restartApiServer() {
        if (stopped) throw new Error("test harness: control plane is stopped");
        await apiServer!.stop();
        await startApiServer();
      },
      stop,
    };
  } catch (e) {
    await stop();
    const text = String((e as Error)?.message ?? e);
    if (/address already in use/.test(text)) throw new PortInUse(text);
    throw e;
  }
}

function need(m: Manifest, c: Component): string {
  const p = m.bin[c];
  if (!p) throw new Error(`test harness: builder did not report ${c}`);
  return p;
}

/** Ports free right now on 127.0.0.1, distinct (held open until all are found). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const s = createServer();
      s.on("error", reject);
      s.listen(0, "127.0.0.1", () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Polls `ready` until true; fails early, with the log's tail, if the process exits. */
async function waitUntil(p: ManagedProcess, timeoutMs: number, ready: () => Promise<boolean>): Promise<void> {
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

/** Status code of a GET (0 on a connection error). */
function get(url: string, tls?: { ca: Buffer; token: string }): Promise<number> {
  return new Promise((resolve) => {
    const opts = tls ? { ca: tls.ca, headers: { authorization: `Bearer ${tls.token}` }, timeout: 5_000 } : { timeout: 5_000 };
    const req = (url.startsWith("https:") ? request : httpRequest)(url, opts, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
    req.end();
  });
}
