// The pieces of standalone mode in-process: the snapshot builder (what an API server would
// have stored), the type checks, the status text, the printing sink, the flags and the
// FileSource's reload (called directly: no watching, no timing).
import test from "ava";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { StatusUpdate } from "@gatehouse/status";
import { loadStandaloneConfig } from "../src/config.js";
import { UsageError } from "../src/errors.js";
import { FileSource } from "../src/standalone/file-source.js";
import { parseStandaloneOptions } from "../src/standalone/options.js";
import type { Output } from "../src/standalone/output.js";
import { readManifests, type ReadObject } from "../src/standalone/read.js";
import { fieldPath, typeProblems } from "../src/standalone/schema-check.js";
import { SnapshotBuilder } from "../src/standalone/snapshot.js";
import { PrintingStatusSink } from "../src/standalone/status-printer.js";
import { statusText, type StatusTextContext } from "../src/standalone/status-text.js";
import { gatewayYaml, routeYaml, tempDir, write } from "./standalone-harness.js";

const NOW = "2026-01-01T00:00:00Z";

function obj(kind: ReadObject["kind"], key: string, object: Record<string, unknown>): ReadObject {
  return { kind, key, object, origin: "test.yaml:1" };
}

function route(name: string, path: string, extra: Record<string, unknown> = {}): ReadObject {
  return obj("HTTPRoute", `default/${name}`, {
    apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name, ...extra },
    spec: { parentRefs: [{ name: "gw" }], rules: [{ matches: [{ path: { type: "PathPrefix", value: path } }] }] },
    status: { parents: [] },
  });
}

function recordingOutput(): Output & { printed: string[]; problems: string[] } {
  const printed: string[] = [];
  const problems: string[] = [];
  return { printed, problems, print: (t) => void printed.push(t), problem: (l) => void problems.push(l) };
}

test("snapshot: namespace defaulted, status dropped, generation 1, creationTimestamp and resourceVersion set", (t) => {
  const b = new SnapshotBuilder();
  const { snapshot, changes } = b.build([route("a", "/")], NOW);
  const r = snapshot.HTTPRoute[0] as unknown as { metadata: Record<string, unknown>; status?: unknown };
  t.is(r.metadata.namespace, "default");
  t.is(r.metadata.generation, 1);
  t.is(r.metadata.creationTimestamp, NOW);
  t.is(typeof r.metadata.resourceVersion, "string");
  t.is(r.status, undefined);
  t.deepEqual(changes, { added: ["HTTPRoute default/a"], changed: [], removed: [] });
});

test("snapshot: a missing Namespace is created with its metadata.name label; a declared one gets the label", (t) => {
  const b = new SnapshotBuilder();
  const ns = obj("Namespace", "apps", { apiVersion: "v1", kind: "Namespace", metadata: { name: "apps", labels: { team: "x" } } });
  const { snapshot, changes } = b.build([route("a", "/"), ns], NOW);
  const byName = new Map(snapshot.Namespace.map((n) => [n.metadata?.name, n.metadata?.labels]));
  t.deepEqual(byName.get("default"), { "kubernetes.io/metadata.name": "default" });
  t.deepEqual(byName.get("apps"), { team: "x", "kubernetes.io/metadata.name": "apps" });
  t.deepEqual(changes.added, ["HTTPRoute default/a", "Namespace apps"], "created namespaces are not reported as changes");
});

test("snapshot: unchanged objects keep their identity; a spec change bumps generation, a label change does not", (t) => {
  const b = new SnapshotBuilder();
  const first = b.build([route("a", "/"), route("b", "/b")], NOW).snapshot;
  const second = b.build([route("a", "/"), route("b", "/b2")], "2026-01-01T00:00:05Z");
  t.is(second.snapshot.HTTPRoute[0], first.HTTPRoute[0], "a: same object");
  const b2 = second.snapshot.HTTPRoute[1] as unknown as { metadata: Record<string, unknown> };
  t.not(second.snapshot.HTTPRoute[1], first.HTTPRoute[1]);
  t.is(b2.metadata.generation, 2);
  t.is(b2.metadata.creationTimestamp, NOW, "created when first seen");
  t.deepEqual(second.changes, { added: [], changed: ["HTTPRoute default/b"], removed: [] });

  const third = b.build([route("b", "/b2", { labels: { x: "y" } })], NOW);
  const b3 = third.snapshot.HTTPRoute[0] as unknown as { metadata: Record<string, unknown> };
  t.is(b3.metadata.generation, 2);
  t.not(b3.metadata.resourceVersion, b2.metadata.resourceVersion);
  t.deepEqual(third.changes, { added: [], changed: ["HTTPRoute default/b"], removed: ["HTTPRoute default/a"] });
});

