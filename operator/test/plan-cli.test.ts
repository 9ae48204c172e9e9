// `gatehouse plan`: the built CLI prints a backend's intended changes and applies nothing.
// The cloud case runs against the stateful Lattice fake (the real SDK inside the CLI).
import test from "ava";
import { execFile, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parse } from "yaml";
import { startFakeLattice } from "@gatehouse/fake-lattice";
import { startFakeCompute } from "@gatehouse/fake-gcp";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const main = join(root, "operator/dist/src/main.js");

interface PlanDoc { controllerName: string; gateways: string[]; changes: { op: string; resource: string; id: string; summary: string; sources: string[] }[] }

const LATTICE_MANIFESTS = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: amazon-vpc-lattice }
spec:
  controllerName: gatehouse.dev/aws-vpc-lattice
  parametersRef: { group: gatehouse.dev, kind: LatticeConfig, name: lattice, namespace: gatehouse-system }
---
apiVersion: gatehouse.dev/v1alpha1
kind: LatticeConfig
metadata: { name: lattice, namespace: gatehouse-system }
spec: { region: us-west-2, vpcIdentifier: vpc-0123456789abcdef0 }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: shop, namespace: apps }
spec:
  gatewayClassName: amazon-vpc-lattice
  listeners: [{ name: http, protocol: HTTP, port: 80 }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: orders, namespace: apps }
spec:
  parentRefs: [{ name: shop }]
  hostnames: [orders.shop.example]
  rules:
    - matches: [{ path: { type: PathPrefix, value: /api } }]
      backendRefs: [{ name: orders, port: 8080 }]
---
apiVersion: v1
kind: Service
metadata: { name: orders, namespace: apps }
spec: { ports: [{ name: http, port: 8080, targetPort: 8080 }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: orders-1, namespace: apps, labels: { kubernetes.io/service-name: orders } }
addressType: IPv4
ports: [{ name: http, port: 8080 }]
endpoints: [{ addresses: [10.0.1.5], conditions: { ready: true } }]
`;

function dirWith(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-plan-"));
  writeFileSync(join(dir, name), text);
  return dir;
}

test("local backend: the example manifests plan one listener per Gateway port; JSON output too", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-plan-examples-"));
  cpSync(join(root, "examples/manifests"), dir, { recursive: true, filter: (src) => !src.endsWith(".generated.yaml") });
  const r = spawnSync(process.execPath, [main, "plan", "-f", dir], { cwd: root, encoding: "utf8", timeout: 60_000 });
  t.is(r.status, 0, r.stderr);
  const doc = parse(r.stdout) as PlanDoc;
  t.is(doc.controllerName, "gatehouse.dev/local");
  t.true(doc.changes.length > 0);
  t.true(doc.changes.every((c) => c.op === "create" && c.resource === "local:listener" && c.sources.length > 0));
  const j = spawnSync(process.execPath, [main, "plan", "-f", dir, "-o", "json"], { cwd: root, encoding: "utf8", timeout: 60_000 });
  t.is(j.status, 0, j.stderr);
  t.deepEqual(JSON.parse(j.stdout), doc);
});

test("aws-vpc-lattice: plan lists the Lattice resources to create, traced to their sources, and makes no mutating call", async (t) => {
  const fake = await startFakeLattice({ host: "127.0.3.41" });
  t.teardown(() => fake.close());
  const dir = dirWith("lattice.yaml", LATTICE_MANIFESTS);
  const { stdout } = await promisify(execFile)(process.execPath, [
    main, "plan", "-f", dir, "--controller-name", "gatehouse.dev/aws-vpc-lattice",
    "--lattice-endpoint", fake.endpoint, "--aws-region", "us-west-2",
  ], {
    cwd: root, encoding: "utf8", timeout: 60_000,
    env: { ...process.env, AWS_ACCESS_KEY_ID: "fake", AWS_SECRET_ACCESS_KEY: "fake", AWS_EC2_METADATA_DISABLED: "true" },
  });
  const doc = parse(stdout) as PlanDoc;
  t.is(doc.controllerName, "gatehouse.dev/aws-vpc-lattice");
  t.deepEqual(doc.gateways, ["apps/shop"]);
  const kinds = new Set(doc.changes.map((c) => c.resource));
  for (const k of ["lattice:service", "lattice:listener", "lattice:rule", "lattice:targetGroup", "lattice:serviceAssociation"]) {
    t.true(kinds.has(k), `a ${k} change in ${[...kinds].join(", ")}`);
  }
  t.false(doc.changes.some((c) => c.op === "delete"));
  t.true(doc.changes.some((c) => c.op === "create"));
  t.true(doc.changes.some((c) => c.sources.some((s) => s.startsWith("httproute/apps/orders"))));
  t.deepEqual(Object.values(fake.state.counts()).filter((n) => n > 0), [], "nothing created");
});

test("gcp: plan of the provider's example classes lists Compute resources per Gateway and makes no mutating call", async (t) => {
  const fake = await startFakeCompute({ project: "my-project", host: "127.0.3.42" });
  t.teardown(() => fake.close());
  const { stdout } = await promisify(execFile)(process.execPath, [
    main, "plan", "-f", join(root, "providers/gcp/examples"), "--controller-name", "gatehouse.dev/gcp", "--gcp-endpoint", fake.url, "-o", "json",
  ], { cwd: root, encoding: "utf8", timeout: 60_000 });
  const doc = JSON.parse(stdout) as PlanDoc;
  t.deepEqual(doc.gateways, ["default/internal", "default/web"]);
  const kinds = new Set(doc.changes.map((c) => c.resource));
  for (const k of ["gcp:urlMaps", "gcp:targetHttpProxies", "gcp:backendServices"]) t.true(kinds.has(k), `a ${k} change in ${[...kinds].join(", ")}`);
  t.true(doc.changes.some((c) => c.id.includes("/regions/us-central1/")), "the regional internal class plans regional resources");
  t.deepEqual(fake.calls.byMethod({ mutating: true }), {});
});

test("bad cloud flags are one-line usage errors (exit 2) naming the flag", (t) => {
  const r = spawnSync(process.execPath, [main, "plan", "-f", ".", "--gcp-endpoint", "ftp://x"], { cwd: root, encoding: "utf8", timeout: 60_000 });
  t.is(r.status, 2);
  t.is(r.stderr, 'gatehouse: --gcp-endpoint: "ftp://x" is not http(s)://host[:port]\n');
});
