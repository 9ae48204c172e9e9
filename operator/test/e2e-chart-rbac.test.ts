// The Helm chart (charts/gatehouse) against a real API server with RBAC authorization:
// - `helm lint --strict` and `helm template` of every values file (helm built from its Go
//   module, test/harness/src/helm.ts); every rendered object is validated by the API server
//   itself (server-side dry run: the built-in schemas, the Gateway API CRDs, ours);
// - the rendering does not depend on the cluster (.Capabilities), the values schema rejects
//   bad values with the field's path;
// - install: the values-kind rendering applied, the operator run out of cluster with the
//   chart's ServiceAccount token (TokenRequest) and the arguments of the chart's Deployment
//   (parsed by the real flag parser): GatewayClass, Gateway and HTTPRoute statuses, the
//   Lease taken, the Gateway's Service written and removed, and no 403 in its log; a Gateway
//   in another namespace than the release's gets a selector-less Service whose EndpointSlice
//   lists the operator pods (Pod objects with the chart's labels whose status the test sets),
//   also under RBAC. The ClusterRole has no wildcard, Secrets are read-only, every rule names
//   a resource the operator's client knows, pods are read (list, watch) in the release
//   namespace only.
import test from "ava";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Writable } from "node:stream";
import { Command } from "commander";
import { pino } from "pino";
import { parseAllDocuments } from "yaml";
import { helm, serviceAccountKubeconfig, startControlPlane, type ControlPlane } from "@gatehouse/test-harness";
import { CORE_RESOURCES, GATEHOUSE_RESOURCES, GATEWAY_RESOURCES, KubeClient } from "../src/kube/client.js";
import { WATCHED_KINDS } from "../src/kube/source/index.js";
import { GATEWAY_ANNOTATION, POD_RESOURCE, SERVICE_LABEL, SLICE_MANAGED_BY_LABEL } from "../src/kube/gateway-services/index.js";
import { addRunOptions, parseSettings, rawFromCommand } from "../src/run/settings.js";
import { Kube, condition, eventually, ownInternalPorts, parentCondition, startOperator, type Obj, type RunningOperator } from "./e2e-helpers.js";
import { installGatehouseCRDs } from "./local-crd.js";
import { createPod, endpointsOf, slicesOf } from "./operator-pods.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CHART = join(ROOT, "charts/gatehouse");
const VALUES = ["values-kind.yaml", "values-eks.yaml", "values-gke.yaml"] as const;
const LOCAL = "gatehouse.dev/local";

/** Where each rendered kind is served (apiVersion → plural, namespaced). */
const API: Record<string, { path: string; namespaced: boolean }> = {
  "v1/ServiceAccount": { path: "/api/v1/serviceaccounts", namespaced: true },
  "v1/Service": { path: "/api/v1/services", namespaced: true },
  "apps/v1/Deployment": { path: "/apis/apps/v1/deployments", namespaced: true },
  "policy/v1/PodDisruptionBudget": { path: "/apis/policy/v1/poddisruptionbudgets", namespaced: true },
  "networking.k8s.io/v1/NetworkPolicy": { path: "/apis/networking.k8s.io/v1/networkpolicies", namespaced: true },
  "rbac.authorization.k8s.io/v1/ClusterRole": { path: "/apis/rbac.authorization.k8s.io/v1/clusterroles", namespaced: false },
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": { path: "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", namespaced: false },
  "rbac.authorization.k8s.io/v1/Role": { path: "/apis/rbac.authorization.k8s.io/v1/roles", namespaced: true },
  "rbac.authorization.k8s.io/v1/RoleBinding": { path: "/apis/rbac.authorization.k8s.io/v1/rolebindings", namespaced: true },
  "gateway.networking.k8s.io/v1/GatewayClass": { path: "/apis/gateway.networking.k8s.io/v1/gatewayclasses", namespaced: false },
  "gatehouse.dev/v1alpha1/LocalProxyConfig": { path: "/apis/gatehouse.dev/v1alpha1/localproxyconfigs", namespaced: true },
};

function collection(o: Obj): string {
  const api = API[`${o.apiVersion}/${o.kind}`];
  if (!api) throw new Error(`chart test: no API path for ${o.apiVersion} ${o.kind}`);
  if (!api.namespaced) return api.path;
  const [prefix, plural] = [api.path.slice(0, api.path.lastIndexOf("/")), api.path.slice(api.path.lastIndexOf("/") + 1)];
  return `${prefix}/namespaces/${o.metadata.namespace}/${plural}`;
}

