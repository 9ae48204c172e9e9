// Telemetry units: traceparent parsing, LocalProxyConfig accessLog/tracing fields and their
// errors, label classes, the histogram cells, snapshot merging, access log escaping and the
// drop counter of a full log buffer.
import test from "ava";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseLocalProxyConfig } from "../src/config/local-proxy-config.js";
import { LogSink, MAX_BUFFERED, isoTime, jsonString } from "../src/telemetry/access-log.js";
import { codeClass, methodClass } from "../src/telemetry/labels.js";
import { combine } from "../src/telemetry/merge.js";
import { CELL_SLOTS, HEAD_SLOTS, countRequest, stats } from "../src/telemetry/stats.js";
import { parseTraceparent, startTrace } from "../src/telemetry/trace.js";

test("traceparent: valid values parse; malformed ones do not", (t) => {
  t.deepEqual(parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), ["4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", 1]);
  t.deepEqual(parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"), ["4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", 0]);
  // A later version may add fields after a dash.
  t.deepEqual(parseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"), ["4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", 1]);
  for (const bad of [
    "", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
    `00-${"0".repeat(32)}-00f067aa0ba902b7-01`, `00-4bf92f3577b34da6a3ce929d0e0e4736-${"0".repeat(16)}-01`,
    "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",
    "0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
  ]) t.is(parseTraceparent(bad), null, bad);
});

test("startTrace: continues a valid parent, starts a new trace otherwise (ratio 0 never samples)", (t) => {
  const c = startTrace({ traceparent: ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"] }, 0);
  t.is(c.traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
  t.is(c.parentId, "00f067aa0ba902b7");
  t.true(c.sampled);
  t.regex(c.spanId, /^[0-9a-f]{16}$/);
  t.is(c.traceparent, `00-${c.traceId}-${c.spanId}-01`);
  const two = startTrace({ traceparent: ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"] }, 0);
  t.not(two.traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
  t.false(two.sampled);
  t.is(two.parentId, null);
  const ids = new Set<string>();
  for (let i = 0; i < 2000; i++) ids.add(startTrace({}, 1).traceId);
  t.is(ids.size, 2000);
  t.true(startTrace({}, 1).sampled);
});

test("LocalProxyConfig accessLog and tracing: values, defaults, errors naming the field", (t) => {
  const ok = parseLocalProxyConfig({
    accessLog: { enabled: true, sampleRatio: 0.25, path: "/var/log/gatehouse/access.log" },
    tracing: { enabled: true, sampleRatio: 0.1, otlpEndpoint: "http://otel-collector.observability:4318/v1/traces", serviceName: "edge" },
  });
  t.deepEqual(ok.errors, []);
  t.deepEqual(ok.config.telemetry, {
    accessLog: { enabled: true, sampleRatio: 0.25, path: "/var/log/gatehouse/access.log" },
    tracing: { enabled: true, sampleRatio: 0.1, otlpEndpoint: "http://otel-collector.observability:4318/v1/traces", serviceName: "edge" },
  });
  t.deepEqual(parseLocalProxyConfig({ accessLog: { path: "stderr" } }).config.telemetry.accessLog, { enabled: true, sampleRatio: 1, path: "stderr" });
  t.deepEqual(parseLocalProxyConfig({ tracing: { enabled: true } }).config.telemetry.tracing, { enabled: true, sampleRatio: 1, serviceName: "gatehouse-proxy" });

  const bad = parseLocalProxyConfig({
    accessLog: { enabled: "yes", sampleRatio: 2, path: "logs/access.log", format: "text" },
    tracing: { enabled: 1, sampleRatio: "all", otlpEndpoint: "otel:4318", serviceName: "a\"b" },
  });
  t.deepEqual(bad.errors, [
    "spec.accessLog.format: unknown field (known: enabled, sampleRatio, path)",
    'spec.accessLog.enabled: "yes" is not true or false',
    "spec.accessLog.sampleRatio: 2 is not between 0 and 1",
    'spec.accessLog.path: "logs/access.log" is not stdout, stderr or an absolute file path',
    "spec.tracing.enabled: 1 is not true or false",
    'spec.tracing.sampleRatio: "all" is not a number',
    'spec.tracing.otlpEndpoint: "otel:4318" is not an http or https URL',
    'spec.tracing.serviceName: "a\\"b" must be 1–128 printable ASCII characters without quotes or backslashes',
  ]);
  t.deepEqual(parseLocalProxyConfig({ tracing: { otlpEndpoint: "http://u:p@x:4318/v1/traces" } }).errors, ['spec.tracing.otlpEndpoint: "http://u:p@x:4318/v1/traces" must not carry credentials']);
  t.deepEqual(parseLocalProxyConfig({ accessLog: "on" }).errors, ["spec.accessLog: must be an object"]);
});

test("label classes", (t) => {
  t.deepEqual(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND"].map(methodClass), [0, 1, 2, 3, 4, 5, 6, 7, 7]);
  t.deepEqual([100, 204, 302, 404, 499, 503, 0, 600].map(codeClass), [0, 1, 2, 3, 3, 4, 4, 4]);
});

test("histogram cells and merging snapshots by labels", (t) => {
  const id = stats.series(["ns/units", "l", "ns/r", "0", "Service/ns/s:80", "http"]);
  countRequest(id, 0, 1, 0.0004); // first bucket (≤ 0.5 ms)
  countRequest(id, 0, 1, 0.003); // ≤ 5 ms
  countRequest(id, 0, 1, 100); // +Inf
  const d = stats.data[id]!;
  const at = HEAD_SLOTS + 1 * CELL_SLOTS;
  t.is(d[at], 1);
  t.is(d[at + 3], 1);
  t.is(d[at + CELL_SLOTS - 2], 1);
  t.is(d[at + CELL_SLOTS - 1], 0.0004 + 0.003 + 100);
  const snap = stats.snapshot();
  const mine = snap.series.find((s) => s.labels[0] === "ns/units")!;
  t.deepEqual(mine.cells.map(([c]) => c), [1]);
  const merged = combine([snap, snap]);
  const both = merged.series.find((s) => s.labels[0] === "ns/units")!;
  t.is(both.cells[0]![1][0], 2);
  t.is(both.cells[0]![1][CELL_SLOTS - 2], 2);
});

test("access log: JSON escaping of client text, cached timestamps", (t) => {
  t.is(jsonString("/plain/path?q=1"), '"/plain/path?q=1"');
  const nasty = '/a"b\\c\n\u0001é';
  t.is(JSON.parse(jsonString(nasty)), nasty);
  t.is(isoTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), "2026-01-02T03:04:05.678Z");
  t.is(isoTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678) + 0.4), "2026-01-02T03:04:05.678Z");
});

test("access log: lines reach the file in order; a full buffer drops lines and counts them", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-log-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "a.log");
  const sink = new LogSink(path);
  for (let i = 0; i < 1000; i++) sink.append(`{"n":${i}}\n`);
  await sink.idle();
  const got = readFileSync(path, "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { n: number }).n);
  t.deepEqual(got, Array.from({ length: 1000 }, (_, i) => i));

  // More than MAX_BUFFERED in one go (no write can happen meanwhile): the rest is dropped and counted.
  const line = `${"x".repeat(1023)}\n`;
  const n = Math.floor(MAX_BUFFERED / line.length) + 100;
  const dropped0 = stats.accessLogDropped;
  const written0 = stats.accessLogWritten;
  for (let i = 0; i < n; i++) sink.append(line);
  const dropped = stats.accessLogDropped - dropped0;
  t.true(dropped >= 100 && dropped < n, String(dropped));
  await sink.close();
  t.is(stats.accessLogWritten - written0, n - dropped);
  t.is(readFileSync(path, "utf8").split("\n").length - 1, 1000 + n - dropped);

  // A file that cannot be opened: lines are dropped and counted, nothing throws.
  const broken = new LogSink(join(dir, "missing", "dir", "a.log"));
  const before = stats.accessLogDropped;
  broken.append("{}\n");
  await broken.idle();
  t.is(stats.accessLogDropped - before, 1);
});
