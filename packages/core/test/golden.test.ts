// Golden tests: every testdata/<case>.in.yaml is run through compute() and compared with
// testdata/<case>.out.yaml (statuses + desired state, and IR views when asked for).
// GOLDEN_UPDATE=1 (./dev golden-update) rewrites the .out.yaml files instead.
import test from "ava";
import { existsSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { snapshotFromObjects } from "@gatehouse/model";
import { compute } from "../src/pipeline.js";
import { loadCase, type GoldenCase } from "./golden/case.js";
import { renderOutput } from "./golden/render.js";
import { renderView } from "./golden/views.js";
import { describeDifference } from "./golden/diff.js";

// Compiled to dist/test/, so the sources' testdata is two levels up.
const TESTDATA = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "testdata");
const NOW = "2026-01-01T00:00:00Z";
const UPDATE = process.env.GOLDEN_UPDATE === "1" || process.env.GOLDEN_UPDATE === "true";

const files = readdirSync(TESTDATA).sort();
const cases = files.filter((f) => f.endsWith(".in.yaml")).map((f) => f.slice(0, -".in.yaml".length));

function run(c: GoldenCase, objects: readonly unknown[]): string {
  const { snapshot, rejected } = snapshotFromObjects(objects);
  const { desired, statuses } = compute({ snapshot, controllers: c.controllers, results: c.providerResults, now: NOW });
  const out: Record<string, unknown> = { statuses, desiredState: desired };
  if (c.views.length > 0) out.views = Object.fromEntries(c.views.map((v) => [v, renderView(v, desired)]));
  // An input object the snapshot refuses is almost always a typo in the fixture: show it.
  if (rejected.length > 0) out.rejectedInputs = rejected;
  return renderOutput(out);
}

for (const name of cases) {
  test(name, (t) => {
    const c = loadCase(join(TESTDATA, `${name}.in.yaml`));
    const actual = run(c, c.objects);
    const outPath = join(TESTDATA, `${name}.out.yaml`);
    if (UPDATE) {
      if (!existsSync(outPath) || readFileSync(outPath, "utf8") !== actual) writeFileSync(outPath, actual);
    } else {
      if (!existsSync(outPath)) return t.fail(`${name}.out.yaml is missing: run ./dev golden-update`);
      const diff = describeDifference(actual, readFileSync(outPath, "utf8"));
      if (diff) return t.fail(`${name}.out.yaml differs (- expected, + actual); run ./dev golden-update and review:\n${diff}`);
    }
    // The core must not depend on input order.
    const reversed = describeDifference(run(c, [...c.objects].reverse()), actual);
    if (reversed) return t.fail(`${name}: output changes when the input objects are reversed (- in order, + reversed):\n${reversed}`);
    t.pass();
  });
}

test("every .out.yaml has its .in.yaml", (t) => {
  const orphans = files.filter((f) => f.endsWith(".out.yaml") && !cases.includes(f.slice(0, -".out.yaml".length)));
  if (UPDATE) for (const f of orphans) unlinkSync(join(TESTDATA, f));
  else t.deepEqual(orphans, [], "orphaned outputs: run ./dev golden-update");
  t.true(UPDATE || cases.length >= 60, `only ${cases.length} golden cases`);
});
