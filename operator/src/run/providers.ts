// Which backend serves a controllerName: the two cloud backends by their names, the local
// proxy for any other (tests and conformance serve the local backend under their own names).
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { Capabilities } from "@gatehouse/model";
import type { Provider } from "@gatehouse/provider-api";
import { capabilitiesFor, type Exposer } from "@gatehouse/provider-local";
import { LATTICE_CONTROLLER, LatticeProvider, latticeCapabilities } from "@gatehouse/provider-aws-vpc-lattice";
import { GCP_CONTROLLER, GcpProvider, gcpCapabilities, gcpClientOptionsForEndpoint } from "@gatehouse/provider-gcp";
import { localProvider, logFn } from "./local-provider.js";
import type { Settings } from "./settings.js";

export type ProviderSettings = Pick<Settings,
  "localAddresses" | "addressPool" | "internalPorts" | "proxyWorkers" | "clusterName" | "latticeEndpoint" | "awsRegion" | "gcpEndpoint" | "gcpProject">;

/** What the backend of a controllerName declares, without building it (`gatehouse compute`). */
export function capabilitiesOf(name: string): Capabilities {
  if (name === LATTICE_CONTROLLER) return latticeCapabilities(name);
  if (name === GCP_CONTROLLER) return gcpCapabilities(name);
  return capabilitiesFor(name);
}

/**
 * The provider for one controllerName. `exposer` is asked for only by the local backend in
 * incluster mode (a Service per Gateway).
 */
export function providerFor(name: string, settings: ProviderSettings, logger: Logger, exposer: () => Exposer | undefined, metricsRegistry?: Registry): Provider {
  const log = logFn(logger.child({ component: "provider", controller: name }));
  if (name === LATTICE_CONTROLLER) {
    return new LatticeProvider({
      controllerName: name, log, clusterName: settings.clusterName,
      ...(settings.latticeEndpoint ? { endpoint: settings.latticeEndpoint } : {}),
      ...(settings.awsRegion ? { region: settings.awsRegion } : {}),
    });
  }
  if (name === GCP_CONTROLLER) {
    return new GcpProvider({
      controllerName: name, log, clusterName: settings.clusterName,
      ...(settings.gcpEndpoint ? { clientOptions: gcpClientOptionsForEndpoint(settings.gcpEndpoint) } : {}),
      ...(settings.gcpProject ? { project: settings.gcpProject } : {}),
    });
  }
  return localProvider(name, settings, logger, settings.localAddresses === "incluster" ? exposer() : undefined, metricsRegistry);
}
