// BackendNode → IRBackend. Invalid references are kept (with `invalid`) so data planes can
// answer 500 for exactly their share of the weight, as the spec requires.
import type { BackendNode, EndpointNode } from "@gatehouse/graph";
import type { IRBackend } from "./types.js";
import { buildFilters } from "./filters.js";
import { cmp } from "./util.js";

/** `Service/ns/name:port`: the pool / target group / backend service key. */
export function backendId(b: Pick<BackendNode, "kind" | "namespace" | "name" | "port">): string {
  const kind = b.kind || "Service";
  return `${kind}/${b.namespace}/${b.name}${b.port !== undefined ? `:${b.port}` : ""}`;
}

const compareEndpoints = (a: EndpointNode, b: EndpointNode) => cmp(a.address, b.address) || a.port - b.port;

/**
 * Endpoints by address and port. The graph shares one endpoint list per Service port between
 * all backends that use it; the sorted copy is shared the same way (not copied per backend).
 */
const sortedLists = new WeakMap<readonly EndpointNode[], EndpointNode[]>();
function sortEndpoints(eps: readonly EndpointNode[] | undefined): EndpointNode[] {
  if (!eps || eps.length === 0) return [];
  let sorted = sortedLists.get(eps);
  if (!sorted) sortedLists.set(eps, (sorted = [...eps].sort(compareEndpoints)));
  return sorted;
}

export function buildBackend(b: BackendNode): IRBackend {
  const out: IRBackend = {
    source: b.source,
    id: backendId(b),
    kind: b.kind || "Service",
    namespace: b.namespace,
    name: b.name,
    weight: Number.isFinite(b.weight) && b.weight >= 0 ? b.weight : 1,
    protocol: b.protocol ?? "http",
    endpoints: b.valid ? sortEndpoints(b.endpoints) : [],
    filters: buildFilters(b.filters, buildBackend),
  };
  if (b.port !== undefined) out.port = b.port;
  if (b.tls) out.tls = b.tls;
  if (!b.valid) out.invalid = { reason: b.reason ?? "BackendNotFound", message: b.message ?? `backend ${out.id} is invalid` };
  else if (b.tls && b.tls.caCertificatesPem.length === 0 && !b.tls.wellKnownCACertificates) {
    // BackendTLSPolicy spec: connections using invalid CA refs MUST fail with a 5xx. Marking
    // the backend invalid gives every data plane the same 500, not a backend-specific guess.
    out.invalid = { reason: "NoValidCACertificate", message: `${b.tls.policy} has no valid CA certificate to verify ${out.id}` };
    out.endpoints = [];
  }
  return out;
}

/** Backends in spec order (weights are positional for the data plane's picker). */
export function buildBackends(bs: readonly BackendNode[] | undefined): IRBackend[] {
  return (bs ?? []).map(buildBackend);
}

/** Sum of the weights of valid backends: 0 means no request can be forwarded. */
export function forwardableWeight(bs: readonly IRBackend[]): number {
  let total = 0;
  for (const b of bs) if (!b.invalid) total += b.weight;
  return total;
}
