// What VPC Lattice can express, declared so the core reports everything else on the exact
// rule (UnsupportedValue / PartiallyInvalid) instead of it being dropped silently.
import { FEATURE, type Capabilities } from "@gatehouse/model";
import { LATTICE } from "@gatehouse/ir";

export const LATTICE_CONTROLLER = "gatehouse.dev/aws-vpc-lattice";

export function latticeCapabilities(controllerName = LATTICE_CONTROLLER): Capabilities {
  return {
    controllerName,
    // TLS listeners: Passthrough only (TLS_PASSTHROUGH listeners, TCP target groups); Lattice
    // cannot terminate TLS and forward the stream. tlsModes governs TLS listeners only: HTTPS
    // listeners always terminate (with an ACM certificate).
    protocols: ["HTTP", "HTTPS", "TLS"],
    tlsModes: ["Passthrough"],
    routeKinds: ["HTTPRoute", "GRPCRoute", "TLSRoute"],
    // Method matches are Lattice httpMatch.method; h2c backends are HTTP2 target groups.
    features: [
      FEATURE.HTTPRouteMethodMatching, FEATURE.GRPCRoute, FEATURE.TLSRoute, FEATURE.HTTPRouteBackendProtocolH2C, FEATURE.GatewayPort8080,
    ].sort(),
    // Lattice rules have no request or response transformations at all.
    filters: [],
    certificateOptions: [LATTICE.certificateArnOption],
    parameters: [{ group: "gatehouse.dev", kind: "LatticeConfig" }],
    limits: {
      rulesPerRoute: LATTICE.maxRulePriority,
      headerMatchesPerMatch: LATTICE.maxHeaderMatches,
      backendsPerRule: 10,
      // One custom domain per Lattice service.
      hostnamesPerRoute: 1,
    },
  };
}
