// The bench's Gateway API objects: one Gateway on a fixed address, an HTTPRoute (or a
// TCPRoute) to one Service whose endpoints are the shared upstream(s).
import { snapshotFromObjects } from "@gatehouse/model";
import { compute } from "@gatehouse/core";
import type { DesiredState } from "@gatehouse/ir";
import { LOCAL_CONTROLLER, capabilitiesFor } from "../src/capabilities.js";

const T = "2025-01-01T00:00:00Z";
const meta = (name: string, ns = "bench") => ({ name, namespace: ns, generation: 1, creationTimestamp: T });

export interface BenchWorld {
  address: string;
  port: number;
  kind: "HTTP" | "TCP";
  upstreams: { host: string; port: number }[];
  /** Extra HTTPRoutes (churn): `extra-<i>` for host `extra-<i>.example`. */
  extraRoutes?: number[];
}

export function benchObjects(w: BenchWorld): unknown[] {
  const objs: unknown[] = [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "bench", creationTimestamp: T } },
    { apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: { name: "local", generation: 1, creationTimestamp: T }, spec: { controllerName: LOCAL_CONTROLLER } },
    {
      apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: meta("gw"),
      spec: { gatewayClassName: "local", addresses: [{ type: "IPAddress", value: w.address }], listeners: [{ name: "l", port: w.port, protocol: w.kind, allowedRoutes: { kinds: [{ kind: w.kind === "HTTP" ? "HTTPRoute" : "TCPRoute" }] } }] },
    },
    { apiVersion: "v1", kind: "Service", metadata: meta("upstream"), spec: { ports: [{ name: "http", port: 80, protocol: "TCP" }] } },
  ];
  // One EndpointSlice per upstream port (a slice has one port list).
  const byPort = new Map<number, string[]>();
  for (const u of w.upstreams) byPort.set(u.port, [...(byPort.get(u.port) ?? []), u.host]);
  let i = 0;
  for (const [port, hosts] of byPort) {
    objs.push({
      apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { ...meta(`upstream-${i++}`), labels: { "kubernetes.io/service-name": "upstream" } },
      addressType: "IPv4", ports: [{ name: "http", port, protocol: "TCP" }],
      endpoints: hosts.map((h) => ({ addresses: [h], conditions: { ready: true, serving: true, terminating: false } })),
    });
  }
  const route = (name: string, hostnames?: string[]) => w.kind === "HTTP"
    ? { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: meta(name), spec: { parentRefs: [{ name: "gw" }], ...(hostnames ? { hostnames } : {}), rules: [{ backendRefs: [{ name: "upstream", port: 80 }] }] } }
    : { apiVersion: "gateway.networking.k8s.io/v1alpha2", kind: "TCPRoute", metadata: meta(name), spec: { parentRefs: [{ name: "gw" }], rules: [{ backendRefs: [{ name: "upstream", port: 80 }] }] } };
  objs.push(route("main"));
  for (const n of w.extraRoutes ?? []) objs.push(route(`extra-${n}`, [`extra-${n}.example`]));
  return objs;
}

/**
 * The objects with a LocalProxyConfig `bench/bench` on the GatewayClass. nginx runs with
 * `access_log off` (and its stream module logs nothing unless told): the local proxy's access
 * log (on by default, to stdout) is turned off the same way, so both do the same work.
 */
export function benchObjectsNoAccessLog(w: BenchWorld): unknown[] {
  const objs = benchObjects(w) as Record<string, unknown>[];
  for (const o of objs) {
    if (o.kind === "GatewayClass") {
      o.spec = { ...(o.spec as Record<string, unknown>), parametersRef: { group: "gatehouse.dev", kind: "LocalProxyConfig", name: "bench", namespace: "bench" } };
    }
  }
  objs.push({ apiVersion: "gatehouse.dev/v1alpha1", kind: "LocalProxyConfig", metadata: meta("bench"), spec: { accessLog: { enabled: false } } });
  return objs;
}

/** The desired state the bench's gatehouse serves (access log off, see benchObjectsNoAccessLog). */
export function benchDesired(w: BenchWorld): DesiredState {
  const { snapshot, rejected } = snapshotFromObjects(benchObjectsNoAccessLog(w));
  if (rejected.length) throw new Error(`bench objects rejected: ${JSON.stringify(rejected)}`);
  return compute({ snapshot, controllers: [capabilitiesFor(LOCAL_CONTROLLER)], now: T }).desired;
}
