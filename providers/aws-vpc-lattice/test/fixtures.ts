// Provider tests: Gateway API YAML → compute() of @gatehouse/core → DesiredState; the fake
// Lattice on loopback; a provider whose real SDK client talks to it.
import { parseAllDocuments } from "yaml";
import { snapshotFromObjects } from "@gatehouse/model";
import { compute } from "@gatehouse/core";
import type { DesiredState } from "@gatehouse/ir";
import type { ProviderResults } from "@gatehouse/provider-api";
import { startFakeLattice, ZERO_DELAYS, type FakeLattice, type FakeLatticeOptions } from "@gatehouse/fake-lattice";
import { LATTICE_CONTROLLER, latticeCapabilities } from "../src/capabilities.js";
import { LatticeProvider, type LatticeProviderOptions } from "../src/provider.js";

const NOW = "2026-01-01T00:00:00Z";
const T = `creationTimestamp: "2025-01-01T00:00:00Z"`;
export const VPC = "vpc-0123456789abcdef0";

export function objects(yamlText: string): unknown[] {
  return parseAllDocuments(yamlText).map((d) => d.toJS() as unknown).filter((o) => o !== null && o !== undefined);
}

export function computeOf(yamlText: string, results: ProviderResults[] = [], annotations?: Record<string, Record<string, string | null>>) {
  let objs = objects(yamlText);
  if (annotations) objs = withAnnotations(objs, annotations);
  const { snapshot, rejected } = snapshotFromObjects(objs);
  if (rejected.length > 0) throw new Error(`fixture objects rejected: ${JSON.stringify(rejected)}`);
  return compute({ snapshot, controllers: [latticeCapabilities()], results, now: NOW });
}

export function desiredOf(yamlText: string, annotations?: Record<string, Record<string, string | null>>): DesiredState {
  return computeOf(yamlText, [], annotations).desired;
}