test("type checks: wrong types are named by field path; values are the graph's business", (t) => {
  const gw = {
    apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway",
    metadata: { name: "gw", labels: { "app.kubernetes.io/name": 5 } },
    spec: { gatewayClassName: "c", listeners: [{ name: "http", port: "80", protocol: "NOPE" }, { name: "x", port: 99999, protocol: "HTTP" }] },
  };
  t.deepEqual(typeProblems(gw), [
    { field: 'metadata.labels["app.kubernetes.io/name"]', message: "expected a string, got a number 5" },
    { field: "spec.listeners[0].port", message: 'expected an integer, got a string "80"' },
  ]);
  t.deepEqual(typeProblems({ apiVersion: "example.com/v1", kind: "Gateway", spec: 5 }), [], "no schema: not checked");
  t.is(fieldPath([]), "(object)");
  t.is(fieldPath(["spec", "rules", "0", "filters"]), "spec.rules[0].filters");
});

const ctx: StatusTextContext = {
  controllerName: "gatehouse.dev/local",
  portOffset: 8000,
  lookup: (kind) => kind === "Gateway"
    ? { spec: { listeners: [{ name: "http", port: 80, protocol: "HTTP" }, { name: "https", port: 443, protocol: "HTTPS" }] } }
    : undefined,
};

const cond = (type: string, status: string, reason: string, message = `${type} message`) =>
  ({ type, status, reason, message, observedGeneration: 1, lastTransitionTime: NOW });

test("status text: a Gateway's headline, its address, each listener with its port, and messages only for what is wrong", (t) => {
  const u: StatusUpdate = {
    kind: "Gateway", namespace: "default", name: "demo", generation: 1,
    status: {
      addresses: [{ type: "IPAddress", value: "127.0.0.1" }],
      conditions: [cond("Accepted", "True", "Accepted"), cond("Programmed", "True", "Programmed")],
      listeners: [
        { name: "http", attachedRoutes: 2, conditions: [cond("Accepted", "True", "Accepted"), cond("Conflicted", "False", "NoConflicts"), cond("Programmed", "True", "Programmed")] },
        { name: "https", attachedRoutes: 1, conditions: [cond("ResolvedRefs", "False", "InvalidCertificateRef", "Secret default/tls does not exist"), cond("Programmed", "False", "Invalid", "the listener is invalid")] },
      ],
    },
  };
  t.is(statusText(u, ctx), [
    "Gateway default/demo: Programmed=True (Programmed), addresses 127.0.0.1",
    "  listener http (HTTP 80, served on 8080): Programmed=True (Programmed), 2 routes",
    "  listener https (HTTPS 443, served on 8443): Programmed=False (Invalid), ResolvedRefs=False (InvalidCertificateRef), 1 route",
    "      Programmed: the listener is invalid",
    "      ResolvedRefs: Secret default/tls does not exist",
  ].join("\n"));
});

test("status text: a route shows its parents of our controller, with reasons and messages", (t) => {
  const u: StatusUpdate = {
    kind: "HTTPRoute", namespace: "default", name: "app", generation: 1,
    status: {
      parents: [
        { parentRef: { name: "demo", sectionName: "http" }, controllerName: "gatehouse.dev/local",
          conditions: [cond("Accepted", "True", "Accepted"), cond("ResolvedRefs", "False", "BackendNotFound", "spec.rules[0].backendRefs[0]: Service default/x not found")] },
        { parentRef: { name: "other" }, controllerName: "example.com/other", conditions: [cond("Accepted", "False", "NotAllowedByListeners")] },
      ],
    },
  };
  t.is(statusText(u, ctx), [
    "HTTPRoute default/app",
    "  parent Gateway default/demo section http: Accepted=True (Accepted), ResolvedRefs=False (BackendNotFound)",
    "      ResolvedRefs: spec.rules[0].backendRefs[0]: Service default/x not found",
  ].join("\n"));
  t.is(statusText({ ...u, status: { parents: [] } }, ctx), "HTTPRoute default/app: not attached to any Gateway of gatehouse.dev/local");
});

test("printing sink: prints a block only when its text changed; a forgotten object prints again", async (t) => {
  const out = recordingOutput();
  const sink = new PrintingStatusSink(out, ctx);
  const gc = (reason: string, time: string): StatusUpdate => ({
    kind: "GatewayClass", namespace: "", name: "local", generation: 1,
    status: { conditions: [{ ...cond("Accepted", "True", reason), lastTransitionTime: time }] },
  });
  t.deepEqual(await sink.write([gc("Accepted", NOW)]), { written: 1, unchanged: 0, conflicts: 0, errors: [] });
  t.deepEqual(await sink.write([gc("Accepted", "2026-01-02T00:00:00Z")]), { written: 0, unchanged: 1, conflicts: 0, errors: [] }, "times are not shown");
  sink.forget("GatewayClass local");
  await sink.write([gc("Accepted", NOW)]);
  t.deepEqual(out.printed, ["GatewayClass local: Accepted=True (Accepted)", "GatewayClass local: Accepted=True (Accepted)"]);
});

