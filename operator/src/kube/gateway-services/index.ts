export { GatewayServices, type GatewayServicesOptions, type GatewayServicesLogger } from "./exposer.js";
export { addressesOf, WAITING_FOR_LB } from "./addresses.js";
export {
  CONTROLLER_ANNOTATION, GATEWAY_ANNOTATION, GATEWAY_NAME_LABEL, MANAGED_KEYS_ANNOTATION, SERVICE_LABEL, SERVICE_NAME_LABEL,
  SLICE_MANAGED_BY_LABEL, SLICE_MANAGER, serviceName, sliceName,
} from "./names.js";
export { POD_RESOURCE, proxyPod, type ProxyPod } from "./pods.js";
