// LocalProxyConfig spec parser: values, defaults, and errors naming the field path.
import test from "ava";
import { formatDuration, parseDuration } from "../src/config/duration.js";
import { parseBytes } from "../src/config/bytes.js";
import { parseLocalProxyConfig } from "../src/config/local-proxy-config.js";
import { DEFAULT_PROXY_SETTINGS, resolveSettings } from "../src/runtime/settings.js";

test("defaults", (t) => {
  t.deepEqual(DEFAULT_PROXY_SETTINGS, {
    maxRequestHeaderBytes: 16384, maxRequestBodyBytes: 0, requestHeadersTimeoutMs: 10_000, idleTimeoutMs: 60_000,
    upstreamConnectTimeoutMs: 5000, upstreamIdleTimeoutMs: 30_000, maxConnectionsPerEndpoint: 1024, ejectionMs: 5000,
    drainTimeoutMs: 30_000, streamIdleTimeoutMs: 3_600_000, udpIdleTimeoutMs: 60_000,
  });
  for (const spec of [undefined, null, {}]) {
    t.deepEqual(parseLocalProxyConfig(spec), {
      config: {
        settings: {}, service: { type: "LoadBalancer", labels: {}, annotations: {} }, addresses: { pool: [] },
        telemetry: { accessLog: { enabled: true, sampleRatio: 1, path: "stdout" }, tracing: { enabled: false, sampleRatio: 1, serviceName: "gatehouse-proxy" } },
      },
      errors: [],
    });
  }
});

test("Gateway API durations (GEP-2257)", (t) => {
  t.is(parseDuration("10s"), 10_000);
  t.is(parseDuration("1m"), 60_000);
  t.is(parseDuration("500ms"), 500);
  t.is(parseDuration("1h30m"), 5_400_000);
  t.is(parseDuration("1h30m30s500ms"), 5_430_500);
  t.is(parseDuration("0s"), 0);
  t.is(parseDuration("00060m"), 3_600_000);
  for (const bad of ["10x", "", "1.5s", "-1s", "1d", "10", "123456s", "1h1h1h1h1h", " 1s", "1us"]) t.is(parseDuration(bad), undefined, bad);
  t.is(formatDuration(5_430_500), "1h30m30s500ms");
  t.is(formatDuration(0), "0s");
  t.is(parseBytes("16Ki"), 16384);
  t.is(parseBytes("1Mi"), 1_048_576);
  t.is(parseBytes("2k"), 2000);
  t.is(parseBytes(100), 100);
  t.is(parseBytes(-1), undefined);
  t.is(parseBytes("1.5Mi"), undefined);
});

test("a full spec", (t) => {
  const { config, errors } = parseLocalProxyConfig({
    limits: { maxRequestHeaderBytes: "32Ki", maxRequestBodyBytes: 10_485_760 },
    timeouts: { requestHeaders: "5s", idle: "2m", upstreamConnect: "1s", upstreamIdle: "45s", drain: "0s", streamIdle: "30m", udpIdle: "90s" },
    upstream: { maxConnectionsPerEndpoint: 64, ejection: "10s" },
    service: { type: "NodePort", labels: { team: "edge", "example.com/tier": "front" }, annotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" } },
    addresses: { pool: ["127.2.0.0/24", "127.3.0.0/24"] },
  });
  t.deepEqual(errors, []);
  t.deepEqual(resolveSettings(config.settings), {
    maxRequestHeaderBytes: 32768, maxRequestBodyBytes: 10_485_760, requestHeadersTimeoutMs: 5000, idleTimeoutMs: 120_000,
    upstreamConnectTimeoutMs: 1000, upstreamIdleTimeoutMs: 45_000, maxConnectionsPerEndpoint: 64, ejectionMs: 10_000,
    drainTimeoutMs: 0, streamIdleTimeoutMs: 1_800_000, udpIdleTimeoutMs: 90_000,
  });
  t.deepEqual(config.service, {
    type: "NodePort",
    labels: { "example.com/tier": "front", team: "edge" },
    annotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" },
  });
  t.deepEqual(config.addresses, { pool: ["127.2.0.0/24", "127.3.0.0/24"] });
});

test("partial specs override only what they set", (t) => {
  const { config, errors } = parseLocalProxyConfig({ timeouts: { idle: "10s" } });
  t.deepEqual(errors, []);
  t.deepEqual(config.settings, { idleTimeoutMs: 10_000 });
  t.is(resolveSettings(config.settings).drainTimeoutMs, 30_000);
});

test("errors name the field path; valid fields still parse", (t) => {
  const { config, errors } = parseLocalProxyConfig({
    limits: { maxRequestHeaderBytes: 100, maxRequestBodyBytes: "lots" },
    timeouts: { idle: "10x", requestHeaders: 10, upstreamConnect: "0s", drain: "1000h", udpIdle: "30s" },
    upstream: { maxConnectionsPerEndpoint: 1.5, ejection: "1m", retries: 3 },
    service: { type: "External", labels: { "bad key!": "x", ok: "not ok!" }, annotations: { a: 1 } },
    addresses: { pool: ["127.2.0.1/24", "nope"] },
    extra: true,
  });
  t.deepEqual(errors, [
    "spec.extra: unknown field (known: limits, timeouts, upstream, service, addresses, accessLog, tracing)",
    "spec.limits.maxRequestHeaderBytes: 100 is not between 1024 and 1048576",
    'spec.limits.maxRequestBodyBytes: "lots" is not a byte size (an integer or a quantity such as "16Ki", "1Mi")',
    'spec.timeouts.requestHeaders: 10 is not a duration (a string such as "10s", "1m", "500ms", "1h30m")',
    'spec.timeouts.idle: "10x" is not a duration',
    'spec.timeouts.upstreamConnect: "0s" must be greater than 0s',
    'spec.timeouts.drain: "1000h" is too long (at most 596h)',
    "spec.upstream.retries: unknown field (known: maxConnectionsPerEndpoint, ejection)",
    "spec.upstream.maxConnectionsPerEndpoint: 1.5 is not an integer",
    'spec.service.type: "External" is not one of LoadBalancer, NodePort, ClusterIP',
    "spec.service.labels.bad key!: the key is not a valid label/annotation name (alphanumerics, '-', '_', '.', at most 63 characters)",
    "spec.service.labels.ok: \"not ok!\" is not a valid label value (alphanumerics, '-', '_', '.', at most 63 characters)",
    "spec.service.annotations.a: 1 is not a string",
    'spec.addresses.pool[0]: "127.2.0.1/24" is not a network address (did you mean 127.2.0.0/24?)',
    'spec.addresses.pool[1]: "nope" is not an IPv4 CIDR (expected e.g. "127.1.0.0/16")',
  ]);
  t.deepEqual(config.settings, { udpIdleTimeoutMs: 30_000, ejectionMs: 60_000 });
});

test("wrong shapes never throw", (t) => {
  for (const spec of [1, "x", [], { limits: 1 }, { timeouts: [] }, { service: { labels: [] } }, { addresses: { pool: "127.0.0.0/8" } }, { addresses: { pool: [] } }]) {
    const r = parseLocalProxyConfig(spec);
    t.is(r.errors.length, 1, JSON.stringify(spec));
  }
  t.deepEqual(parseLocalProxyConfig([]).errors, ["spec: must be an object"]);
  t.deepEqual(parseLocalProxyConfig({ limits: 1 }).errors, ["spec.limits: must be an object"]);
  t.deepEqual(parseLocalProxyConfig({ addresses: { pool: [] } }).errors, ["spec.addresses.pool: must not be empty (leave it out for the default pool)"]);
});
