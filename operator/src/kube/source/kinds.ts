// The kinds the core reads and where the API server serves them: the resource table of
// kube/client.ts, plus older versions to fall back to. Versions are tried in order and the
// first one the server answers for is watched (older clusters lack v1 of some Gateway API
// kinds; v1.6.3 serves TLSRoute/TCPRoute/UDPRoute at v1 and deprecated alphas).
import { KIND, type Kind } from "@gatehouse/model";
import { CORE_RESOURCES, GATEHOUSE_RESOURCES, GATEWAY_RESOURCES, apiVersionOf as typeApiVersion, resourcePath, type ResourceType } from "../client.js";

export interface WatchedKind {
  kind: Kind;
  type: ResourceType;
  versions: readonly string[];
  namespaced: boolean;
}

const OLDER_VERSIONS: Partial<Record<Kind, readonly string[]>> = {
  TLSRoute: ["v1alpha3", "v1alpha2"],
  TCPRoute: ["v1alpha2"],
  UDPRoute: ["v1alpha2"],
  ReferenceGrant: ["v1beta1"],
  BackendTLSPolicy: ["v1alpha3"],
};

const RESOURCES: Record<Kind, ResourceType> = { ...GATEWAY_RESOURCES, ...CORE_RESOURCES, ...GATEHOUSE_RESOURCES };

export const WATCHED_KINDS: readonly WatchedKind[] = Object.values(KIND).map((kind) => {
  const type = RESOURCES[kind];
  return { kind, type, versions: [type.version, ...(OLDER_VERSIONS[kind] ?? [])], namespaced: type.namespaced };
});

export function apiVersionOf(k: WatchedKind, version: string): string {
  return typeApiVersion({ ...k.type, version });
}

/** Collection path, e.g. /apis/gateway.networking.k8s.io/v1/namespaces/a/httproutes or /api/v1/secrets. */
export function collectionPath(k: WatchedKind, version: string, namespace: string | undefined): string {
  return resourcePath({ ...k.type, version }, namespace ? { namespace } : {});
}
