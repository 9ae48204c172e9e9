// The chart's monitoring switch (monitoring.enabled): the ServiceMonitor, the PrometheusRule
// alerts and the Grafana dashboard ConfigMap render together, off by default; every metric
// the alerts and the dashboard query is one the operator or the local proxy really exports.
import test from "ava";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Registry } from "prom-client";
import { parseAllDocuments } from "yaml";
import { helm } from "@gatehouse/test-harness";
import { LocalProvider } from "@gatehouse/provider-local";
import { Metrics } from "../src/run/metrics.js";

const CHART = join(fileURLToPath(new URL("../../../", import.meta.url)), "charts/gatehouse");

type Obj = { kind: string; metadata: { name: string }; data?: Record<string, string>; spec?: any };

/** `--set-json` values: helm's --set leaves decimals as strings. */
async function render(...set: string[]): Promise<Obj[]> {
  const r = await helm(["template", "gh", CHART, "-n", "gatehouse-system", "-f", join(CHART, "values-kind.yaml"), ...set.flatMap((s) => ["--set-json", s])]);
  if (r.code !== 0) throw new Error(r.stderr);
  return parseAllDocuments(r.stdout).map((d) => d.toJSON() as Obj).filter(Boolean);
}

/** Names of every metric the operator (control plane) and the local proxy register. */
async function exportedMetrics(): Promise<Set<string>> {
  const names = new Set((await new Metrics().registry.getMetricsAsJSON()).map((m) => m.name));
  const reg = new Registry();
  const p = new LocalProvider({ controllerName: "gatehouse.dev/local", logger: () => {}, workers: 0, addressPool: ["127.250.0.0/24"], metricsRegistry: reg });
  for (const m of await reg.getMetricsAsJSON()) names.add(m.name);
  await p.close();
  return names;
}

/** `gatehouse_*` series names in PromQL, histogram suffixes folded into their metric. */
function queried(exprs: string[]): Set<string> {
  const out = new Set<string>();
  for (const e of exprs) for (const m of e.matchAll(/\bgatehouse_[a-z0-9_]+/g)) out.add(m[0].replace(/_(bucket|sum|count)$/, ""));
  return out;
}

test("off by default; one value renders the ServiceMonitor, the alerts and the dashboard", async (t) => {
  const off = await render();
  t.false(off.some((o) => ["ServiceMonitor", "PrometheusRule"].includes(o.kind) || o.metadata.name.endsWith("-dashboard")));
  const on = await render("monitoring.enabled=true");
  t.deepEqual(on.filter((o) => ["ServiceMonitor", "PrometheusRule"].includes(o.kind) || o.metadata.name.endsWith("-dashboard")).map((o) => o.kind).sort(),
    ["ConfigMap", "PrometheusRule", "ServiceMonitor"]);
});

test("every metric the alerts and the dashboard query is exported; thresholds come from values", async (t) => {
  const objs = await render("monitoring.enabled=true", "monitoring.alerts.error5xxRatio=0.02", "monitoring.alerts.notProgrammedMinutes=15");
  const rule = objs.find((o) => o.kind === "PrometheusRule")!;
  const rules = (rule.spec.groups as { rules: { alert: string; expr: string }[] }[]).flatMap((g) => g.rules);
  t.deepEqual(rules.map((r) => r.alert).sort(),
    ["GatehouseCloudAPIThrottled", "GatehouseGatewayNotProgrammed", "GatehouseHigh5xxRatio", "GatehouseHighLatencyP95", "GatehouseReconcileErrors"]);
  t.regex(rules.find((r) => r.alert === "GatehouseHigh5xxRatio")!.expr, /> 0\.02\s*$/);
  t.regex(rules.find((r) => r.alert === "GatehouseGatewayNotProgrammed")!.expr, /> 900\s*$/);

  const dashboard = JSON.parse(objs.find((o) => o.metadata.name.endsWith("-dashboard"))!.data!["gatehouse.json"]!) as
    { uid: string; panels: { targets?: { expr: string }[] }[]; templating: { list: { query?: unknown }[] } };
  t.is(dashboard.uid, "gatehouse-overview");
  const exprs = [
    ...rules.map((r) => r.expr),
    ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((x) => x.expr)),
    ...dashboard.templating.list.flatMap((v) => (typeof v.query === "string" ? [v.query] : [])),
  ];
  const exported = await exportedMetrics();
  const missing = [...queried(exprs)].filter((n) => !exported.has(n));
  t.deepEqual(missing, [], "queried but not exported");
  t.true(queried(exprs).size >= 10);
});

test("the values schema rejects a bad alert threshold, naming the field", async (t) => {
  const r = await helm(["template", "gh", CHART, "--set-json", "monitoring.alerts.error5xxRatio=2"]);
  t.not(r.code, 0);
  t.regex(r.stderr, /\/monitoring\/alerts\/error5xxRatio.*maximum/);
});
