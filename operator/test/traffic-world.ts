// The world of the end-to-end traffic tests: one control plane and one operator (local proxy,
// loopback address mode) per test file, a GatewayClass of the file's own, and YAML for the
// Gateways, Services + EndpointSlices (pointing at the echo backends), Secrets and routes
// each test creates in a namespace of its own.
import test from "ava";
import type { EndpointSlice, Snapshot } from "@gatehouse/model";
import { startControlPlane } from "@gatehouse/test-harness";
import type { Source } from "../src/ports.js";
import { kubeBindings } from "../src/run/kube-bindings.js";
import {
  Kube, condition, controllerFor, parentCondition, startOperator, type Obj, type OperatorSuite,
} from "./e2e-helpers.js";
import { installGatehouseCRDs } from "./local-crd.js";
import type { Endpoint } from "./traffic-backends.js";
import type { Cert } from "./traffic-certs.js";

export interface TrafficSuite extends OperatorSuite {
  controller: string;
  /** The file's GatewayClass. */
  className: string;
}

/**
 * A control plane, the operator serving this file's controllerName, and its GatewayClass.
 * `gatehouseCRDs`: also install our CRDs (LocalProxyConfig) before the operator starts.
 */
export function useTraffic(file: string, opts: { gatehouseCRDs?: boolean } = {}): TrafficSuite {
  const env = { controller: controllerFor(`traffic-${file}`), className: `traffic-${file}` } as TrafficSuite;
  test.before(async () => {
    env.cp = await startControlPlane();
    env.kube = new Kube(env.cp);
    if (opts.gatehouseCRDs) await installGatehouseCRDs(env.kube.client);
    env.run = await startOperator(env.cp, { controllerNames: [env.controller] }, {
      kube: { source: (ctx) => new LoopbackEndpoints(kubeBindings.source(ctx)) },
    });
    await env.kube.apply(classYaml(env.className, env.controller), "default");
  });
  test.after.always(async () => {
    await env.run?.stop();
    env.kube?.close();
    await env.cp?.stop();
  });
  return env;
}

// The API server refuses loopback addresses in EndpointSlices (endpoints[0].addresses[0]: may
// not be in the loopback range), and the echo backends listen on 127.0.0.x. So the slices the
// tests create carry 198.51.100.x (TEST-NET-2, never routed) and the operator's Source is the
// real KubeSource with those addresses mapped to 127.0.0.x before the pipeline sees them.
const SLICE_NET = "198.51.100.";
const LOOPBACK_NET = "127.0.0.";

/** The EndpointSlice address standing for a backend on 127.0.0.x. */
export function sliceAddress(host: string): string {
  if (!host.startsWith(LOOPBACK_NET)) throw new Error(`traffic backends listen on ${LOOPBACK_NET}x, not ${host}`);
  return SLICE_NET + host.slice(LOOPBACK_NET.length);
}

/** KubeSource with 198.51.100.x endpoint addresses mapped to 127.0.0.x; identities kept for unchanged objects. */
export class LoopbackEndpoints implements Source {
  private readonly slices = new WeakMap<EndpointSlice, EndpointSlice>();
  private readonly lists = new WeakMap<EndpointSlice[], EndpointSlice[]>();
  private readonly snapshots = new WeakMap<Snapshot, Snapshot>();
  constructor(private readonly inner: Source) {}
  start(): Promise<void> { return this.inner.start(); }
  stop(): Promise<void> { return this.inner.stop(); }
  onChange(listener: () => void): void { this.inner.onChange(listener); }

  snapshot(): Snapshot {
    const s = this.inner.snapshot();
    let out = this.snapshots.get(s);
    if (!out) {
      let list = this.lists.get(s.EndpointSlice);
      if (!list) this.lists.set(s.EndpointSlice, (list = s.EndpointSlice.map((e) => this.slice(e))));
      this.snapshots.set(s, (out = { ...s, EndpointSlice: list }));
    }
    return out;
  }

  private slice(e: EndpointSlice): EndpointSlice {
    let m = this.slices.get(e);
    if (!m) {
      const endpoints = (Array.isArray(e.endpoints) ? e.endpoints : []).map((ep) => ({
        ...ep,
        addresses: (Array.isArray(ep.addresses) ? ep.addresses : []).map((a) => (typeof a === "string" && a.startsWith(SLICE_NET) ? LOOPBACK_NET + a.slice(SLICE_NET.length) : a)),
      }));
      this.slices.set(e, (m = { ...e, endpoints }));
    }
    return m;
  }
}

export function classYaml(name: string, controller: string, params?: { name: string; namespace: string }): string {
  const ref = params ? `\n  parametersRef: { group: gatehouse.dev, kind: LocalProxyConfig, name: ${params.name}, namespace: ${params.namespace} }` : "";
  return `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: ${name} }
spec:
  controllerName: ${controller}${ref}
`;
}

