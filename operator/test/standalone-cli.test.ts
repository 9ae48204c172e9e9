// `gatehouse standalone` usage errors: a bad flag or config, or manifests that do not read
// cleanly at start (nothing good to serve yet), print one line per problem and exit 2.
import test from "ava";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { MAIN, gatewayYaml, tempDir, write } from "./standalone-harness.js";

function standalone(...args: string[]) {
  // The timeout is for liveness only (a config that starts would serve until stopped).
  const r = spawnSync(process.execPath, [MAIN, "standalone", ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, lines: r.stderr.trimEnd().split("\n") };
}

function goodDir(): string {
  const dir = tempDir();
  write(dir, "gateway.yaml", gatewayYaml({ address: "127.253.0.1" }));
  return dir;
}

test("bad flags: one line naming the flag, exit 2", (t) => {
  const dir = goodDir();
  const cases: [string[], RegExp][] = [
    [["--port-offset", "-5"], /^gatehouse: --port-offset: "-5" is not a whole number from 0 to 65535\n$/],
    [["--port-offset", "8k"], /^gatehouse: --port-offset: "8k" is not a whole number/],
    [["--workers", "0"], /^gatehouse: --workers: "0" is not a whole number from 1 to 256\n$/],
    [["--address-pool", "127.0.0.0/40"], /^gatehouse: --address-pool: "127\.0\.0\.0\/40" is not an IPv4 CIDR/],
    [["--address-pool", "localhost"], /^gatehouse: --address-pool: "localhost" is not an IPv4 CIDR/],
    [["--port-ofset", "1"], /^gatehouse: unknown option '--port-ofset' \(Did you mean --port-offset\?\)\n$/],
  ];
  for (const [flags, want] of cases) {
    const r = standalone("--config", dir, ...flags);
    t.is(r.code, 2, flags.join(" "));
    t.is(r.lines.length, 1, r.stderr);
    t.regex(r.stderr, want);
    t.is(r.stdout, "");
  }
});

test("no --config, a missing path: exit 2", (t) => {
  const none = standalone();
  t.is(none.code, 2);
  t.regex(none.stderr, /^gatehouse: standalone: -c, --config <file-or-dir> is required/);
  const missing = standalone("--config", "/nonexistent/gatehouse");
  t.is(missing.code, 2);
  t.is(missing.stderr, "gatehouse: /nonexistent/gatehouse: no such file\n");
});

test("manifests that do not read cleanly at start: each problem names file, object and field; exit 2", (t) => {
  const dir = goodDir();
  write(dir, "route.yaml", [
    "apiVersion: gateway.networking.k8s.io/v1",
    "kind: HTTPRoute",
    "metadata: { name: r, namespace: apps }",
    "spec:",
    "  parentRefs: [{ name: gw, port: eighty }]",
    "  hostnames: example.com",
    "",
  ].join("\n"));
  const r = standalone("--config", dir);
  t.is(r.code, 2);
  t.deepEqual(r.lines, [
    `gatehouse: ${join(dir, "route.yaml")}:1: HTTPRoute apps/r: spec.parentRefs[0].port: expected an integer, got a string "eighty"`,
    `gatehouse: ${join(dir, "route.yaml")}:1: HTTPRoute apps/r: spec.hostnames: expected an array, got a string "example.com"`,
  ].sort((a, b) => r.lines.indexOf(a) - r.lines.indexOf(b)));
});

test("an object without kind, or without metadata.name, or defined twice", (t) => {
  const cases: [string, RegExp][] = [
    ["metadata: { name: x }\n", /^gatehouse: \S+bad\.yaml:1: kind: missing/],
    ["apiVersion: v1\nkind: Service\nmetadata: {}\n", /^gatehouse: \S+bad\.yaml:1: Service: metadata\.name: missing\n$/],
    ["apiVersion: v1\nkind: Service\n", /^gatehouse: \S+bad\.yaml:1: Service: metadata\.name: missing \(no metadata\)\n$/],
    ["- a\n- b\n", /^gatehouse: \S+bad\.yaml:1: expected a Kubernetes object/],
    ["apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: { name: gw }\nspec: {}\n",
      /^gatehouse: \S+gateway\.yaml:\d+: Gateway default\/gw: defined twice \(also at \S+bad\.yaml:1\)\n$/],
    ["kind: Service\nmetadata:\n  name: a\n  labels: [\n", /^gatehouse: \S+bad\.yaml: line \d+, column \d+: /],
  ];
  for (const [text, want] of cases) {
    const dir = goodDir();
    write(dir, "bad.yaml", text);
    const r = standalone("--config", dir);
    t.is(r.code, 2, text);
    t.is(r.lines.length, 1, r.stderr);
    t.regex(r.stderr, want, text);
  }
});

test("a bad config file is named with its field", (t) => {
  const dir = goodDir();
  const cfg = join(dir, "standalone.yaml");
  write(dir, "standalone.yaml", "controllerName: gatehouse.dev/local\nmanifests: [gateway.yaml, missing]\n");
  const r = standalone("--config", cfg);
  t.is(r.code, 2);
  t.regex(r.stderr, /^gatehouse: \S+standalone\.yaml: manifests\[1\]: no such file: \S+missing\n$/);
  write(dir, "standalone.yaml", "controllerName: nope\nmanifests: [gateway.yaml]\n");
  t.regex(standalone("--config", cfg).stderr, /: controllerName: "nope" is not a domain-prefixed path/);
});
