// `gatehouse run` settings: flags, GATEHOUSE_* variables, defaults and one-line errors.
import test from "ava";
import { Command } from "commander";
import { UsageError } from "../src/errors.js";
import { addRunOptions, defaultSettings, parseAddress, parseDuration, parseSettings, rawFromCommand, RUN_FLAGS } from "../src/run/settings.js";

function parse(args: string[], env: Record<string, string> = {}) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const cmd = addRunOptions(new Command("run").exitOverride());
    cmd.parse(args, { from: "user" });
    return parseSettings({ ...rawFromCommand(cmd, "info"), env: { ...env } });
  } finally {
    for (const k of Object.keys(env)) if (!(k in saved)) delete process.env[k];
  }
}

const message = (f: () => unknown) => {
  try { f(); } catch (e) { if (e instanceof UsageError) return e.message; throw e; }
  return "no error";
};

test.serial("defaults", (t) => {
  const s = parse([]);
  t.like(s, {
    kubeconfig: undefined, controllerNames: ["gatehouse.dev/local"], watchNamespaces: [],
    metricsAddress: { host: "", port: 9090 }, healthAddress: { host: "", port: 8081 }, leaderElect: true,
    leaseName: "gatehouse-leader", leaseNamespace: "default", leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000,
    debounceMs: 100, maxDebounceMs: 500, resyncPeriodMs: 600_000, logLevel: "info",
  });
  t.regex(s.identity, /.+_[0-9a-f]{8}$/);
  t.is(s.proxyPodNamespace, "default", "outside a pod: the lease namespace");
  t.is(parse(["--lease-namespace", "sys"]).proxyPodNamespace, "sys");
  t.is(parse(["--lease-namespace", "sys"], { POD_NAMESPACE: "gatehouse-system" }).proxyPodNamespace, "gatehouse-system", "the pod's namespace (the chart sets POD_NAMESPACE)");
  t.deepEqual(defaultSettings().controllerNames, ["gatehouse.dev/local"]);
});

test.serial("every setting has a flag and a GATEHOUSE_ variable", (t) => {
  for (const f of RUN_FLAGS) t.is(f.env, `GATEHOUSE_${f.flag.toUpperCase().replace(/-/g, "_")}`);
  const s = parse([], {
    GATEHOUSE_KUBECONFIG: "/k", GATEHOUSE_CONTROLLER_NAME: "a.dev/x,b.dev/y", GATEHOUSE_WATCH_NAMESPACES: "b,a",
    GATEHOUSE_METRICS_ADDRESS: "0", GATEHOUSE_HEALTH_ADDRESS: "127.0.0.1:0", GATEHOUSE_LEADER_ELECT: "false",
    GATEHOUSE_LEASE_NAME: "l", GATEHOUSE_LEASE_NAMESPACE: "sys", GATEHOUSE_LEASE_DURATION: "30s", GATEHOUSE_RENEW_DEADLINE: "20s",
    GATEHOUSE_RETRY_PERIOD: "1s", GATEHOUSE_IDENTITY: "me", GATEHOUSE_DEBOUNCE: "50ms", GATEHOUSE_MAX_DEBOUNCE: "1s",
    GATEHOUSE_RESYNC_PERIOD: "0", GATEHOUSE_LOCAL_ADDRESSES: "incluster", GATEHOUSE_PROXY_POD_SELECTOR: "app=gh, tier=edge",
    GATEHOUSE_PROXY_POD_NAMESPACE: "gh-system",
    GATEHOUSE_ADDRESS_POOL: "127.2.0.0/16,127.3.0.0/24", GATEHOUSE_INTERNAL_PORTS: "30000-30999", GATEHOUSE_PROXY_WORKERS: "2",
    GATEHOUSE_CLUSTER_NAME: "c1", GATEHOUSE_LATTICE_ENDPOINT: "http://127.0.0.1:1", GATEHOUSE_AWS_REGION: "us-east-1",
    GATEHOUSE_GCP_ENDPOINT: "http://127.0.0.1:2", GATEHOUSE_GCP_PROJECT: "proj-123",
  });
  t.deepEqual(s, {
    kubeconfig: "/k", controllerNames: ["a.dev/x", "b.dev/y"], watchNamespaces: ["a", "b"], metricsAddress: undefined,
    healthAddress: { host: "127.0.0.1", port: 0 }, leaderElect: false, leaseName: "l", leaseNamespace: "sys",
    leaseDurationMs: 30_000, renewDeadlineMs: 20_000, retryPeriodMs: 1_000, identity: "me", logLevel: "info", debounceMs: 50, maxDebounceMs: 1_000, resyncPeriodMs: 0,
    localAddresses: "incluster", proxyPodSelector: { app: "gh", tier: "edge" }, proxyPodNamespace: "gh-system", addressPool: ["127.2.0.0/16", "127.3.0.0/24"],
    internalPorts: { from: 30000, to: 30999 }, proxyWorkers: 2,
    clusterName: "c1", latticeEndpoint: "http://127.0.0.1:1", awsRegion: "us-east-1", gcpEndpoint: "http://127.0.0.1:2", gcpProject: "proj-123",
  });
});

