// Gateway API object types. They come from @kubernetes-models/gateway-api (generated from
// the upstream Go types, maintained, ESM, Node >= 22); we use only its interfaces, never
// its runtime classes, so objects stay plain JSON as the API server sends them.

export type { IGatewayClass as GatewayClass } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GatewayClass";
export type { IGateway as Gateway } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway";
export type { IListener as Listener } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Listener";
export type { IListenerTLSConfig as ListenerTLSConfig } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/ListenerTLSConfig";
export type { IAllowedRoutes as AllowedRoutes } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/AllowedRoutes";
export type { IRouteGroupKind as RouteGroupKind } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/RouteGroupKind";
export type { ISecretObjectReference as SecretObjectReference } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/SecretObjectReference";
export type { IGatewayStatus as GatewayStatus } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GatewayStatus";
export type { IGatewayStatusAddress as GatewayStatusAddress } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GatewayStatusAddress";
export type { IGatewaySpecAddress as GatewaySpecAddress } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GatewaySpecAddress";
export type { IListenerStatus as ListenerStatus } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/ListenerStatus";
export type { IGatewayClassStatus as GatewayClassStatus } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GatewayClassStatus";
export type { ISupportedFeature as SupportedFeature } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/SupportedFeature";

export type { IHTTPRoute as HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
export type { IHTTPRouteRule as HTTPRouteRule } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteRule";
export type { IHTTPRouteMatch as HTTPRouteMatch } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteMatch";
export type { IHTTPRouteFilter as HTTPRouteFilter } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteFilter";
export type { IHTTPBackendRef as HTTPBackendRef } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPBackendRef";
export type { IHTTPHeaderFilter as HTTPHeaderFilter } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPHeaderFilter";
export type { IHTTPRequestRedirectFilter as HTTPRequestRedirectFilter } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRequestRedirectFilter";
export type { IHTTPURLRewriteFilter as HTTPURLRewriteFilter } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPURLRewriteFilter";
export type { IHTTPRequestMirrorFilter as HTTPRequestMirrorFilter } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRequestMirrorFilter";
export type { IHTTPCORSFilter as HTTPCORSFilter } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPCORSFilter";
export type { IHTTPRouteTimeouts as HTTPRouteTimeouts } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteTimeouts";
export type { IHTTPRouteRetry as HTTPRouteRetry } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteRetry";
export type { ISessionPersistence as SessionPersistence } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/SessionPersistence";
export type { IHTTPPathModifier as HTTPPathModifier } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPPathModifier";
export type { IGRPCRoute as GRPCRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GRPCRoute";
export type { IGRPCRouteRule as GRPCRouteRule } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GRPCRouteRule";
export type { IGRPCRouteMatch as GRPCRouteMatch } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GRPCRouteMatch";
export type { IGRPCRouteFilter as GRPCRouteFilter } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GRPCRouteFilter";
export type { IGRPCBackendRef as GRPCBackendRef } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GRPCBackendRef";
export type { ITLSRoute as TLSRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/TLSRoute";
export type { ITCPRoute as TCPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1alpha2/TCPRoute";
export type { IUDPRoute as UDPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1alpha2/UDPRoute";
export type { IParentReference as ParentReference } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/ParentReference";
export type { IBackendRef as BackendRef } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/BackendRef";
export type { IBackendObjectReference as BackendObjectReference } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/BackendObjectReference";
export type { IRouteParentStatus as RouteParentStatus } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/RouteParentStatus";
export type { IRouteStatus as RouteStatus } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/RouteStatus";
export type { IReferenceGrant as ReferenceGrant } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/ReferenceGrant";
export type { IBackendTLSPolicy as BackendTLSPolicy } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/BackendTLSPolicy";
export type { IPolicyAncestorStatus as PolicyAncestorStatus } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/PolicyAncestorStatus";
export type { IPolicyStatus as PolicyStatus } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/PolicyStatus";
