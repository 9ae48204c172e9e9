// @gatehouse/provider-local: the in-process proxy backend.
export { LocalProvider, type LocalProviderOptions } from "./provider.js";
export { LOCAL_CONTROLLER, localCapabilities, capabilitiesFor } from "./capabilities.js";
export { localProviderModule, localProviderModuleWith, LOCAL_PROVIDER_TOKENS } from "./module.js";

export type { ExposedPort, Exposer, ExposureResult, GatewayExposure, ServiceType } from "./addresses/types.js";
export { AddressAllocator, type AddressAssignment, type AddressRequest } from "./addresses/loopback.js";
export { AddressPool, DEFAULT_ADDRESS_POOL } from "./addresses/pool.js";
export { DEFAULT_INTERNAL_PORT_RANGE, allocateInternalPorts, type PortRange } from "./addresses/internal-ports.js";

export {
  LOCAL_PROXY_CONFIG, SERVICE_TYPES, parseLocalProxyConfig, defaultLocalProxyConfig,
  type LocalProxyConfig, type ParsedLocalProxyConfig,
} from "./config/local-proxy-config.js";
export { parseDuration, formatDuration } from "./config/duration.js";

export { DEFAULT_PROXY_SETTINGS, resolveSettings } from "./runtime/settings.js";
export { WorkerPool, type WorkerPoolOptions } from "./runtime/pool.js";
export { PortSet } from "./runtime/port-set.js";
export type { FactorySource, FactoryTable, LazyFactory } from "./runtime/factories.js";
export { DEFAULT_FACTORIES_MODULE } from "./runtime/default-factories.js";
export type {
  BoundPort, LogFn, PortFactory, PortRuntime, ProxySettings, RuntimeEnv, WorkerAck, WorkerConfig,
} from "./runtime/types.js";