async function render(release: string, namespace: string, args: string[] = []): Promise<{ objects: Obj[]; text: string }> {
  const r = await helm(["template", release, CHART, "--namespace", namespace, ...args]);
  if (r.code !== 0) throw new Error(`helm template ${args.join(" ")}: exit ${r.code}: ${r.stderr}`);
  const objects = parseAllDocuments(r.stdout).map((d) => d.toJS() as Obj | null).filter((o): o is Obj => !!o);
  return { objects, text: r.stdout };
}

const ids = (objects: Obj[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();

let cp: ControlPlane;
let kube: Kube;
test.before(async () => {
  cp = await startControlPlane();
  kube = new Kube(cp);
  await installGatehouseCRDs(kube.client);
});
test.after.always(async () => {
  kube?.close();
  await cp?.stop();
});

test.serial("helm lint --strict passes for the defaults and every values file", async (t) => {
  for (const v of [undefined, ...VALUES]) {
    const r = await helm(["lint", CHART, "--strict", ...(v ? ["-f", join(CHART, v)] : [])]);
    t.is(r.code, 0, `helm lint ${v ?? "(defaults)"}: ${r.stdout}${r.stderr}`);
    t.regex(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  }
});

test.serial("every values file renders the expected objects, and the API server accepts each one (server-side dry run)", async (t) => {
  const expected: Record<string, string[]> = {
    "values-kind.yaml": ["ClusterRole/R-gatehouse", "ClusterRoleBinding/R-gatehouse", "Deployment/R-gatehouse", "GatewayClass/gatehouse",
      "LocalProxyConfig/kind", "PodDisruptionBudget/R-gatehouse", "Role/R-gatehouse-leader-election", "RoleBinding/R-gatehouse-leader-election",
      "Role/R-gatehouse-proxy-pods", "RoleBinding/R-gatehouse-proxy-pods", "Service/R-gatehouse-metrics", "ServiceAccount/R-gatehouse"],
    "values-eks.yaml": ["ClusterRole/R-gatehouse", "ClusterRoleBinding/R-gatehouse", "Deployment/R-gatehouse", "GatewayClass/amazon-vpc-lattice",
      "PodDisruptionBudget/R-gatehouse", "Role/R-gatehouse-leader-election", "RoleBinding/R-gatehouse-leader-election",
      "Service/R-gatehouse-metrics", "ServiceAccount/gatehouse"],
    "values-gke.yaml": ["ClusterRole/R-gatehouse", "ClusterRoleBinding/R-gatehouse", "Deployment/R-gatehouse",
      "GatewayClass/gatehouse-gke-l7-global-external-managed", "GatewayClass/gatehouse-gke-l7-regional-internal-managed",
      "PodDisruptionBudget/R-gatehouse", "Role/R-gatehouse-leader-election", "RoleBinding/R-gatehouse-leader-election",
      "Service/R-gatehouse-metrics", "ServiceAccount/gatehouse"],
  };
  for (const v of VALUES) {
    const release = `dry-${v.replace(/^values-|\.yaml$/g, "")}`;
    const ns = await cp.newNamespace(release);
    const { objects } = await render(release, ns, ["-f", join(CHART, v)]);
    t.deepEqual(ids(objects), expected[v]!.map((x) => x.replace("R-", `${release}-`)).sort(), v);
    for (const o of objects) {
      t.true(!API[`${o.apiVersion}/${o.kind}`]?.namespaced || o.metadata.namespace === ns, `${v}: ${o.kind}/${o.metadata.name} in the release namespace`);
      const r = await kube.client.post<{ message?: string }>(collection(o), o, { query: { dryRun: "All", fieldValidation: "Strict" } });
      t.true(r.status === 201 || r.status === 200, `${v}: ${o.kind}/${o.metadata.name}: ${r.status} ${r.body?.message ?? ""}`);
    }
  }
  // Everything optional switched on renders objects the API server accepts too.
  const ns = await cp.newNamespace("dry-all");
  const { objects } = await render("dry-all", ns, ["--set", "networkPolicy.enabled=true", "--set", "metrics.serviceMonitor.enabled=true",
    "--set", "backends.awsVpcLattice.enabled=true", "--set", "backends.gcp.enabled=true", "--set", "watchNamespaces={a,b}"]);
  t.true(objects.some((o) => o.kind === "ServiceMonitor"), "ServiceMonitor rendered when enabled (no .Capabilities check)");
  for (const o of objects.filter((x) => x.kind !== "ServiceMonitor" && x.kind !== "GatewayClass")) {
    const r = await kube.client.post<{ message?: string }>(collection(o), o, { query: { dryRun: "All", fieldValidation: "Strict" } });
    t.true(r.status === 201 || r.status === 200, `all options: ${o.kind}/${o.metadata.name}: ${r.status} ${r.body?.message ?? ""}`);
  }
  const dep = objects.find((o) => o.kind === "Deployment")!;
  const args = dep.spec.template.spec.containers[0].args as string[];
  t.deepEqual(args.filter((a) => a.startsWith("--controller-name=")),
    ["--controller-name=gatehouse.dev/local", "--controller-name=gatehouse.dev/aws-vpc-lattice", "--controller-name=gatehouse.dev/gcp"]);
});

test.serial("the rendering does not depend on the cluster: same output with and without the Gateway API in --api-versions", async (t) => {
  const plain = await render("cap", "gatehouse-system", ["-f", join(CHART, "values-kind.yaml")]);
  const withApis = await render("cap", "gatehouse-system", ["-f", join(CHART, "values-kind.yaml"),
    "--api-versions", "gateway.networking.k8s.io/v1", "--api-versions", "monitoring.coreos.com/v1", "--kube-version", "1.31.0"]);
  t.is(withApis.text, plain.text);
  t.true(plain.objects.some((o) => o.kind === "GatewayClass"));
  // The CRDs come with the chart (crds/), rendered on request like `helm install` installs them.
  const crds = await render("cap", "gatehouse-system", ["--include-crds"]);
  t.true(crds.objects.some((o) => o.kind === "CustomResourceDefinition" && o.metadata.name === "localproxyconfigs.gatehouse.dev"));
});

test.serial("the values schema rejects bad values and names the field", async (t) => {
  const cases: [string[], RegExp][] = [
    [["--set", "replicaCount=0"], /replicaCount/],
    [["--set", "backends.local.bogus=1"], /bogus/],
    [["--set", "backends.local.addresses=nodeport"], /addresses/],
    [["--set", "backends.local.internalPorts=80-90"], /internalPorts "80-90"/],
    [["--set", "backends.local.enabled=false"], /enable at least one backend/],
    [["--set", "backends.awsVpcLattice.region=Oregon"], /region/],
    [["--set", "logLevel=verbose"], /logLevel/],
  ];
  for (const [args, message] of cases) {
    const r = await helm(["template", "bad", CHART, ...args]);
    t.not(r.code, 0, args.join(" "));
    t.regex(r.stderr, message, args.join(" "));
  }
});

test.serial("install (values-kind): the operator with the chart's ServiceAccount token and Deployment args reconciles with no RBAC error", async (t) => {
  const release = "gh";
  const ns = "gatehouse-system";
  await kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  const { objects } = await render(release, ns, ["-f", join(CHART, "values-kind.yaml")]);
  for (const o of objects) {
    const r = await kube.client.post<{ message?: string }>(collection(o), o);
    t.is(r.status, 201, `create ${o.kind}/${o.metadata.name}: ${r.body?.message ?? ""}`);
  }

  // The ClusterRole: no wildcard, Secrets read-only, only resources the operator's client knows, every watched kind listable.
  const role = objects.find((o) => o.kind === "ClusterRole")!;
  const rules = role["rules"] as { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[];
  for (const r of rules) for (const x of [...r.apiGroups, ...r.resources, ...r.verbs]) t.false(x.includes("*"), `wildcard in ${JSON.stringify(r)}`);
  const verbsOf = (group: string, resource: string) => new Set(rules.filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource)).flatMap((r) => r.verbs));
  t.deepEqual([...verbsOf("", "secrets")].sort(), ["get", "list", "watch"]);
  const known = new Set(Object.values({ ...GATEWAY_RESOURCES, ...CORE_RESOURCES, ...GATEHOUSE_RESOURCES }).map((x) => `${x.group}/${x.resource}`));
  for (const r of rules) for (const g of r.apiGroups) for (const res of r.resources) t.true(known.has(`${g}/${res.split("/")[0]}`), `${g}/${res} is a resource of operator/src/kube/client.ts`);
  for (const k of WATCHED_KINDS) {
    const v = verbsOf(k.type.group, k.type.resource);
    t.true(v.has("list") && v.has("watch"), `list+watch ${k.kind}`);
  }
  // The local backend's Gateway Services and their EndpointSlices: exactly what the exposer does.
  t.deepEqual([...verbsOf("", "services")].sort(), ["create", "delete", "get", "list", "update", "watch"]);
  t.deepEqual([...verbsOf("discovery.k8s.io", "endpointslices")].sort(), ["create", "delete", "get", "list", "update", "watch"]);
  t.deepEqual([...verbsOf("", "pods")], [], "no pod access cluster-wide");
  // The operator pods: list+watch in the release namespace only.
  const podRole = objects.find((o) => o.kind === "Role" && o.metadata.name === `${release}-gatehouse-proxy-pods`)!;
  t.deepEqual(podRole["rules"], [{ apiGroups: [POD_RESOURCE.group], resources: [POD_RESOURCE.resource], verbs: ["list", "watch"] }]);

  // The operator as the Deployment runs it, but out of cluster with the ServiceAccount's token.
  const dep = objects.find((o) => o.kind === "Deployment")!;
  const container = dep.spec.template.spec.containers[0];
  const sa = await serviceAccountKubeconfig(cp, ns, dep.spec.template.spec.serviceAccountName);
  const asOperator = new KubeClient(sa.kubeConfig, { userAgent: "gatehouse-e2e-sa" });
  t.is((await asOperator.post(`/api/v1/namespaces/${ns}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "x" } })).status, 403, "Secrets are read-only");
  t.is((await asOperator.get("/api/v1/pods")).status, 403, "no access beyond the role");
  t.is((await asOperator.get(`/api/v1/namespaces/${ns}/pods`)).status, 200, "the operator pods are listed in the release namespace");
  t.is((await asOperator.get(`/api/v1/namespaces/${ns}/pods/x`)).status, 403, "list and watch only");
  t.is((await asOperator.get("/api/v1/namespaces/default/pods")).status, 403, "pods elsewhere are not readable");
  asOperator.close();

  const cmd = addRunOptions(new Command("run")).exitOverride();
  cmd.parse((container.args as string[]).slice(1), { from: "user" });
  // The Deployment gives POD_NAMESPACE from the pod's own metadata.
  const podNs = (container.env as { name: string; valueFrom?: { fieldRef?: { fieldPath?: string } } }[]).find((e) => e.name === "POD_NAMESPACE");
  t.is(podNs?.valueFrom?.fieldRef?.fieldPath, "metadata.namespace");
  const fromChart = parseSettings({ ...rawFromCommand(cmd, "debug"), env: { POD_NAMESPACE: ns } });
  t.deepEqual(fromChart.controllerNames, [LOCAL]);
  t.deepEqual(fromChart.proxyPodSelector, dep.spec.selector.matchLabels, "the Gateway Services select the chart's pods");
  t.is(fromChart.proxyPodNamespace, ns);
  // A replica of the chart's Deployment (no kubelet here: the test sets its IP and readiness).
  const podLabels = dep.spec.template.metadata.labels as Record<string, string>;
  await createPod(kube.client, ns, "gh-gatehouse-test-0", podLabels, { ip: "10.244.0.7", ready: true });
  const lines: string[] = [];
  const logger = pino({ level: "debug" }, new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
  let run: RunningOperator | undefined;
  try {
    run = await startOperator(cp, {
      ...fromChart,
      kubeconfig: sa.path,
      identity: "gh-gatehouse-test-0",
      metricsAddress: { host: "127.0.0.1", port: 0 },
      healthAddress: { host: "127.0.0.1", port: 0 },
      internalPorts: ownInternalPorts(15000),
      proxyWorkers: 0,
    }, { logger });

    const app = await cp.newNamespace("chart-app");
    await kube.apply(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: web, namespace: ${ns} }
spec:
  gatewayClassName: gatehouse
  listeners:
  - { name: http, port: 80, protocol: HTTP, allowedRoutes: { namespaces: { from: All } } }
`, ns);
    // A Gateway in the application's namespace: not the release's.
    await kube.apply(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: edge }
spec:
  gatewayClassName: gatehouse
  listeners:
  - { name: http, port: 8080, protocol: HTTP }
---
apiVersion: v1
kind: Service
metadata: { name: app }
spec: { ports: [{ port: 80, targetPort: 8080 }] }
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: app }
spec:
  parentRefs: [{ name: web, namespace: ${ns} }]
  rules:
  - backendRefs: [{ name: app, port: 80, weight: 90 }, { name: app, port: 80, weight: 10 }]
`, app);

    await kube.waitFor("GatewayClass", undefined, "gatehouse", (o) => condition(o, "Accepted")?.status === "True", "class Accepted");
    const gw = await kube.waitFor("Gateway", ns, "web", (o) => condition(o, "Accepted")?.status === "True" && condition(o, "Programmed")?.status === "True", "Gateway Accepted and Programmed");
    t.true((gw.status.addresses ?? []).length > 0, "the Gateway has the address of its Service");
    const route = await kube.waitFor("HTTPRoute", app, "app", (o) => parentCondition(o, LOCAL, "Accepted")?.status === "True" && parentCondition(o, LOCAL, "ResolvedRefs")?.status === "True", "route Accepted, refs resolved");
    t.truthy(route);
    const lease = await kube.client.get<{ spec?: { holderIdentity?: string } }>(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${fromChart.leaseName}`);
    t.is(lease.body?.spec?.holderIdentity, "gh-gatehouse-test-0", "the Lease is ours");
    const ours = async () => (await kube.client.get<{ items: Obj[] }>(`/api/v1/namespaces/${ns}/services`, { query: { labelSelector: `${SERVICE_LABEL}=true` } })).body.items;
    const svc = (await ours()).find((s) => (s.metadata as { annotations?: Record<string, string> }).annotations?.[GATEWAY_ANNOTATION] === `${ns}/web`);
    t.is(svc?.spec?.type, "ClusterIP", "the Gateway's Service, typed by the chart's LocalProxyConfig");
    t.deepEqual(svc?.spec?.selector, dep.spec.selector.matchLabels, "selecting the chart's pods");

    // The Gateway in the app's namespace: a Service without selector, an EndpointSlice of the operator pods.
    const edge = await kube.waitFor("Gateway", app, "edge", (o) => condition(o, "Programmed")?.status === "True", "Gateway in another namespace Programmed");
    const edgeSvc = (await kube.get("Service", app, "gatehouse-edge"))!;
    t.is(edgeSvc.spec.selector, undefined);
    t.deepEqual(edge.status.addresses, [{ type: "IPAddress", value: edgeSvc.spec.clusterIP }], "status.addresses: its Service");
    t.deepEqual(await endpointsOf(kube.client, app, "gatehouse-edge"), [["10.244.0.7", true, true, false, `${ns}/gh-gatehouse-test-0`]]);
    // A second replica appears: the slice follows (watch under RBAC, update verb).
    await createPod(kube.client, ns, "gh-gatehouse-test-1", podLabels, { ip: "10.244.1.8", ready: true });
    await eventually(async () => (await endpointsOf(kube.client, app, "gatehouse-edge")).length === 2, "the second replica listed");

    // Removing the Gateways removes their Services and the EndpointSlice (delete verb).
    await kube.delete("HTTPRoute", app, "app");
    await kube.delete("Gateway", ns, "web");
    await kube.delete("Gateway", app, "edge");
    await eventually(async () => (await ours()).length === 0 && !(await kube.get("Service", app, "gatehouse-edge")), "the Gateways' Services deleted");
    await eventually(async () => (await slicesOf(kube.client, app, "gatehouse-edge")).length === 0, "the EndpointSlice deleted");
    const anySlices = await kube.client.get<{ items: unknown[] }>("/apis/discovery.k8s.io/v1/endpointslices", { query: { labelSelector: `${SLICE_MANAGED_BY_LABEL}=gatehouse.dev` } });
    t.deepEqual(anySlices.body.items, [], "no EndpointSlice of ours left anywhere");
  } finally {
    await run?.stop();
  }
  const denied = lines.filter((l) => /\b403\b|forbidden/i.test(l));
  t.deepEqual(denied, [], "no RBAC error in the operator's log");
  t.true(lines.some((l) => /initial list done/.test(l)), "the operator logged its first sync");
});