/** A Gateway; `listeners` is a YAML flow sequence, e.g. `[{ name: http, port: 80, protocol: HTTP }]`. */
export function gatewayYaml(name: string, className: string, listeners: string): string {
  return `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: ${name} }
spec:
  gatewayClassName: ${className}
  listeners: ${listeners}
`;
}

export const HTTP_LISTENER = "[{ name: http, port: 80, protocol: HTTP }]";

export interface BackendOpts {
  /** Service port (default 80). */
  port?: number;
  protocol?: "TCP" | "UDP";
  /** e.g. kubernetes.io/h2c, kubernetes.io/ws. */
  appProtocol?: string;
}

/**
 * A Service (no selector) and one EndpointSlice per endpoint (`<name>-<i>`, each with the
 * endpoint's own port), as an EndpointSlice controller would publish them.
 */
export function backendYaml(name: string, endpoints: readonly Endpoint[], opts: BackendOpts = {}): string {
  const protocol = opts.protocol ?? "TCP";
  const app = opts.appProtocol ? `, appProtocol: ${opts.appProtocol}` : "";
  let out = `
apiVersion: v1
kind: Service
metadata: { name: ${name} }
spec:
  ports: [{ name: p, port: ${opts.port ?? 80}, protocol: ${protocol}${app} }]
`;
  endpoints.forEach((e, i) => { out += `---${sliceYaml(`${name}-${i}`, name, e, opts)}`; });
  return out;
}

export function sliceYaml(sliceName: string, service: string, e: Endpoint, opts: BackendOpts = {}): string {
  const app = opts.appProtocol ? `, appProtocol: ${opts.appProtocol}` : "";
  return `
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${sliceName}
  labels: { kubernetes.io/service-name: ${service} }
addressType: IPv4
ports: [{ name: p, port: ${e.port}, protocol: ${opts.protocol ?? "TCP"}${app} }]
endpoints:
- addresses: ["${sliceAddress(e.host)}"]
  conditions: { ready: true }
`;
}

export function tlsSecretYaml(name: string, cert: Cert): string {
  return `
apiVersion: v1
kind: Secret
metadata: { name: ${name} }
type: kubernetes.io/tls
data:
  tls.crt: ${Buffer.from(cert.cert).toString("base64")}
  tls.key: ${Buffer.from(cert.key).toString("base64")}
`;
}

/** An HTTPRoute; `spec` is the YAML of everything under `spec:` (indented by the caller's template). */
export function httpRouteYaml(name: string, spec: string): string {
  return `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name} }
spec:${spec}
`;
}

/** Waits until the Gateway is Programmed with an address; returns the address. */
export async function gatewayAddress(kube: Kube, ns: string, name = "gw"): Promise<string> {
  const gw = await kube.waitFor("Gateway", ns, name,
    (o) => condition(o, "Programmed")?.status === "True" && (o.status?.addresses?.length ?? 0) > 0, "Programmed with an address");
  return (gw.status.addresses as { value: string }[])[0]!.value;
}

/** Waits until a route is Accepted and ResolvedRefs by our controller (on every parent). */
export async function routeReady(env: TrafficSuite, kind: string, ns: string, name: string): Promise<Obj> {
  return env.kube.waitFor(kind, ns, name, (o) => {
    const ps = ((o.status?.parents ?? []) as { controllerName: string; conditions: { type: string; status: string; observedGeneration?: number }[] }[])
      .filter((p) => p.controllerName === env.controller);
    const gen = o.metadata["generation"];
    return ps.length > 0 && ps.every((p) => ["Accepted", "ResolvedRefs"].every((t) =>
      p.conditions.some((c) => c.type === t && c.status === "True" && c.observedGeneration === gen)));
  }, "Accepted and ResolvedRefs at the current generation");
}

export function routeCondition(env: TrafficSuite, o: Obj | undefined, type: string) {
  return parentCondition(o, env.controller, type);
}

/**
 * A namespace of its own for one test: a Gateway `gw` of the file's class (`listeners`) and
 * the objects in `yaml`; waits until the Gateway has its address and every named route is
 * Accepted with resolved refs. Returns the namespace and the Gateway's address.
 */
export async function setupNamespace(env: TrafficSuite, prefix: string, yaml: string, routes: (string | [kind: string, name: string])[], listeners = HTTP_LISTENER): Promise<{ ns: string; addr: string }> {
  const ns = await env.cp.newNamespace(prefix);
  await env.kube.apply(gatewayYaml("gw", env.className, listeners) + "---" + yaml, ns);
  const addr = await gatewayAddress(env.kube, ns);
  for (const r of routes) {
    const [kind, name] = typeof r === "string" ? ["HTTPRoute", r] : r;
    await routeReady(env, kind, ns, name);
  }
  return { ns, addr };
}
