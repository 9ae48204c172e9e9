// Settings of `gatehouse run`: every one a flag and a GATEHOUSE_* environment variable (the
// flag wins). Commander collects raw strings; parseSettings validates them and names the flag
// (and the variable, when the value came from there) in a one-line UsageError.
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { Option, type Command } from "commander";
import { UsageError } from "../errors.js";
import { AddressPool, LOCAL_CONTROLLER } from "@gatehouse/provider-local";

export interface ListenAddress { host: string; port: number }

export interface Settings {
  /** Path of a kubeconfig; undefined: in-cluster config, else $KUBECONFIG (or ~/.kube/config). */
  kubeconfig: string | undefined;
  /** controllerNames served, sorted, unique. */
  controllerNames: string[];
  /** Namespaces to watch; empty: all namespaces. */
  watchNamespaces: string[];
  /** undefined: disabled. */
  metricsAddress: ListenAddress | undefined;
  healthAddress: ListenAddress | undefined;
  leaderElect: boolean;
  leaseName: string;
  leaseNamespace: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  identity: string;
  logLevel: string;
  /** Quiet time after the last change before a rebuild. */
  debounceMs: number;
  /** Longest a change waits under a constant stream of changes. */
  maxDebounceMs: number;
  /** Every this long a full reconcile repairs what others changed in our statuses; 0: never. */
  resyncPeriodMs: number;
  /**
   * Where the local proxy's Gateways get their addresses: `incluster` (a Service per Gateway
   * selecting the operator pods, internal ports) or `loopback` (an address per Gateway from
   * addressPool). Default: incluster in a pod (KUBERNETES_SERVICE_HOST set), else loopback.
   */
  localAddresses: "incluster" | "loopback";
  /** Labels of the operator pods: the selector of the Gateway Services (incluster). */
  proxyPodSelector: Record<string, string>;
  /** Namespace of the operator pods: a Gateway elsewhere gets a selector-less Service with EndpointSlices of these pods (incluster). */
  proxyPodNamespace: string;
  /** CIDRs Gateways take their address from (loopback). */
  addressPool: string[];
  /** Internal ports the proxy binds per (Gateway, listener port) (incluster). */
  internalPorts: { from: number; to: number };
  /** Proxy worker threads; undefined: one per CPU; 0: serve in the main thread. */
  proxyWorkers: number | undefined;
  /** Value of the ownership tag/label on every cloud resource (several clusters share an account/project). */
  clusterName: string;
  /** VPC Lattice API endpoint override (a fake, moto); undefined: AWS's. */
  latticeEndpoint: string | undefined;
  /** AWS region when a LatticeConfig names none; undefined: the SDK's ($AWS_REGION, profile). */
  awsRegion: string | undefined;
  /** Compute API endpoint override (a fake: http://host:port, no auth); undefined: Google's. */
  gcpEndpoint: string | undefined;
  /** GCP project when a GCPConfig names none. */
  gcpProject: string | undefined;
}

interface Spec {
  flag: string;           // long flag without dashes
  arg?: string;           // value placeholder; absent for booleans
  env: string;
  help: string;
  default?: string;
  repeatable?: boolean;
}

const SA_NAMESPACE_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

/** Flags of the cloud backends, shared by `run` and `plan`. */
export const CLOUD_FLAGS: readonly Spec[] = [
  { flag: "cluster-name", arg: "name", env: "GATEHOUSE_CLUSTER_NAME", default: "gatehouse",
    help: "ownership tag/label value on every cloud resource; unique per cluster sharing an AWS account or GCP project" },
  { flag: "lattice-endpoint", arg: "url", env: "GATEHOUSE_LATTICE_ENDPOINT", help: "VPC Lattice API endpoint override, http(s)://host[:port] (default: AWS's for the region)" },
  { flag: "aws-region", arg: "region", env: "GATEHOUSE_AWS_REGION", help: "AWS region when the LatticeConfig names none (default: the SDK's, e.g. $AWS_REGION)" },
  { flag: "gcp-endpoint", arg: "url", env: "GATEHOUSE_GCP_ENDPOINT", help: "Compute API endpoint override, http(s)://host[:port] (default: Google's)" },
  { flag: "gcp-project", arg: "project", env: "GATEHOUSE_GCP_PROJECT", help: "GCP project when the GCPConfig names none" },
];

