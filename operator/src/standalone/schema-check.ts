// Type checks of the fields of an object against the Kubernetes/Gateway API OpenAPI
// schemas (the validators @kubernetes-models ships), so `port: eighty` is reported the way
// the API server would reject it. Only wrong *types* are reported here; everything else
// (bad values, missing references) is the graph's job and shows in status conditions.
import { validate as gatewayClassV1 } from "@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1GatewayClass";
import { validate as gatewayV1 } from "@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1Gateway";
import { validate as httpRouteV1 } from "@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1HTTPRoute";
import { validate as grpcRouteV1 } from "@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1GRPCRoute";
import { validate as tlsRouteV1 } from "@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1TLSRoute";
import { validate as referenceGrantV1 } from "@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1ReferenceGrant";
import { validate as backendTlsPolicyV1 } from "@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1BackendTLSPolicy";
import { validate as gatewayClassV1beta1 } from "@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1beta1GatewayClass";
import { validate as gatewayV1beta1 } from "@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1beta1Gateway";
import { validate as httpRouteV1beta1 } from "@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1beta1HTTPRoute";
import { validate as referenceGrantV1beta1 } from "@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1beta1ReferenceGrant";
import { validate as grpcRouteV1alpha2 } from "@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1alpha2GRPCRoute";
import { validate as tcpRouteV1alpha2 } from "@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1alpha2TCPRoute";
import { validate as tlsRouteV1alpha2 } from "@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1alpha2TLSRoute";
import { validate as udpRouteV1alpha2 } from "@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1alpha2UDPRoute";
import { validate as referenceGrantV1alpha2 } from "@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1alpha2ReferenceGrant";
import { validate as backendTlsPolicyV1alpha3 } from "@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1alpha3BackendTLSPolicy";
import { validate as tlsRouteV1alpha3 } from "@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1alpha3TLSRoute";
import { validate as serviceV1 } from "kubernetes-models/_schemas/IoK8sApiCoreV1Service";
import { validate as secretV1 } from "kubernetes-models/_schemas/IoK8sApiCoreV1Secret";
import { validate as configMapV1 } from "kubernetes-models/_schemas/IoK8sApiCoreV1ConfigMap";
import { validate as namespaceV1 } from "kubernetes-models/_schemas/IoK8sApiCoreV1Namespace";
import { validate as endpointSliceV1 } from "kubernetes-models/_schemas/IoK8sApiDiscoveryV1EndpointSlice";

type Validate = (data: unknown) => boolean;
interface SchemaError { instancePath: string; keyword: string; params: { type?: string | string[] } }

const GW = "gateway.networking.k8s.io";
const VALIDATORS: Record<string, Validate> = {
  [`${GW}/v1/GatewayClass`]: gatewayClassV1,
  [`${GW}/v1/Gateway`]: gatewayV1,
  [`${GW}/v1/HTTPRoute`]: httpRouteV1,
  [`${GW}/v1/GRPCRoute`]: grpcRouteV1,
  [`${GW}/v1/TLSRoute`]: tlsRouteV1,
  [`${GW}/v1/ReferenceGrant`]: referenceGrantV1,
  [`${GW}/v1/BackendTLSPolicy`]: backendTlsPolicyV1,
  [`${GW}/v1beta1/GatewayClass`]: gatewayClassV1beta1,
  [`${GW}/v1beta1/Gateway`]: gatewayV1beta1,
  [`${GW}/v1beta1/HTTPRoute`]: httpRouteV1beta1,
  [`${GW}/v1beta1/ReferenceGrant`]: referenceGrantV1beta1,
  [`${GW}/v1alpha2/GRPCRoute`]: grpcRouteV1alpha2,
  [`${GW}/v1alpha2/TCPRoute`]: tcpRouteV1alpha2,
  [`${GW}/v1alpha2/TLSRoute`]: tlsRouteV1alpha2,
  [`${GW}/v1alpha2/UDPRoute`]: udpRouteV1alpha2,
  [`${GW}/v1alpha2/ReferenceGrant`]: referenceGrantV1alpha2,
  [`${GW}/v1alpha3/BackendTLSPolicy`]: backendTlsPolicyV1alpha3,
  [`${GW}/v1alpha3/TLSRoute`]: tlsRouteV1alpha3,
  "v1/Service": serviceV1,
  "v1/Secret": secretV1,
  "v1/ConfigMap": configMapV1,
  "v1/Namespace": namespaceV1,
  "discovery.k8s.io/v1/EndpointSlice": endpointSliceV1,
};

export interface TypeProblem {
  /** `spec.listeners[0].port` */
  field: string;
  /** `expected integer, got string "eighty"` */
  message: string;
}

/**
 * Wrong-typed fields of one object, in document order of their paths, one per field. An
 * apiVersion/kind pair we have no schema for is not checked (the graph copes with any shape).
 */
export function typeProblems(object: Record<string, unknown>): TypeProblem[] {
  const validate = VALIDATORS[`${String(object.apiVersion)}/${String(object.kind)}`];
  if (!validate || validate(object)) return [];
  const errors = (validate as unknown as { errors?: SchemaError[] | null }).errors ?? [];
  const seen = new Set<string>();
  const out: TypeProblem[] = [];
  for (const e of errors) {
    if (e.keyword !== "type" || seen.has(e.instancePath)) continue;
    seen.add(e.instancePath);
    const segments = pointerSegments(e.instancePath);
    const expected = Array.isArray(e.params.type) ? e.params.type.join(" or ") : String(e.params.type);
    out.push({ field: fieldPath(segments), message: `expected ${article(expected)}, got ${describe(valueAt(object, segments))}` });
  }
  return out;
}

function pointerSegments(pointer: string): string[] {
  return pointer === "" ? [] : pointer.slice(1).split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function valueAt(root: unknown, segments: readonly string[]): unknown {
  let v = root;
  for (const s of segments) v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}

/** `spec.rules[0].backendRefs[1].port`; keys that are not identifiers are quoted: `metadata.labels["app.kubernetes.io/name"]`. */
export function fieldPath(segments: readonly string[]): string {
  let out = "";
  for (const s of segments) {
    if (/^\d+$/.test(s)) out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out || "(object)";
}

function article(type: string): string {
  return /^(object|array|integer)/.test(type) ? `an ${type}` : `a ${type}`;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return "nothing (null)";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  const text = JSON.stringify(v);
  return `${typeof v === "string" ? "a string" : typeof v === "number" ? "a number" : `a ${typeof v}`} ${text.length > 40 ? `${text.slice(0, 37)}…` : text}`;
}
