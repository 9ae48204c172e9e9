import type {
  BackendTLSPolicy, GRPCRoute, Gateway, GatewayClass, HTTPRoute, ReferenceGrant, TCPRoute, TLSRoute, UDPRoute,
} from "./gateway-api.js";
import type { ConfigMap, EndpointSlice, Namespace, Secret, Service } from "./core-kinds.js";
import type { GCPConfig, LatticeConfig, LocalProxyConfig } from "./gatehouse-kinds.js";
import { KIND, type Kind } from "./kinds.js";
import { keyOf, nameOf, type Meta } from "./keys.js";

/** Every object the core reads, as plain JSON. The graph builder takes exactly this. */
export interface Snapshot {
  GatewayClass: GatewayClass[];
  Gateway: Gateway[];
  HTTPRoute: HTTPRoute[];
  GRPCRoute: GRPCRoute[];
  TLSRoute: TLSRoute[];
  TCPRoute: TCPRoute[];
  UDPRoute: UDPRoute[];
  ReferenceGrant: ReferenceGrant[];
  BackendTLSPolicy: BackendTLSPolicy[];
  Service: Service[];
  EndpointSlice: EndpointSlice[];
  Secret: Secret[];
  Namespace: Namespace[];
  ConfigMap: ConfigMap[];
  /** gatehouse.dev/v1alpha1 LocalProxyConfig: GatewayClass parameters of the local backend. */
  LocalProxyConfig: LocalProxyConfig[];
  /** gatehouse.dev/v1alpha1 LatticeConfig: GatewayClass parameters of the aws-vpc-lattice backend. */
  LatticeConfig: LatticeConfig[];
  /** gatehouse.dev/v1alpha1 GCPConfig: GatewayClass parameters of the gcp backend. */
  GCPConfig: GCPConfig[];
}

export function emptySnapshot(): Snapshot {
  const s = {} as Record<Kind, unknown[]>;
  for (const k of Object.values(KIND)) s[k] = [];
  return s as unknown as Snapshot;
}

export interface RejectedObject { index: number; reason: string }

/**
 * Sorts a list of arbitrary objects into a Snapshot. Objects of kinds we do not read, or
 * without a name, are returned as rejected (never thrown). Each kind's list is sorted by
 * key so the graph builder never depends on input order.
 */
export function snapshotFromObjects(objects: readonly unknown[]): { snapshot: Snapshot; rejected: RejectedObject[] } {
  const snapshot = emptySnapshot() as unknown as Record<string, Meta[]>;
  const rejected: RejectedObject[] = [];
  objects.forEach((o, index) => {
    if (!o || typeof o !== "object" || Array.isArray(o)) return void rejected.push({ index, reason: "not an object" });
    const kind = (o as { kind?: unknown }).kind;
    if (typeof kind !== "string" || !Object.hasOwn(snapshot, kind)) {
      return void rejected.push({ index, reason: `kind ${JSON.stringify(kind)} is not read by gatehouse` });
    }
    const meta = (o as Meta).metadata;
    if (!meta || typeof meta !== "object" || typeof meta.name !== "string" || meta.name === "") {
      return void rejected.push({ index, reason: `${kind} without metadata.name` });
    }
    snapshot[kind]!.push(o as Meta);
  });
  return { snapshot: normalizeSnapshot(snapshot as unknown as Snapshot), rejected };
}

/**
 * Same objects, each kind sorted by key. Two objects with one key cannot both exist in a
 * cluster; if a caller passes both, the one whose JSON sorts last wins, so that the
 * choice never depends on input order.
 */
export function normalizeSnapshot(s: Snapshot): Snapshot {
  const out = emptySnapshot() as unknown as Record<string, Meta[]>;
  for (const [kind, list] of Object.entries(s as unknown as Record<string, Meta[]>)) {
    if (!Object.hasOwn(out, kind) || !Array.isArray(list)) continue;
    if (isNormalized(list)) { out[kind] = [...list]; continue; } // the common case: already sorted, no duplicates
    const byKey = new Map<string, Meta>();
    for (const o of list) {
      if (!o || typeof o !== "object" || !nameOf(o)) continue;
      const key = keyOf(o);
      const prev = byKey.get(key);
      if (!prev || JSON.stringify(o) > JSON.stringify(prev)) byKey.set(key, o);
    }
    out[kind] = [...byKey.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
  }
  return out as unknown as Snapshot;
}

/** Every element an object with a name, keys strictly increasing: normalizing would change nothing. */
function isNormalized(list: readonly Meta[]): boolean {
  let prev: string | undefined;
  for (const o of list) {
    if (!o || typeof o !== "object" || !nameOf(o)) return false;
    const key: unknown = keyOf(o);
    if (typeof key !== "string" || (prev !== undefined && !(prev < key))) return false;
    prev = key;
  }
  return true;
}
