// @gatehouse/provider-gcp: programs Google Cloud application load balancers from the desired state.
export { GCP_CONTROLLER, GCP_FEATURES, gcpCapabilities } from "./capabilities.js";
export { GcpProvider, type GcpProviderOptions } from "./provider.js";
export { gcpProviderModule, gcpProviderModuleWith, GCP_PROVIDER_TOKENS } from "./module.js";
export { gcpClientOptionsForEndpoint } from "./client-options.js";
export { parseConfig, type GcpConfig } from "./config.js";
export { ANNOTATIONS as GCP_ANNOTATIONS } from "./results.js";
export { CERTIFICATE_MAP_OPTION } from "./model.js";
export type { CallCounts } from "./cloud/compute.js";
