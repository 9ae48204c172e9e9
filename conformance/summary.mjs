#!/usr/bin/env node
// Prints a conformance report's counts per profile (core passed/total, extended
// passed/claimed) and the failed tests from the `go test -v` log.
//   node conformance/summary.mjs <report.yaml> [conformance.log]
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const [reportPath, logPath] = process.argv.slice(2);
if (!reportPath) {
  console.error("usage: summary.mjs <report.yaml> [conformance.log]");
  process.exit(2);
}
// The harness's Kubernetes client brings a YAML parser.
const require = createRequire(new URL("../test/harness/package.json", import.meta.url));
const { loadYaml } = await import(pathToFileURL(require.resolve("@kubernetes/client-node")).href);
const report = loadYaml(readFileSync(reportPath, "utf8"));

const count = (s) => {
  const st = s?.statistics ?? {};
  const passed = st.Passed ?? 0;
  return { passed, total: passed + (st.Failed ?? 0) + (st.Skipped ?? 0), failed: st.Failed ?? 0, skipped: st.Skipped ?? 0 };
};
console.log(`gateway-api ${report.gatewayAPIVersion} (${report.gatewayAPIChannel}), ${report.implementation?.project} ${report.implementation?.version}, mode ${report.mode}`);
for (const p of report.profiles ?? []) {
  const c = count(p.core);
  let line = `${p.name}: core ${c.passed}/${c.total} passed (${p.core?.result ?? "?"}${c.skipped ? `, ${c.skipped} skipped` : ""})`;
  if (p.extended) {
    const e = count(p.extended);
    line += `; extended ${e.passed}/${e.total} passed (${p.extended.result}${e.skipped ? `, ${e.skipped} skipped` : ""}), claimed features: ${(p.extended.supportedFeatures ?? []).length}`;
    if ((p.extended.unsupportedFeatures ?? []).length) line += `, unsupported: ${p.extended.unsupportedFeatures.join(", ")}`;
  }
  console.log(line);
  for (const part of [p.core, p.extended]) for (const t of part?.failedTests ?? []) console.log(`  failed: ${t}`);
}
if (logPath) {
  const failed = [...readFileSync(logPath, "utf8").matchAll(/^\s*--- FAIL: (TestConformance\/\S+)/gm)].map((m) => m[1]);
  if (failed.length) console.log(`failed subtests in the log:\n${failed.map((f) => `  ${f}`).join("\n")}`);
}
