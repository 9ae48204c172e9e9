// Helm for the chart tests, compiled from its Go module at a pinned version (no release
// download): `go install helm.sh/helm/v3/cmd/helm@<version>` with the module's own go.mod,
// cached as ${GATEHOUSE_CACHE:-~/.cache/gatehouse}/helm/<version>/helm and rebuilt only when
// the version or the Go toolchain changes (helm.key). A cold build takes a few minutes.
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

export const HELM_MODULE = "helm.sh/helm/v3";
export const HELM_VERSION = "v3.22.0";

function cacheRoot(): string {
  return process.env["GATEHOUSE_CACHE"] ?? join(process.env["XDG_CACHE_HOME"] ?? join(homedir(), ".cache"), "gatehouse");
}

function goBinary(): string {
  if (process.env["GO"]) return process.env["GO"];
  for (const dir of (process.env["PATH"] ?? "").split(":")) if (dir && existsSync(`${dir}/go`)) return `${dir}/go`;
  if (existsSync("/usr/local/go/bin/go")) return "/usr/local/go/bin/go";
  throw new Error("test harness: the Go toolchain (go) is not on PATH; set GO=/path/to/go");
}

let built: Promise<string> | undefined;

/** Path of the helm binary, built if missing (progress on stderr). Callers in one process share one build. */
export function buildHelm(): Promise<string> {
  built ??= build();
  built.catch(() => (built = undefined));
  return built;
}

async function build(): Promise<string> {
  const go = goBinary();
  const env = { ...process.env, GOWORK: "off", GOFLAGS: "-mod=mod -buildvcs=false" };
  const goVersion = (await promisify(execFile)(go, ["env", "GOVERSION"], { env })).stdout.trim();
  const dir = join(cacheRoot(), "helm", HELM_VERSION);
  const bin = join(dir, "helm");
  // As helm's Makefile: the default Kubernetes version (`helm template`, lint) from client-go's.
  const mod = JSON.parse((await promisify(execFile)(go, ["mod", "download", "-json", `${HELM_MODULE}@${HELM_VERSION}`], { env, cwd: homedir() })).stdout) as { GoMod: string };
  const clientGo = /^\s*k8s\.io\/client-go v(\d+)\.(\d+)\./m.exec(readFileSync(mod.GoMod, "utf8"));
  if (!clientGo) throw new Error(`test harness: no k8s.io/client-go requirement in ${mod.GoMod}`);
  const k8s = { major: String(Number(clientGo[1]) + 1), minor: clientGo[2]! };
  const key = `${HELM_MODULE}@${HELM_VERSION} ${goVersion} ${process.arch} k8s ${k8s.major}.${k8s.minor}`;
  if (existsSync(bin) && existsSync(`${bin}.key`) && readFileSync(`${bin}.key`, "utf8") === key) return bin;
  mkdirSync(dir, { recursive: true });
  // GOBIN of our own, then a rename: a concurrent build elsewhere never sees half a binary.
  const gobin = mkdtempSync(join(dir, ".build-"));
  try {
    process.stderr.write(`test harness: building helm ${HELM_VERSION} from ${HELM_MODULE} (uncached: a few minutes)\n`);
    const ldflags = [`-s -w -X ${HELM_MODULE}/internal/version.version=${HELM_VERSION}`,
      ...["pkg/lint/rules", "pkg/chartutil"].flatMap((p) => [`-X ${HELM_MODULE}/${p}.k8sVersionMajor=${k8s.major}`, `-X ${HELM_MODULE}/${p}.k8sVersionMinor=${k8s.minor}`])].join(" ");
    await new Promise<void>((resolve, reject) => {
      const child = spawn(go, ["install", "-trimpath", "-ldflags", ldflags, `${HELM_MODULE}/cmd/helm@${HELM_VERSION}`], {
        cwd: dir, env: { ...env, GOBIN: gobin, GOFLAGS: "-buildvcs=false" }, stdio: ["ignore", "inherit", "inherit"],
      });
      child.on("error", reject);
      child.on("close", (code, signal) => (code === 0 ? resolve() : reject(new Error(`test harness: go install helm failed: ${signal ?? `exit ${code}`}`))));
    });
    renameSync(join(gobin, "helm"), bin);
    writeFileSync(`${bin}.key`, key);
    return bin;
  } finally {
    rmSync(gobin, { recursive: true, force: true });
  }
}

export interface HelmResult { code: number; stdout: string; stderr: string }

/** Runs helm with an isolated HOME/config/cache (no repositories, no plugins of the machine); never throws on a non-zero exit. */
export async function helm(args: string[], opts: { cwd?: string } = {}): Promise<HelmResult> {
  const bin = await buildHelm();
  const home = join(cacheRoot(), "helm", HELM_VERSION, "home");
  mkdirSync(home, { recursive: true });
  const env = {
    PATH: process.env["PATH"] ?? "",
    HOME: home,
    HELM_CACHE_HOME: join(home, "cache"),
    HELM_CONFIG_HOME: join(home, "config"),
    HELM_DATA_HOME: join(home, "data"),
    KUBECONFIG: join(home, "no-kubeconfig"),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: opts.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
