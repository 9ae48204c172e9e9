// Call counts of a 20-route scenario against the fake: create, no-op, one-rule change,
// delete. Counts only, no timings. Last line: one JSON object with every phase.
import { parseAllDocuments } from "yaml";
import { snapshotFromObjects } from "@gatehouse/model";
import { compute } from "@gatehouse/core";
import { startFakeLattice, ZERO_DELAYS } from "@gatehouse/fake-lattice";
import { LATTICE_CONTROLLER, latticeCapabilities } from "../src/capabilities.js";
import { LatticeProvider } from "../src/provider.js";

const ROUTES = 20;
const T = `creationTimestamp: "2025-01-01T00:00:00Z"`;

function world(changed: boolean): string {
  const parts = [`
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: lattice, generation: 1, ${T} }
spec:
  controllerName: ${LATTICE_CONTROLLER}
  parametersRef: { group: gatehouse.dev, kind: LatticeConfig, name: cfg, namespace: default }`, `
apiVersion: gatehouse.dev/v1alpha1
kind: LatticeConfig
metadata: { name: cfg, namespace: default, ${T} }
spec:
  vpcIdentifier: vpc-0123456789abcdef0
  securityGroupIds: [sg-0123456789abcdef0]
  serviceNetwork:
    create: true
    authType: AWS_IAM
    authPolicy:
      Version: "2012-10-17"
      Statement: [{ Effect: Allow, Principal: { AWS: ["arn:aws:iam::123456789012:root"] }, Action: "vpc-lattice-svcs:Invoke", Resource: "*" }]`, `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default, generation: 1, ${T} }
spec: { gatewayClassName: lattice, listeners: [{ name: http, port: 80, protocol: HTTP }] }`];
  for (let i = 0; i < ROUTES; i++) {
    for (const s of [`app${i}`, `api${i}`]) {
      parts.push(`
apiVersion: v1
kind: Service
metadata: { name: ${s}, namespace: default, ${T} }
spec: { ports: [{ name: http, port: 80, targetPort: 8080, protocol: TCP }] }`, `
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: ${s}-a, namespace: default, labels: { kubernetes.io/service-name: ${s} }, ${T} }
addressType: IPv4
endpoints: [{ addresses: ["10.${i}.${s.startsWith("app") ? 1 : 2}.1"], conditions: { ready: true } }, { addresses: ["10.${i}.${s.startsWith("app") ? 1 : 2}.2"], conditions: { ready: true } }]
ports: [{ name: http, port: 8080, protocol: TCP }]`);
    }
    // The one-rule change: route 7's /api rule splits its traffic differently.
    const apiWeights = changed && i === 7 ? `{ name: api${i}, port: 80, weight: 3 }, { name: app${i}, port: 80, weight: 1 }` : `{ name: api${i}, port: 80 }`;
    parts.push(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: route${i}, namespace: default, generation: 1, ${T} }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [route${i}.example.com]
  rules:
  - matches: [{ path: { type: PathPrefix, value: / } }]
    backendRefs: [{ name: app${i}, port: 80 }]
  - matches: [{ path: { type: Exact, value: /api }, method: GET }]
    backendRefs: [${apiWeights}]`);
  }
  return parts.join("\n---\n");
}

function desired(changed: boolean) {
  const objs = parseAllDocuments(world(changed)).map((d) => d.toJS() as unknown);
  const { snapshot, rejected } = snapshotFromObjects(objs);
  if (rejected.length) throw new Error(JSON.stringify(rejected));
  return compute({ snapshot, controllers: [latticeCapabilities()], now: "2026-01-01T00:00:00Z" }).desired;
}

interface Phase { mutating: number; total: number; byOp: Record<string, number> }

function phase(counts: Record<string, number>): Phase {
  let mutating = 0, total = 0;
  for (const [op, n] of Object.entries(counts)) {
    total += n;
    if (!/^(Get|List)/.test(op)) mutating += n;
  }
  return { mutating, total, byOp: counts };
}

const lattice = await startFakeLattice({ host: "127.0.9.1", delays: ZERO_DELAYS, seed: "bench" });
const p = new LatticeProvider({
  endpoint: lattice.endpoint, region: lattice.region, credentials: { accessKeyId: "fake", secretAccessKey: "fake" },
  clusterName: "bench", driftCheckMs: 0,
});
const out: Record<string, Phase> = {};
async function run(name: string, f: () => Promise<unknown>): Promise<void> {
  p.resetCallCounts();
  await f();
  out[name] = phase(p.callCounts());
  const ph = out[name];
  console.log(`${name.padEnd(8)} mutating ${String(ph.mutating).padStart(4)}  total ${String(ph.total).padStart(4)}  ${Object.entries(ph.byOp).map(([k, v]) => `${k}=${v}`).join(" ")}`);
}
try {
  const d0 = desired(false), d1 = desired(true);
  await run("create", async () => p.apply(await p.plan(d0), d0));
  await run("noop", async () => p.apply(await p.plan(d0), d0));
  await run("oneRule", async () => p.apply(await p.plan(d1), d1));
  await run("delete", async () => {
    for (let i = 0; i < ROUTES; i++) {
      const r = await p.finalize({ kind: "HTTPRoute", namespace: "default", name: `route${i}` });
      if (!r.done) throw new Error(r.message);
    }
    const g = await p.finalize({ kind: "Gateway", namespace: "default", name: "gw" });
    if (!g.done) throw new Error(g.message);
  });
  if (!lattice.state.isEmpty() || Object.keys(lattice.state.snapshot().authPolicies).length) throw new Error("resources left after delete");
  console.log(JSON.stringify(out));
} finally {
  await p.close();
  await lattice.close();
}
