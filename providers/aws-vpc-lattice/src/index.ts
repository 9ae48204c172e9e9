// @gatehouse/provider-aws-vpc-lattice: programs Amazon VPC Lattice from the desired state.
export { LATTICE_CONTROLLER, latticeCapabilities } from "./capabilities.js";
export { LatticeProvider, type LatticeProviderOptions, type LatticeFinalizeTarget, type LogFn } from "./provider.js";
export { latticeProviderModule, latticeProviderModuleWith, LATTICE_PROVIDER_TOKENS } from "./module.js";
export { parseLatticeConfig, defaultConfig, type LatticeConfigSpec, type HealthCheckConfig } from "./config.js";
export { buildModel, type DesiredModel } from "./model.js";
export { ANNOTATION, type Known } from "./known.js";
export { TAG } from "./tags.js";
