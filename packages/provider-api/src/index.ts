export type * from "./contract.js";
export { TOKENS } from "@gatehouse/model";
export { ProviderRegistry } from "./registry.js";
export { providerApiModule } from "./module.js";
export { emptyResults, findGatewayResult, findRouteError, resultsFor, routeResultKey } from "./results.js";