test("flags: defaults, CIDR lists, a bare address is a /32", (t) => {
  t.deepEqual(parseStandaloneOptions({ config: "x" }, "error"),
    { config: "x", portOffset: 0, workers: undefined, addressPool: undefined, debounceMs: 100, logLevel: "error" });
  const o = parseStandaloneOptions({ config: "x", portOffset: "8000", workers: "2", addressPool: ["127.1.0.0/16, 127.2.0.1", "127.3.0.0/24"] }, "info");
  t.is(o.portOffset, 8000);
  t.is(o.workers, 2);
  t.deepEqual(o.addressPool, ["127.1.0.0/16", "127.2.0.1/32", "127.3.0.0/24"]);
  t.throws(() => parseStandaloneOptions({ config: "x", addressPool: [","] }, "info"), { instanceOf: UsageError, message: "--address-pool: names no CIDR" });
});

test("--config takes a directory or a manifest file as well as a config file", async (t) => {
  const dir = tempDir();
  write(dir, "gw.yaml", gatewayYaml());
  t.like(await loadStandaloneConfig(dir), { source: "directory", controllerName: "gatehouse.dev/local" });
  t.like(await loadStandaloneConfig(join(dir, "gw.yaml")), { source: "manifest" });
  write(dir, "one.yaml", routeYaml("a", "/", "b"));
  t.like(await loadStandaloneConfig(join(dir, "one.yaml")), { source: "manifest" });
  write(dir, "cfg.yaml", "manifests: [gw.yaml]\n");
  t.like(await loadStandaloneConfig(join(dir, "cfg.yaml")), { source: "config" });
});

test("FileSource reload: a good change swaps the snapshot and notifies; a bad one keeps it and reports once", async (t) => {
  const dir = tempDir();
  write(dir, "gw.yaml", gatewayYaml());
  write(dir, "a.yaml", routeYaml("a", "/a", "x"));
  const config = await loadStandaloneConfig(dir);
  const initial = await readManifests(config);
  t.deepEqual(initial.problems, []);
  const out = recordingOutput();
  const removed: string[] = [];
  const src = new FileSource({ config, initial, debounceMs: 10, out, now: () => NOW, onRemoved: (ids) => void removed.push(...ids) });
  let changes = 0;
  src.onChange(() => changes++);
  const before = src.snapshot();
  t.deepEqual(before.HTTPRoute.map((r) => r.metadata?.name), ["a"]);

  await src.reload();
  t.is(src.snapshot(), before, "nothing changed: same snapshot");
  t.is(changes, 0);

  write(dir, "b.yaml", routeYaml("b", "/b", "x"));
  await src.reload();
  t.deepEqual(src.snapshot().HTTPRoute.map((r) => r.metadata?.name), ["a", "b"]);
  t.is(src.snapshot().HTTPRoute[0], before.HTTPRoute[0], "a kept its identity");
  t.is(changes, 1);
  t.deepEqual(out.printed, ["reloaded: + HTTPRoute default/b"]);

  // Without apiVersion there is no schema to check against: the object goes to the graph as is.
  write(dir, "b.yaml", "kind: HTTPRoute\nmetadata: { name: b }\nspec: { parentRefs: 7 }\n");
  await src.reload();
  t.is(changes, 2);
  t.deepEqual(out.problems, []);
  t.deepEqual(out.printed, ["reloaded: + HTTPRoute default/b", "reloaded: ~ HTTPRoute default/b"]);

  write(dir, "b.yaml", "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: { name: b }\nspec: { parentRefs: 7 }\n");
  const kept = src.snapshot();
  await src.reload();
  await src.reload();
  t.is(src.snapshot(), kept, "last good snapshot kept");
  t.is(changes, 2);
  t.deepEqual(out.problems, [
    `${join(dir, "b.yaml")}:1: HTTPRoute default/b: spec.parentRefs: expected an array, got a number 7 (not reloaded: still serving the last good config)`,
  ], "reported once");

  // Back to the serving content: nothing to swap, but the fix is acknowledged.
  write(dir, "b.yaml", "kind: HTTPRoute\nmetadata: { name: b }\nspec: { parentRefs: 7 }\n");
  await src.reload();
  t.is(src.snapshot(), kept);
  t.is(out.printed.at(-1), "reloaded: the files read cleanly again; nothing changed");

  rmSync(join(dir, "b.yaml"));
  await src.reload();
  t.deepEqual(src.snapshot().HTTPRoute.map((r) => r.metadata?.name), ["a"]);
  t.deepEqual(removed, ["HTTPRoute default/b"]);
  await src.stop();
});
