// Scenarios for the GCP provider tests: Kubernetes objects → desired state through the real
// core (compute()), and a provider wired to a loopback fake Compute API.
import { compute } from "@gatehouse/core";
import { snapshotFromObjects } from "@gatehouse/model";
import type { DesiredState } from "@gatehouse/ir";
import type { ProviderResults } from "@gatehouse/provider-api";
import { startFakeCompute, type FakeCompute } from "@gatehouse/fake-gcp";
import { GcpProvider, gcpCapabilities, type GcpProviderOptions } from "../src/index.js";

export const PROJECT = "gatehouse-test";
export const NOW = "2026-01-01T00:00:00Z";
export const GLOBAL_CLASS = "gatehouse-gke-l7-global-external-managed";
export const REGIONAL_CLASS = "gatehouse-gke-l7-regional-internal-managed";

const meta = (name: string, namespace?: string) => ({ name, ...(namespace ? { namespace } : {}), generation: 1, creationTimestamp: "2025-01-01T00:00:00Z" });

export function classes(): unknown[] {
  return [
    { apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: meta(GLOBAL_CLASS),
      spec: { controllerName: "gatehouse.dev/gcp", parametersRef: { group: "gatehouse.dev", kind: "GCPConfig", name: "global", namespace: "gatehouse-system" } } },
    { apiVersion: "gatehouse.dev/v1alpha1", kind: "GCPConfig", metadata: meta("global", "gatehouse-system"),
      spec: { project: PROJECT, scope: "global", loadBalancingScheme: "EXTERNAL_MANAGED", network: "default", labels: { team: "edge" } } },
    { apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: meta(REGIONAL_CLASS),
      spec: { controllerName: "gatehouse.dev/gcp", parametersRef: { group: "gatehouse.dev", kind: "GCPConfig", name: "regional", namespace: "gatehouse-system" } } },
    { apiVersion: "gatehouse.dev/v1alpha1", kind: "GCPConfig", metadata: meta("regional", "gatehouse-system"),
      spec: { project: PROJECT, scope: "region", region: "us-central1", loadBalancingScheme: "INTERNAL_MANAGED", network: "default",
        subnetwork: "backend", proxyOnlySubnetwork: "10.129.0.0/23", zones: ["us-central1-a", "us-central1-b"] } },
  ];
}

export function gateway(name: string, className = GLOBAL_CLASS, listeners: unknown[] = [{ name: "http", port: 80, protocol: "HTTP" }], namespace = "default"): unknown {
  return { apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: meta(name, namespace), spec: { gatewayClassName: className, listeners } };
}

/** A Service and its EndpointSlice: `n` ready endpoints spread over two zones, each with a node. */
export function service(name: string, n = 2, namespace = "default", region = "us-central1", base = 1): unknown[] {
  const id = [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 200, 7) + 10;
  return [
    { apiVersion: "v1", kind: "Service", metadata: meta(name, namespace), spec: { ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }] } },
    { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { ...meta(`${name}-a`, namespace), labels: { "kubernetes.io/service-name": name } },
      addressType: "IPv4",
      endpoints: Array.from({ length: n }, (_, i) => ({
        addresses: [`10.${id}.0.${base + i}`], conditions: { ready: true }, zone: `${region}-${i % 2 === 0 ? "a" : "b"}`, nodeName: `node-${i % 3}`,
      })),
      ports: [{ name: "http", port: 8080, protocol: "TCP" }] },
  ];
}

export function route(name: string, gatewayName: string, rules: unknown[], opts: { hostnames?: string[]; namespace?: string } = {}): unknown {
  return {
    apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: meta(name, opts.namespace ?? "default"),
    spec: { parentRefs: [{ name: gatewayName }], ...(opts.hostnames ? { hostnames: opts.hostnames } : {}), rules },
  };
}

export const backend = (name: string, weight?: number) => ({ name, port: 80, ...(weight !== undefined ? { weight } : {}) });

/** `n` routes on one Gateway, each with its own Service and a rule mixing the features the URL map carries. */
export function manyRoutes(n: number, gatewayName = "web", className = GLOBAL_CLASS): unknown[] {
  const out: unknown[] = [...classes(), gateway(gatewayName, className)];
  for (let i = 0; i < n; i++) {
    out.push(...service(`svc-${i}`));
    out.push(route(`route-${i}`, gatewayName, [
      {
        matches: [{ path: { type: "PathPrefix", value: `/app-${i}` }, headers: [{ name: "x-tenant", value: `t${i % 3}` }] }],
        filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x-route", value: `r${i}` }] } }],
        backendRefs: [backend(`svc-${i}`)],
      },
      { matches: [{ path: { type: "Exact", value: `/app-${i}/health` }, method: "GET" }], backendRefs: [backend(`svc-${i}`)] },
    ], { hostnames: [`app${i % 4}.example.com`] }));
  }
  return out;
}

export function run(objects: readonly unknown[], results: readonly ProviderResults[] = []) {
  const { snapshot } = snapshotFromObjects(objects);
  return compute({ snapshot, controllers: [gcpCapabilities()], results, now: NOW });
}

export function desiredOf(objects: readonly unknown[]): DesiredState {
  return run(objects).desired;
}

let hostCounter = 0;
/** A fake on its own loopback address (parallel test files never share one). */
export async function startFake(fileIndex: number, opts: { operationDelayMs?: number; waitTimeoutMs?: number; quotas?: Record<string, number> } = {}): Promise<FakeCompute> {
  hostCounter++;
  return startFakeCompute({ project: PROJECT, host: `127.43.${fileIndex}.${hostCounter}`, operationDelayMs: opts.operationDelayMs ?? 2, waitTimeoutMs: opts.waitTimeoutMs ?? 200,
    ...(opts.quotas ? { quotas: opts.quotas } : {}) });
}

export function provider(fake: FakeCompute, extra: Partial<GcpProviderOptions> = {}): GcpProvider {
  return new GcpProvider({
    clientOptions: fake.clientOptions() as unknown as Record<string, unknown>, project: PROJECT, clusterName: "test",
    retry: { attempts: 6, baseMs: 5 }, operationPollMs: 1, callTimeoutMs: 5000, ...extra,
  });
}

/** apply(plan(desired)) in one go. */
export async function converge(p: GcpProvider, desired: DesiredState): Promise<ProviderResults> {
  return p.apply(await p.plan(desired), desired);
}

/** The fake's resources, normalized (no ids, timestamps, fingerprints), for comparing runs. */
export function normalized(fake: FakeCompute): unknown {
  return fake.state.snapshot({ stable: true });
}

/** Mutating calls since `mark`, by method id without the `compute.` prefix. */
export function mutations(fake: FakeCompute, mark: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(fake.calls.byMethod({ mutating: true, since: mark }))) out[k.replace(/^compute\./, "")] = v;
  return out;
}
