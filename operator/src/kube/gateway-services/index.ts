export { GatewayServices, type GatewayServicesOptions, type GatewayServicesLogger } from "./exposer.js";
export { addressesOf, WAITING_FOR_LB } from "./addresses.js";
export {
  CONTROLLER_ANNOTATION, GATEWAY_ANNOTATION, GATEWAY_NAME_LABEL, MANAGED_KEYS_ANNOTATION, SERVICE_LABEL, serviceName,
} from "./names.js";
