// `gatehouse run` settings of the local proxy: address mode, pod selector, pool, internal
// ports, workers.
import test from "ava";
import { UsageError } from "../src/errors.js";
import { defaultSettings, parseSettings, type RawSettings } from "../src/run/settings.js";

function parse(values: Record<string, unknown>, env: Record<string, string> = {}): ReturnType<typeof parseSettings> {
  const raw: RawSettings = { values: { logLevel: "info", ...values }, source: (f) => (f in values ? "cli" : "default"), env };
  return parseSettings(raw);
}

const message = (f: () => unknown) => {
  try { f(); } catch (e) { if (e instanceof UsageError) return e.message; throw e; }
  return "no error";
};

const base = { leaseDuration: "15s", renewDeadline: "10s", retryPeriod: "2s", debounce: "100ms", maxDebounce: "500ms", resyncPeriod: "10m", metricsAddress: ":9090", healthAddress: ":8081" };

test("defaults: loopback outside a pod, incluster in one (KUBERNETES_SERVICE_HOST)", (t) => {
  t.like(parse(base), {
    localAddresses: "loopback", proxyPodSelector: { "app.kubernetes.io/name": "gatehouse" }, addressPool: ["127.1.0.0/16"],
    internalPorts: { from: 20000, to: 29999 }, proxyWorkers: undefined,
  });
  t.is(parse(base, { KUBERNETES_SERVICE_HOST: "10.0.0.1" }).localAddresses, "incluster");
  t.is(parse({ ...base, localAddresses: "loopback" }, { KUBERNETES_SERVICE_HOST: "10.0.0.1" }).localAddresses, "loopback", "the flag wins");
  t.is(defaultSettings().localAddresses, "loopback");
});

test("values", (t) => {
  t.like(parse({ ...base, proxyPodSelector: "app=gh,example.com/role=proxy", addressPool: ["127.2.0.0/24", "127.3.0.0/24,127.2.0.0/24"], internalPorts: "30000 - 30100", proxyWorkers: "0" }), {
    proxyPodSelector: { app: "gh", "example.com/role": "proxy" }, addressPool: ["127.2.0.0/24", "127.3.0.0/24"],
    internalPorts: { from: 30000, to: 30100 }, proxyWorkers: 0,
  });
});

test("bad values: one line naming the flag", (t) => {
  t.is(message(() => parse({ ...base, localAddresses: "cloud" })), '--local-addresses: "cloud" is not incluster or loopback');
  t.is(message(() => parse({ ...base, proxyPodSelector: "app" })), '--proxy-pod-selector: "app" is not key=value with a label key and value');
  t.is(message(() => parse({ ...base, proxyPodSelector: "," })), '--proxy-pod-selector: "," selects nothing (an empty selector would match every pod)');
  t.regex(message(() => parse({ ...base, addressPool: ["127.1.0.1/16"] })), /^--address-pool: "127.1.0.1\/16" is not a list of IPv4 CIDRs: .*not a network address/);
  t.is(message(() => parse({ ...base, internalPorts: "30000-20000" })), '--internal-ports: "30000-20000" is not a port range from-to within 1-65535 (e.g. 20000-29999)');
  t.is(message(() => parse({ ...base, proxyWorkers: "many" })), '--proxy-workers: "many" is not a number of workers (0 to 1024) or auto');
});