test.serial("flags win over variables; repeatable flags accumulate", (t) => {
  const s = parse(["--controller-name", "a.dev/x", "--controller-name", "c.dev/z", "--watch-namespaces", "n1,n2", "--watch-namespaces", "n3", "--leader-elect"],
    { GATEHOUSE_CONTROLLER_NAME: "b.dev/y", GATEHOUSE_LEADER_ELECT: "false" });
  t.deepEqual(s.controllerNames, ["a.dev/x", "c.dev/z"]);
  t.deepEqual(s.watchNamespaces, ["n1", "n2", "n3"]);
  t.true(s.leaderElect);
  t.false(parse(["--leader-elect=false"]).leaderElect);
});

test.serial("bad values: one line naming the flag (and the variable it came from)", (t) => {
  t.is(message(() => parse(["--debounce", "fast"])), `--debounce: "fast" is not a duration (e.g. 100ms, 2s, 1m)`);
  t.is(message(() => parse([], { GATEHOUSE_RETRY_PERIOD: "2" })), `--retry-period (from GATEHOUSE_RETRY_PERIOD): "2" is not a duration (e.g. 100ms, 2s, 1m)`);
  t.is(message(() => parse(["--controller-name", "nope"])), `--controller-name: "nope" is not a domain-prefixed path like gatehouse.dev/local`);
  t.is(message(() => parse(["--watch-namespaces", "Bad_NS"])), `--watch-namespaces: "Bad_NS" is not a namespace name (DNS-1123 label)`);
  t.regex(message(() => parse(["--health-address", "localhost"])), /^--health-address: "localhost" is not \[host\]:port/);
  t.is(message(() => parse(["--leader-elect", "maybe"])), `--leader-elect: "maybe" is not true or false`);
  t.is(message(() => parse(["--renew-deadline", "1s", "--retry-period", "2s"])), `--renew-deadline: "1s" must be longer than --retry-period (2s)`);
  t.is(message(() => parse(["--debounce", "2s"])), `--debounce: "2s" must not exceed --max-debounce (500ms)`);
  t.is(message(() => parse(["--lease-name", "UPPER"])), `--lease-name: "UPPER" is not an object name (DNS-1123 subdomain)`);
  for (const m of [message(() => parse(["--debounce", "x"]))]) t.false(m.includes("\n"));
});

test("durations and addresses", (t) => {
  t.is(parseDuration("100ms"), 100);
  t.is(parseDuration("1.5s"), 1500);
  t.is(parseDuration("2m"), 120_000);
  t.is(parseDuration("0"), 0);
  t.is(parseDuration("10"), undefined);
  t.is(parseDuration("-1s"), undefined);
  t.deepEqual(parseAddress(":9090"), { host: "", port: 9090 });
  t.deepEqual(parseAddress("[::1]:80"), { host: "::1", port: 80 });
  t.deepEqual(parseAddress("0.0.0.0:0"), { host: "0.0.0.0", port: 0 });
  t.is(parseAddress("host:99999"), undefined);
  t.is(parseAddress("9090"), undefined);
});

test.serial("cloud backend flags: defaults, values, and one-line errors naming the flag", (t) => {
  t.like(parse([]), { clusterName: "gatehouse", latticeEndpoint: undefined, awsRegion: undefined, gcpEndpoint: undefined, gcpProject: undefined });
  t.like(parse(["--cluster-name", "prod-1", "--lattice-endpoint", "http://127.0.0.1:4566/", "--aws-region", "us-west-2",
    "--gcp-endpoint", "http://127.0.0.1:8089", "--gcp-project", "my-project-1"]), {
    clusterName: "prod-1", latticeEndpoint: "http://127.0.0.1:4566", awsRegion: "us-west-2", gcpEndpoint: "http://127.0.0.1:8089", gcpProject: "my-project-1",
  });
  t.like(parse([], { GATEHOUSE_AWS_REGION: "eu-central-1" }), { awsRegion: "eu-central-1" });
  t.is(message(() => parse(["--lattice-endpoint", "ftp://x"])), '--lattice-endpoint: "ftp://x" is not http(s)://host[:port]');
  t.is(message(() => parse(["--gcp-endpoint", "http://x/compute/v1"])), '--gcp-endpoint: "http://x/compute/v1" is not http(s)://host[:port]');
  t.is(message(() => parse(["--aws-region", "mars"])), '--aws-region: "mars" is not an AWS region (e.g. us-west-2)');
  t.is(message(() => parse([], { GATEHOUSE_GCP_PROJECT: "X" })), '--gcp-project (from GATEHOUSE_GCP_PROJECT): "X" is not a GCP project id (6-30 of a-z 0-9 -, starting with a letter)');
  t.is(message(() => parse(["--cluster-name", "a b"])), '--cluster-name: "a b" is not a label value (1-63 of A-Z a-z 0-9 - _ .)');
});
