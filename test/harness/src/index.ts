export { startControlPlane, type ControlPlane, type ControlPlaneOptions } from "./controlplane.js";
export { buildControlPlane, controlPlaneModuleDir, type Component, type Manifest } from "./builder.js";
export { DEFAULT_CONTROLLERS } from "./components.js";
export { installGatewayCRDs, readGatewayCRDs } from "./crds.js";
export { startCluster, type Cluster, type ClusterNode, type ClusterOptions, type ImageProgram } from "./cluster.js";
export { applyManifests } from "./apply.js";
export { buildHelm, helm, HELM_MODULE, HELM_VERSION, type HelmResult } from "./helm.js";
export { serviceAccountKubeconfig, type ServiceAccountKubeconfig } from "./serviceaccount.js";
