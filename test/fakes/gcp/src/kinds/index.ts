import { addresses } from "./addresses.js";
import { backendServices } from "./backend-services.js";
import { firewalls } from "./firewalls.js";
import { forwardingRules } from "./forwarding-rules.js";
import { healthChecks } from "./health-checks.js";
import { networkEndpointGroups } from "./network-endpoint-groups.js";
import { sslCertificates } from "./ssl-certificates.js";
import { targetHttpProxies, targetHttpsProxies } from "./target-proxies.js";
import type { KindSpec } from "./types.js";
import { urlMaps } from "./url-maps.js";

/** Every resource kind the fake serves, in dependency order (what a load balancer is built from first). */
export const KINDS: readonly KindSpec[] = [
  healthChecks,
  networkEndpointGroups,
  backendServices,
  urlMaps,
  sslCertificates,
  targetHttpProxies,
  targetHttpsProxies,
  addresses,
  forwardingRules,
  firewalls,
];

export type { KindSpec } from "./types.js";
export { MAX_ENDPOINTS_PER_CALL } from "./network-endpoint-groups.js";