/** Sets annotations on objects by source key (`gateway/ns/name`, `httproute/ns/name`), as the operator would. */
export function withAnnotations(objs: unknown[], annotations: Record<string, Record<string, string | null>>): unknown[] {
  return objs.map((o) => {
    const x = o as { kind?: string; metadata?: { namespace?: string; name?: string; annotations?: Record<string, string> } };
    const key = `${(x.kind ?? "").toLowerCase()}/${x.metadata?.namespace ?? ""}/${x.metadata?.name ?? ""}`;
    const a = annotations[key];
    if (!a) return o;
    const merged: Record<string, string> = { ...(x.metadata?.annotations ?? {}) };
    for (const [k, v] of Object.entries(a)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    return { ...x, metadata: { ...x.metadata, annotations: merged } };
  });
}

/** Accumulates result annotations per object source, as the operator writes them. */
export function annotationsOf(results: ProviderResults, into: Record<string, Record<string, string | null>> = {}): Record<string, Record<string, string | null>> {
  const put = (key: string, a: Record<string, string | null> | undefined) => {
    if (!a) return;
    const cur = into[key] ?? {};
    for (const [k, v] of Object.entries(a)) {
      if (v === null) delete cur[k];
      else cur[k] = v;
    }
    into[key] = cur;
  };
  for (const g of results.gateways) put(`gateway/${g.key}`, g.annotations);
  for (const r of results.routes) put(r.route, r.annotations);
  return into;
}

export function gatewayClass(name = "lattice", params = "lattice-config"): string {
  return `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: ${name}, generation: 1, ${T} }
spec:
  controllerName: ${LATTICE_CONTROLLER}
  parametersRef: { group: gatehouse.dev, kind: LatticeConfig, name: ${params}, namespace: default }
`;
}

export function latticeConfig(spec: string, name = "lattice-config"): string {
  return `
apiVersion: gatehouse.dev/v1alpha1
kind: LatticeConfig
metadata: { name: ${name}, namespace: default, ${T} }
spec: ${spec}
`;
}

/** An IAM auth policy document: callers in the given account may invoke (`n` varies the document). */
export const authPolicy = (account = "123456789012", n = 0) => ({
  Version: "2012-10-17",
  Statement: [{
    Effect: "Allow", Principal: { AWS: [`arn:aws:iam::${account}:root`] }, Action: "vpc-lattice-svcs:Invoke", Resource: "*",
    ...(n ? { Condition: { NumericLessThanEquals: { "vpc-lattice-svcs:Port": 8000 + n } } } : {}),
  }],
});

/** The default config with authType AWS_IAM and `policy` (an object; undefined = none). */
export const authConfigYaml = (policy: unknown, authType = "AWS_IAM", serviceNetwork: Record<string, unknown> = { create: true }) =>
  latticeConfig(JSON.stringify({
    vpcIdentifier: VPC, serviceNetwork: { ...serviceNetwork, authType, ...(policy !== undefined ? { authPolicy: policy } : {}) },
    securityGroupIds: ["sg-0123456789abcdef0"], tags: { team: "web" },
  }));

export const defaultConfigYaml = () => latticeConfig(`{ vpcIdentifier: ${VPC}, serviceNetwork: { create: true }, securityGroupIds: [sg-0123456789abcdef0], tags: { team: web } }`);

export function gateway(name: string, listeners = `[{ name: http, port: 80, protocol: HTTP }]`, className = "lattice"): string {
  return `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: ${name}, namespace: default, generation: 1, ${T} }
spec:
  gatewayClassName: ${className}
  listeners: ${listeners}
`;
}

/** Service `name` (port 80 → 8080) with ready endpoints at the given IPs. */
export function service(name: string, ips: string[], appProtocol?: string): string {
  return `
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: default, ${T} }
spec:
  ports: [{ name: http, port: 80, targetPort: 8080, protocol: TCP${appProtocol ? `, appProtocol: ${appProtocol}` : ""} }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${name}-a
  namespace: default
  labels: { kubernetes.io/service-name: ${name} }
  ${T}
addressType: IPv4
endpoints: [${ips.map((ip) => `{ addresses: ["${ip}"], conditions: { ready: true } }`).join(", ")}]
ports: [{ name: http, port: 8080, protocol: TCP }]
`;
}

/** HTTPRoute with the given rules YAML (indented list items under `rules:`). */
export function httpRoute(name: string, gatewayName: string, rules: string, hostnames?: string[]): string {
  return `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: default, generation: 1, ${T} }
spec:
  parentRefs: [{ name: ${gatewayName} }]
${hostnames ? `  hostnames: [${hostnames.join(", ")}]\n` : ""}  rules:
${rules}
`;
}

export const simpleRule = (path: string, backend: string, weight?: number) =>
  `  - matches: [{ path: { type: PathPrefix, value: "${path}" } }]
    backendRefs: [{ name: ${backend}, port: 80${weight !== undefined ? `, weight: ${weight}` : ""} }]`;

export const weightedRule = (path: string, backends: [string, number][]) =>
  `  - matches: [{ path: { type: PathPrefix, value: "${path}" } }]
    backendRefs: [${backends.map(([n, w]) => `{ name: ${n}, port: 80, weight: ${w} }`).join(", ")}]`;

export const docs = (...parts: string[]) => parts.join("\n---\n");

let hostN = 0;
/** A fake on its own loopback address (parallel test files never collide). */
export async function fake(opts: FakeLatticeOptions = {}): Promise<FakeLattice> {
  hostN++;
  return startFakeLattice({ host: `127.0.${40 + (process.pid % 50)}.${(hostN % 250) + 1}`, delays: ZERO_DELAYS, seed: "gatehouse", ...opts });
}

export function provider(lattice: FakeLattice, opts: Partial<LatticeProviderOptions> = {}): LatticeProvider {
  return new LatticeProvider({
    endpoint: lattice.endpoint,
    region: lattice.region,
    credentials: { accessKeyId: "fake", secretAccessKey: "fake" },
    clusterName: "test",
    requestTimeoutMs: 2000,
    retry: { attempts: 6, baseMs: 5 },
    pollMs: 5,
    waitMs: 10_000,
    driftCheckMs: 0,
    ...opts,
  });
}

/** plan + apply, returning the results. */
export async function converge(p: LatticeProvider, desired: DesiredState): Promise<ProviderResults> {
  return p.apply(await p.plan(desired), desired);
}

export const mutatingCount = (counts: Record<string, number>) =>
  Object.entries(counts).filter(([op]) => !/^(Get|List)/.test(op)).reduce((n, [, c]) => n + c, 0);

/** The fake's state without ids, timestamps, ARNs and DNS names: comparable between runs. */
export function normalized(lattice: FakeLattice): unknown {
  const snap = lattice.state.snapshot();
  const ids = new Map<string, string>();
  const names = new Map<string, string>();
  for (const list of [snap.serviceNetworks, snap.services, snap.listeners, snap.targetGroups, snap.rules] as Record<string, unknown>[][]) {
    for (const r of list) if (typeof r["id"] === "string" && typeof r["name"] === "string") names.set(r["id"], r["name"]);
  }
  const scrub = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(scrub);
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) {
        if (["id", "arn", "createdAt", "lastUpdatedAt", "dnsEntry", "hostedZoneId", "createdBy", "serviceArn", "serviceNetworkArn", "serviceArns"].includes(k)) continue;
        out[k] = scrub((v as Record<string, unknown>)[k]);
      }
      return out;
    }
    if (typeof v === "string") {
      const m = /(sn|svc|listener|tg|rule|snva|snsa)-[0-9a-f]{17}$/.exec(v);
      if (m) {
        const id = m[0];
        if (!ids.has(id)) ids.set(id, names.get(id) ?? `<${m[1]}>`);
        return ids.get(id);
      }
    }
    return v;
  };
  const targets: Record<string, unknown> = {};
  for (const [tg, list] of Object.entries(snap.targets)) targets[names.get(tg) ?? tg] = scrub(list);
  const sortBy = (l: unknown[]) => l.map(scrub).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  // Auth policies by the name of their network or service, as parsed JSON (the text's key order is not state).
  const authPolicies: Record<string, unknown> = {};
  for (const [id, text] of Object.entries(snap.authPolicies).sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    let doc: unknown = text;
    try { doc = JSON.parse(text); } catch { /* kept as text */ }
    authPolicies[names.get(id) ?? id] = doc;
  }
  return {
    serviceNetworks: sortBy(snap.serviceNetworks), services: sortBy(snap.services), vpcAssociations: sortBy(snap.vpcAssociations),
    serviceAssociations: sortBy(snap.serviceAssociations), listeners: sortBy(snap.listeners), rules: sortBy(snap.rules),
    targetGroups: sortBy(snap.targetGroups), targets, tags: sortBy(Object.values(snap.tags)), authPolicies,
  };
}

/** Gateway listeners: HTTP on 80 and a TLS Passthrough listener on `tlsPort`. */
export const withPassthrough = (tlsPort = 443) =>
  `[{ name: http, port: 80, protocol: HTTP }, { name: tls, port: ${tlsPort}, protocol: TLS, tls: { mode: Passthrough } }]`;

/** TLSRoute on the Gateway's `tls` listener: one rule forwarding to `[backend, weight]`s (port 80 of each Service). */
export function tlsRoute(name: string, gatewayName: string, backends: [string, number][], hostnames?: string[]): string {
  return `
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: { name: ${name}, namespace: default, generation: 1, ${T} }
spec:
  parentRefs: [{ name: ${gatewayName}, sectionName: tls }]
${hostnames ? `  hostnames: [${hostnames.map((h) => JSON.stringify(h)).join(", ")}]\n` : ""}  rules:
  - backendRefs: [${backends.map(([n, w]) => `{ name: ${n}, port: 80, weight: ${w} }`).join(", ")}]
`;
}
