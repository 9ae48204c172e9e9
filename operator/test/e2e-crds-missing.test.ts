// The operator started on an API server without the Gateway API CRDs: it says so (an error
// log line naming the CRDs and how to install them, a Warning Event CRDsMissing, /readyz 503
// with the reason), then recovers on its own when they are installed (discovery wakes the
// watches): Normal Event CRDsInstalled, /readyz 200, a GatewayClass accepted. gatehouse's own
// CRDs stay missing here: optional, reported, not blocking readiness.
import test from "ava";
import { Writable } from "node:stream";
import { pino } from "pino";
import { buildControlPlane, installGatewayCRDs, startControlPlane, type ControlPlane } from "@gatehouse/test-harness";
import { Kube, condition, controllerFor, eventually, httpGet, startOperator, type Obj, type RunningOperator } from "./e2e-helpers.js";

const CONTROLLER = controllerFor("crds-missing");

let cp: ControlPlane;
let kube: Kube;
let run: RunningOperator | undefined;
const lines: string[] = [];
test.before(async () => {
  cp = await startControlPlane({ gatewayAPI: false });
  kube = new Kube(cp);
});
test.after.always(async () => {
  await run?.stop();
  kube?.close();
  await cp?.stop();
});

const events = async (reason: string) =>
  (await kube.client.get<{ items: Obj[] }>("/apis/events.k8s.io/v1/namespaces/default/events")).body.items
    .filter((e) => e["reason"] === reason);

test.serial("missing Gateway API CRDs: error log, Warning Event, not ready with the reason; installed later: recovers", async (t) => {
  const logger = pino({ level: "info" }, new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
  run = await startOperator(cp, { controllerNames: [CONTROLLER] }, { logger });
  const health = run.op.http.port("health")!;

  const ready = await httpGet(health, "/readyz");
  t.is(ready.status, 503);
  t.regex(ready.body, /required CRDs not installed: gatewayclasses\.gateway\.networking\.k8s\.io, gateways\.gateway\.networking\.k8s\.io, httproutes\.gateway\.networking\.k8s\.io/);
  t.regex(ready.body, /standard-install\.yaml/);
  const error = lines.map((l) => JSON.parse(l) as { level: number; msg: string; missing?: string[] }).find((l) => l.level === 50 && /CRDs not installed/.test(l.msg));
  t.truthy(error, "an error log line");
  t.true(error!.missing!.includes("gateways.gateway.networking.k8s.io") && error!.missing!.includes("localproxyconfigs.gatehouse.dev"));
  await eventually(async () => (await events("CRDsMissing")).length > 0, "Warning Event CRDsMissing");
  const warning = (await events("CRDsMissing"))[0]!;
  t.is(warning["type"], "Warning");
  t.like(warning["regarding"] as object, { kind: "Lease", name: "gatehouse-leader" });

  const manifest = await buildControlPlane();
  await installGatewayCRDs(cp.kubeConfig, manifest.crdDir);
  await eventually(async () => (await httpGet(health, "/readyz")).status === 200, "ready once the CRDs are installed", 60_000);
  await eventually(async () => (await events("CRDsInstalled")).length > 0, "Normal Event CRDsInstalled");
  t.is((await events("CRDsInstalled"))[0]!["type"], "Normal");
  t.true(lines.some((l) => /CRDs installed: .*gateways\.gateway\.networking\.k8s\.io.*still missing: .*localproxyconfigs\.gatehouse\.dev/.test(l)));

  await kube.apply(`
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: crds-missing }
spec: { controllerName: ${CONTROLLER} }
`, "default");
  await kube.waitFor("GatewayClass", undefined, "crds-missing", (o) => condition(o, "Accepted")?.status === "True", "class Accepted after recovery");
});
