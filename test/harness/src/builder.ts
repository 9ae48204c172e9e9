// Runs the Go builder in test/controlplane: compiles the control plane binaries at the
// versions pinned in its go.mod (once per version; cached outside the repository) and
// reports where they and the Gateway API CRDs are.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export type Component =
  | "etcd"
  | "kube-apiserver"
  | "kube-controller-manager"
  | "kube-scheduler"
  /** The test cluster's process kubelet (test/controlplane/kubelet). */
  | "process-kubelet"
  /** Programs for images: the conformance suite's echo server, CoreDNS. */
  | "echo-basic"
  | "coredns"
  /** No binary: the gateway-api source tree for `go test` (manifest.conformanceDir). */
  | "conformance-src";

/** What `go run . build` prints. */
export interface Manifest {
  kubernetes: string;
  etcd: string;
  gatewayAPI: string;
  /** Cache directory of this Kubernetes version. */
  dir: string;
  /** The builder itself, installed for `certs` and `exec`. */
  tool: string;
  bin: Partial<Record<Component, string>>;
  /** sigs.k8s.io/gateway-api's config/crd/experimental in the Go module cache. */
  crdDir: string;
  /** With echo-basic or conformance-src: the pinned gateway-api release laid out as its repository. */
  conformanceDir?: string;
}

/** test/controlplane, from dist/src/ of this package. */
export const controlPlaneModuleDir = fileURLToPath(new URL("../../../controlplane/", import.meta.url));

function goBinary(): string {
  if (process.env["GO"]) return process.env["GO"];
  for (const dir of (process.env["PATH"] ?? "").split(":")) {
    if (dir && existsSync(`${dir}/go`)) return `${dir}/go`;
  }
  if (existsSync("/usr/local/go/bin/go")) return "/usr/local/go/bin/go";
  throw new Error("test harness: the Go toolchain (go) is not on PATH; set GO=/path/to/go");
}

const builds = new Map<string, Promise<Manifest>>();

/**
 * Builds what is missing among `components` (a cold kube-apiserver build takes many
 * minutes; progress goes to stderr) and returns the manifest. Concurrent callers in other
 * processes wait on the builder's file lock; callers in this process share one promise.
 */
export function buildControlPlane(components: Component[] = ["etcd", "kube-apiserver"]): Promise<Manifest> {
  const key = [...new Set(components)].sort().join(" ");
  let p = builds.get(key);
  if (!p) {
    p = runBuilder(key.split(" "));
    builds.set(key, p);
    p.catch(() => builds.delete(key));
  }
  return p;
}

function runBuilder(components: string[]): Promise<Manifest> {
  return new Promise((resolve, reject) => {
    const child = spawn(goBinary(), ["run", ".", "build", ...components], {
      cwd: controlPlaneModuleDir,
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, GOWORK: "off" },
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code !== 0) {
        reject(new Error(`test harness: go run . build ${components.join(" ")} (in ${controlPlaneModuleDir}) failed: ${signal ?? `exit ${code}`}`));
        return;
      }
      try {
        resolve(JSON.parse(out) as Manifest);
      } catch (e) {
        reject(new Error(`test harness: unreadable builder output: ${String(e)}: ${out.slice(0, 500)}`));
      }
    });
  });
}