/** The flags of `run`, in the order --help lists them. */
export const RUN_FLAGS: readonly Spec[] = [
  { flag: "kubeconfig", arg: "path", env: "GATEHOUSE_KUBECONFIG", help: "kubeconfig file (default: in-cluster config, else $KUBECONFIG, else ~/.kube/config)" },
  { flag: "controller-name", arg: "name", env: "GATEHOUSE_CONTROLLER_NAME", repeatable: true, default: LOCAL_CONTROLLER,
    help: "GatewayClass controllerName to serve (repeatable; env: comma-separated)" },
  { flag: "watch-namespaces", arg: "list", env: "GATEHOUSE_WATCH_NAMESPACES", repeatable: true,
    help: "namespaces to watch, comma-separated or repeated (default: all)" },
  { flag: "metrics-address", arg: "addr", env: "GATEHOUSE_METRICS_ADDRESS", default: ":9090",
    help: "[host]:port serving /metrics; 0 disables" },
  { flag: "health-address", arg: "addr", env: "GATEHOUSE_HEALTH_ADDRESS", default: ":8081",
    help: "[host]:port serving /healthz and /readyz; 0 disables (may equal --metrics-address)" },
  { flag: "leader-elect", arg: "bool", env: "GATEHOUSE_LEADER_ELECT", default: "true",
    help: "campaign for a Lease; only the leader writes status and programs backends (false: always lead)" },
  { flag: "lease-name", arg: "name", env: "GATEHOUSE_LEASE_NAME", default: "gatehouse-leader", help: "name of the coordination.k8s.io Lease" },
  { flag: "lease-namespace", arg: "ns", env: "GATEHOUSE_LEASE_NAMESPACE",
    help: "namespace of the Lease (default: the pod's namespace in-cluster, else default)" },
  { flag: "lease-duration", arg: "duration", env: "GATEHOUSE_LEASE_DURATION", default: "15s", help: "how long a Lease is valid without renewal" },
  { flag: "renew-deadline", arg: "duration", env: "GATEHOUSE_RENEW_DEADLINE", default: "10s", help: "the leader gives up if it cannot renew within this" },
  { flag: "retry-period", arg: "duration", env: "GATEHOUSE_RETRY_PERIOD", default: "2s", help: "interval between acquire/renew attempts" },
  { flag: "identity", arg: "id", env: "GATEHOUSE_IDENTITY", help: "holder identity in the Lease (default: $POD_NAME or <hostname>_<random>)" },
  { flag: "debounce", arg: "duration", env: "GATEHOUSE_DEBOUNCE", default: "100ms",
    help: "a change after a quiet period is handled at once; further changes within this long are handled together, this long after the last" },
  { flag: "max-debounce", arg: "duration", env: "GATEHOUSE_MAX_DEBOUNCE", default: "500ms", help: "longest a change waits during a continuous burst" },
  { flag: "resync-period", arg: "duration", env: "GATEHOUSE_RESYNC_PERIOD", default: "10m",
    help: "a full reconcile this often rewrites statuses others changed (status-only changes wake nothing); 0 disables" },
  { flag: "local-addresses", arg: "mode", env: "GATEHOUSE_LOCAL_ADDRESSES",
    help: "local proxy Gateway addresses: incluster (a Service per Gateway selecting the operator pods) or loopback (an address per Gateway from --address-pool); default: incluster in a pod (KUBERNETES_SERVICE_HOST set), else loopback" },
  { flag: "proxy-pod-selector", arg: "labels", env: "GATEHOUSE_PROXY_POD_SELECTOR", default: "app.kubernetes.io/name=gatehouse",
    help: "labels of the operator pods, k=v,k2=v2: the selector of each Gateway's Service (incluster)" },
  { flag: "proxy-pod-namespace", arg: "ns", env: "GATEHOUSE_PROXY_POD_NAMESPACE",
    help: "namespace of the operator pods; a Gateway in another namespace gets a Service without selector whose EndpointSlices list these pods (incluster; default: $POD_NAMESPACE, the in-cluster namespace, else --lease-namespace)" },
  { flag: "address-pool", arg: "cidrs", env: "GATEHOUSE_ADDRESS_POOL", repeatable: true, default: "127.1.0.0/16",
    help: "IPv4 CIDRs Gateways take their address from, comma-separated or repeated (loopback)" },
  { flag: "internal-ports", arg: "range", env: "GATEHOUSE_INTERNAL_PORTS", default: "20000-29999",
    help: "ports the proxy binds per Gateway listener port, from-to; each Service maps listener ports onto them (incluster)" },
  { flag: "proxy-workers", arg: "n", env: "GATEHOUSE_PROXY_WORKERS", default: "auto",
    help: "proxy worker threads: a number, auto (one per CPU), or 0 (serve in the main thread)" },
  ...CLOUD_FLAGS,
];

