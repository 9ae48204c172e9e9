// Spawns the built CLI the way users run it (node dist/src/main.js) and checks output and
// exit codes. Needs `tsc -b` first (the package's build does it).
import test from "ava";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const main = join(root, "operator/dist/src/main.js");

function gatehouse(...args: string[]) {
  // The timeout is for liveness only: `standalone` with a good config serves until stopped.
  const r = spawnSync(process.execPath, [main, "--log-level", "silent", ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempConfig(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-cli-"));
  const file = join(dir, "standalone.yaml");
  writeFileSync(file, text);
  return file;
}

interface Output {
  statuses: { kind: string; namespace: string; name: string; status: { conditions?: { type: string; status: string }[] } }[];
  desiredState: { gateways: { key: string; listeners: { name: string }[] }[] };
}

/** The committed example manifests (not the TLS Secret the quick start generates at run time). */
function committedExamples(): string {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-cli-examples-"));
  cpSync(join(root, "examples/manifests"), dir, { recursive: true, filter: (src) => !src.endsWith(".generated.yaml") });
  return dir;
}

interface ListenerStatus { name: string; conditions: { type: string; status: string; reason: string }[] }

test("compute -f examples/manifests prints statuses and desired state as YAML", (t) => {
  // (standalone serves the same manifests; its tests are standalone-*.test.ts)
  const r = gatehouse("compute", "-f", committedExamples());
  t.is(r.code, 0, r.stderr);
  const out = parse(r.stdout) as Output;
  t.true(Array.isArray(out.statuses));
  t.true(Array.isArray(out.desiredState.gateways));
  const gw = out.statuses.find((s) => s.kind === "Gateway" && s.namespace === "default" && s.name === "demo");
  t.truthy(gw, "a status for Gateway default/demo");
  t.true((gw?.status.conditions ?? []).some((c) => c.type === "Accepted" && c.status === "True"));
  // Without the Secret the quick start generates, the https listener is the one left out, saying why.
  t.deepEqual(
    out.desiredState.gateways.find((g) => g.key === "default/demo")?.listeners.map((l) => l.name).sort(),
    ["http", "tcp"],
  );
  const https = ((gw?.status as { listeners?: ListenerStatus[] }).listeners ?? []).find((l) => l.name === "https");
  t.like(https?.conditions.find((c) => c.type === "ResolvedRefs"), { status: "False", reason: "InvalidCertificateRef" });
});

test("output never carries PEM blocks (certificates and keys become fingerprints)", (t) => {
  const r = gatehouse("compute", "-f", "examples/manifests");
  t.is(r.code, 0, r.stderr);
  t.false(r.stdout.includes("-----BEGIN"));
  t.false(r.stdout.includes("PRIVATE KEY-----"));
});

test("compute -f accepts several files and directories", (t) => {
  const r = gatehouse("compute", "-f", "examples/manifests/10-gatewayclass.yaml", "-f", "examples/manifests/20-gateway.yaml");
  t.is(r.code, 0, r.stderr);
  t.true(Array.isArray((parse(r.stdout) as Output).statuses));
});

test("an unknown flag exits 2 with one line on stderr and a suggestion", (t) => {
  const r = gatehouse("standalone", "--confg", "examples/standalone.yaml");
  t.is(r.code, 2);
  t.is(r.stdout, "");
  t.is(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
  t.regex(r.stderr, /^gatehouse: unknown option '--confg' \(Did you mean --config\?\)\n$/);
});

test("an unknown command exits 2 with one line", (t) => {
  const r = gatehouse("frobnicate");
  t.is(r.code, 2);
  t.is(r.stderr, "gatehouse: unknown command 'frobnicate'\n");
});

test("a missing config file is named", (t) => {
  const r = gatehouse("standalone", "--config", "examples/nope.yaml");
  t.is(r.code, 2);
  t.is(r.stderr, "gatehouse: examples/nope.yaml: no such file\n");
});

test("a missing manifest names the config file, the field and the path", (t) => {
  const cfg = tempConfig("controllerName: gatehouse.dev/local\nmanifests:\n  - present\n  - missing.yaml\n");
  writeFileSync(join(cfg, "..", "present"), "");
  const r = gatehouse("standalone", "--config", cfg);
  t.is(r.code, 2);
  t.is(r.stderr.trimEnd().split("\n").length, 1);
  t.true(r.stderr.startsWith(`gatehouse: ${cfg}: manifests[1]: no such file: `), r.stderr);
  t.true(r.stderr.trimEnd().endsWith("missing.yaml"));
  t.false(r.stderr.includes("    at "), "no stack trace");
});

test("bad config fields are named", (t) => {
  const cases: [string, RegExp][] = [
    ["manifests: examples\n", /: manifests: expected a non-empty list/],
    ["manifests: []\n", /: manifests: expected a non-empty list/],
    ["manifests: [3]\n", /: manifests\[0\]: expected a path, got 3/],
    ["controllerName: 5\nmanifests: [x]\n", /: controllerName: 5 is not a domain-prefixed path/],
    ["manifest: [x]\n", /: manifest: unknown field/],
    ["- a\n", /: expected a mapping/],
    ["manifests: [a\n", /: line 2, column 1: /],
  ];
  for (const [text, want] of cases) {
    const r = gatehouse("standalone", "--config", tempConfig(text));
    t.is(r.code, 2, text);
    t.regex(r.stderr, want, text);
    t.is(r.stderr.trimEnd().split("\n").length, 1, text);
  }
});

test("a manifest that does not parse is named with its line", (t) => {
  const cfg = tempConfig("manifests: [bad.yaml]\n");
  writeFileSync(join(cfg, "..", "bad.yaml"), "kind: Gateway\n---\nkind: HTTPRoute\n  spec: [\n");
  const r = gatehouse("standalone", "--config", cfg);
  t.is(r.code, 2);
  t.regex(r.stderr, /bad\.yaml: line \d+, column \d+: /);
});

test("compute without -f exits 2", (t) => {
  const r = gatehouse("compute");
  t.is(r.code, 2);
  t.regex(r.stderr, /^gatehouse: compute: -f, --filename <path> is required/);
});

test("version and --help exit 0", (t) => {
  const v = gatehouse("version");
  t.is(v.code, 0);
  t.regex(v.stdout, /^gatehouse \d+\.\d+\.\d+ \(Gateway API v1\.6\.3, Node\.js v\d+/);
  const h = gatehouse("--help");
  t.is(h.code, 0);
  for (const cmd of ["standalone", "compute", "version"]) t.true(h.stdout.includes(cmd));
});
