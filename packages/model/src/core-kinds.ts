// Core Kubernetes kinds the graph reads, typed by kubernetes-models (same family as the
// Gateway API models, so ObjectMeta and Condition are one type across both).
export type { IService as Service } from "kubernetes-models/v1/Service";
export type { IServicePort as ServicePort } from "kubernetes-models/v1/ServicePort";
export type { ISecret as Secret } from "kubernetes-models/v1/Secret";
export type { INamespace as Namespace } from "kubernetes-models/v1/Namespace";
export type { IConfigMap as ConfigMap } from "kubernetes-models/v1/ConfigMap";
export type { IEndpointSlice as EndpointSlice } from "kubernetes-models/discovery.k8s.io/v1/EndpointSlice";
export type { IEndpoint as Endpoint } from "kubernetes-models/discovery.k8s.io/v1/Endpoint";
export type { IIoK8sApimachineryPkgApisMetaV1ObjectMeta as ObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";
export type { IIoK8sApimachineryPkgApisMetaV1Condition as Condition } from "@kubernetes-models/apimachinery/apis/meta/v1/Condition";