/** Adds the `run` flags (each with its environment variable) to a command. */
export function addRunOptions(cmd: Command): Command {
  for (const s of RUN_FLAGS) {
    // --leader-elect alone means true; --leader-elect=false turns it off.
    const o = new Option(s.arg === "bool" ? `--${s.flag} [bool]` : `--${s.flag} <${s.arg}>`, s.help).env(s.env);
    if (s.repeatable) o.argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
    if (s.default !== undefined) o.default(s.repeatable ? undefined : s.default, s.default);
    cmd.addOption(o);
  }
  return cmd;
}

/** Raw option values as commander gives them, and where each came from (`cli`, `env`, `default`). */
export interface RawSettings {
  values: Record<string, unknown>;
  source(flag: string): string | undefined;
  env?: NodeJS.ProcessEnv;
}

/** Raw values of a command that had addRunOptions, plus the global --log-level. */
export function rawFromCommand(cmd: Command, logLevel: string): RawSettings {
  const values = { ...cmd.opts(), logLevel };
  return { values, source: (flag) => cmd.getOptionValueSource(camel(flag)) };
}

/** Validated settings; any bad value is a UsageError naming its flag. */
export function parseSettings(raw: RawSettings): Settings {
  const env = raw.env ?? process.env;
  const value = (flag: string): string | undefined => {
    const v = raw.values[camel(flag)];
    return typeof v === "string" ? v : undefined;
  };
  const where = (flag: string): string => {
    const s = RUN_FLAGS.find((x) => x.flag === flag);
    return raw.source(flag) === "env" && s ? `--${flag} (from ${s.env})` : `--${flag}`;
  };
  const bad = (flag: string, v: unknown, why: string): never => {
    throw new UsageError(`${where(flag)}: ${JSON.stringify(v)} ${why}`);
  };
  const list = (flag: string): string[] | undefined => {
    const v = raw.values[camel(flag)];
    const items = Array.isArray(v) ? v : typeof v === "string" ? [v] : undefined;
    return items?.flatMap((x: string) => x.split(",")).map((x) => x.trim()).filter((x) => x !== "");
  };
  const duration = (flag: string): number => {
    const v = value(flag) ?? "";
    const ms = parseDuration(v);
    if (ms === undefined) bad(flag, v, "is not a duration (e.g. 100ms, 2s, 1m)");
    return ms!;
  };
  const address = (flag: string): ListenAddress | undefined => {
    const v = value(flag) ?? "";
    if (v === "0") return undefined;
    const a = parseAddress(v);
    if (!a) bad(flag, v, "is not [host]:port (e.g. :9090, 127.0.0.1:9090, [::1]:9090) or 0 to disable");
    return a;
  };

  const kubeconfig = value("kubeconfig");
  if (kubeconfig !== undefined && kubeconfig.trim() === "") bad("kubeconfig", kubeconfig, "is empty");

  const names = list("controller-name") ?? [LOCAL_CONTROLLER];
  if (names.length === 0) bad("controller-name", value("controller-name") ?? "", "names no controller");
  for (const n of names) if (!CONTROLLER_NAME.test(n)) bad("controller-name", n, `is not a domain-prefixed path like ${LOCAL_CONTROLLER}`);

  const watchNamespaces = [...new Set(list("watch-namespaces") ?? [])].sort();
  for (const n of watchNamespaces) if (!DNS_LABEL.test(n)) bad("watch-namespaces", n, "is not a namespace name (DNS-1123 label)");

  const leValue = raw.values["leaderElect"];
  const leRaw = (leValue === true ? "true" : value("leader-elect") ?? "true").toLowerCase();
  if (!["true", "false", "1", "0", "yes", "no"].includes(leRaw)) bad("leader-elect", value("leader-elect"), "is not true or false");
  const leaderElect = ["true", "1", "yes"].includes(leRaw);

  const leaseName = value("lease-name") ?? "gatehouse-leader";
  if (!DNS_SUBDOMAIN.test(leaseName)) bad("lease-name", leaseName, "is not an object name (DNS-1123 subdomain)");
  const leaseNamespace = value("lease-namespace") ?? env["POD_NAMESPACE"] ?? inClusterNamespace() ?? "default";
  if (!DNS_LABEL.test(leaseNamespace)) bad("lease-namespace", leaseNamespace, "is not a namespace name (DNS-1123 label)");

  const leaseDurationMs = duration("lease-duration");
  const renewDeadlineMs = duration("renew-deadline");
  const retryPeriodMs = duration("retry-period");
  if (retryPeriodMs <= 0) bad("retry-period", value("retry-period"), "must be greater than 0");
  if (renewDeadlineMs <= retryPeriodMs) bad("renew-deadline", value("renew-deadline"), `must be longer than --retry-period (${value("retry-period")})`);
  if (leaseDurationMs <= renewDeadlineMs) bad("lease-duration", value("lease-duration"), `must be longer than --renew-deadline (${value("renew-deadline")})`);

  const identity = value("identity") ?? env["POD_NAME"] ?? `${hostname()}_${randomBytes(4).toString("hex")}`;
  if (identity === "" || identity.length > 253) bad("identity", identity, "must be 1 to 253 characters");

  const debounceMs = duration("debounce");
  const maxDebounceMs = duration("max-debounce");
  if (maxDebounceMs <= 0) bad("max-debounce", value("max-debounce"), "must be greater than 0");
  if (debounceMs > maxDebounceMs) bad("debounce", value("debounce"), `must not exceed --max-debounce (${value("max-debounce")})`);

  const modeRaw = value("local-addresses") ?? (env["KUBERNETES_SERVICE_HOST"] ? "incluster" : "loopback");
  if (modeRaw !== "incluster" && modeRaw !== "loopback") bad("local-addresses", modeRaw, "is not incluster or loopback");
  const localAddresses = modeRaw as Settings["localAddresses"];

  const selectorRaw = value("proxy-pod-selector") ?? "app.kubernetes.io/name=gatehouse";
  const proxyPodSelector: Record<string, string> = {};
  for (const part of selectorRaw.split(",").map((x) => x.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    const k = eq > 0 ? part.slice(0, eq).trim() : "";
    const v = eq > 0 ? part.slice(eq + 1).trim() : "";
    if (!LABEL_KEY.test(k) || !LABEL_VALUE.test(v)) bad("proxy-pod-selector", part, "is not key=value with a label key and value");
    proxyPodSelector[k] = v;
  }
  if (Object.keys(proxyPodSelector).length === 0) bad("proxy-pod-selector", selectorRaw, "selects nothing (an empty selector would match every pod)");

  const proxyPodNamespace = value("proxy-pod-namespace") ?? env["POD_NAMESPACE"] ?? inClusterNamespace() ?? leaseNamespace;
  if (!DNS_LABEL.test(proxyPodNamespace)) bad("proxy-pod-namespace", proxyPodNamespace, "is not a namespace name (DNS-1123 label)");

  const addressPool = list("address-pool") ?? ["127.1.0.0/16"];
  if (addressPool.length === 0) bad("address-pool", value("address-pool") ?? "", "names no CIDR");
  const pool = AddressPool.parse(addressPool);
  if (!(pool instanceof AddressPool)) bad("address-pool", addressPool.join(","), `is not a list of IPv4 CIDRs: ${pool.errors.join("; ")}`);

  const portsRaw = value("internal-ports") ?? "20000-29999";
  const pm = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(portsRaw);
  const internalPorts = { from: Number(pm?.[1]), to: Number(pm?.[2]) };
  if (!pm || internalPorts.from < 1 || internalPorts.to > 65535 || internalPorts.from > internalPorts.to) {
    bad("internal-ports", portsRaw, "is not a port range from-to within 1-65535 (e.g. 20000-29999)");
  }

  const workersRaw = value("proxy-workers") ?? "auto";
  const proxyWorkers = workersRaw === "auto" ? undefined : Number(workersRaw);
  if (proxyWorkers !== undefined && !(/^\d{1,4}$/.test(workersRaw) && proxyWorkers <= 1024)) {
    bad("proxy-workers", workersRaw, "is not a number of workers (0 to 1024) or auto");
  }

  const cloud = parseCloudSettings(value, bad);

  return {
    ...cloud,
    kubeconfig,
    controllerNames: [...new Set(names)].sort(),
    watchNamespaces,
    metricsAddress: address("metrics-address"),
    healthAddress: address("health-address"),
    leaderElect,
    leaseName,
    leaseNamespace,
    leaseDurationMs,
    renewDeadlineMs,
    retryPeriodMs,
    identity,
    logLevel: typeof raw.values["logLevel"] === "string" ? raw.values["logLevel"] : "info",
    debounceMs,
    maxDebounceMs,
    resyncPeriodMs: duration("resync-period"),
    localAddresses,
    proxyPodSelector,
    proxyPodNamespace,
    addressPool: [...new Set(addressPool)],
    internalPorts,
    proxyWorkers,
  };
}

export type CloudSettings = Pick<Settings, "clusterName" | "latticeEndpoint" | "awsRegion" | "gcpEndpoint" | "gcpProject">;

/** The CLOUD_FLAGS values, validated. */
export function parseCloudSettings(value: (flag: string) => string | undefined, bad: (flag: string, v: unknown, why: string) => never): CloudSettings {
  const clusterName = value("cluster-name") ?? "gatehouse";
  if (!LABEL_VALUE.test(clusterName) || clusterName === "") bad("cluster-name", clusterName, "is not a label value (1-63 of A-Z a-z 0-9 - _ .)");
  const url = (flag: string): string | undefined => {
    const v = value(flag);
    if (v === undefined) return undefined;
    let u: URL | undefined;
    try { u = new URL(v); } catch { /* reported below */ }
    if (!u || (u.protocol !== "http:" && u.protocol !== "https:") || u.pathname.replace(/\/+$/, "") !== "" || u.search !== "") {
      bad(flag, v, "is not http(s)://host[:port]");
    }
    return v.replace(/\/+$/, "");
  };
  const word = (flag: string, re: RegExp, what: string): string | undefined => {
    const v = value(flag);
    if (v !== undefined && !re.test(v)) bad(flag, v, `is not ${what}`);
    return v;
  };
  return {
    clusterName,
    latticeEndpoint: url("lattice-endpoint"),
    awsRegion: word("aws-region", /^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region (e.g. us-west-2)"),
    gcpEndpoint: url("gcp-endpoint"),
    gcpProject: word("gcp-project", /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, "a GCP project id (6-30 of a-z 0-9 -, starting with a letter)"),
  };
}

/** Defaults of every setting (what `run` with no flags and no environment gives), for tests and embedding. */
export function defaultSettings(overrides: Partial<Settings> = {}): Settings {
  const values: Record<string, unknown> = { logLevel: "info" };
  for (const s of RUN_FLAGS) if (s.default !== undefined && !s.repeatable) values[camel(s.flag)] = s.default;
  return { ...parseSettings({ values, source: () => "default", env: {} }), ...overrides };
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const CONTROLLER_NAME = /^[a-z0-9.-]+\/[A-Za-z0-9/._~%!$&'()*+,;=:-]+$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** `100ms`, `1.5s`, `2m`, `1h`, or `0` → milliseconds; undefined when not a duration. */
export function parseDuration(v: string): number | undefined {
  if (v.trim() === "0") return 0;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"];
  return Number.isFinite(n) ? Math.round(n) : undefined;
}

/** `:9090`, `0.0.0.0:9090`, `[::1]:9090`, `localhost:0` → host and port (empty host: every interface). */
export function parseAddress(v: string): ListenAddress | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]*)):(\d{1,5})$/.exec(v.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  return { host: m[1] ?? m[2] ?? "", port };
}

function inClusterNamespace(): string | undefined {
  try {
    return readFileSync(SA_NAMESPACE_FILE, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
