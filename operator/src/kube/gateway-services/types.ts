// The contract this module implements: providers/local/src/addresses/types.ts.
export type { ExposedPort, Exposer, ExposureResult, GatewayExposure, ServiceType } from "@gatehouse/provider-local";
