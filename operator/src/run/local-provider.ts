// The local proxy backend for `gatehouse run`: one LocalProvider per --controller-name.
// incluster: every replica binds internal ports and the exposer (Services per Gateway,
// written by the leader) gives the addresses; loopback: each Gateway binds an address from
// --address-pool on this machine.
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { LocalProvider, type Exposer, type LogFn } from "@gatehouse/provider-local";
import type { Settings } from "./settings.js";

export function localProvider(
  controllerName: string,
  settings: Pick<Settings, "localAddresses" | "addressPool" | "internalPorts" | "proxyWorkers">,
  logger: Logger,
  exposer: Exposer | undefined,
  /** The operator's /metrics registry: the proxy's gatehouse_proxy_* metrics go on it. */
  metricsRegistry?: Registry,
): LocalProvider {
  const log = logFn(logger.child({ component: "local-proxy", controller: controllerName }));
  return new LocalProvider({
    controllerName,
    logger: log,
    ...(metricsRegistry ? { metricsRegistry } : {}),
    ...(settings.proxyWorkers !== undefined ? { workers: settings.proxyWorkers } : {}),
    ...(settings.localAddresses === "incluster"
      ? { inCluster: { portRange: { ...settings.internalPorts }, ...(exposer ? { exposer } : {}) } }
      : { addressPool: [...settings.addressPool] }),
  });
}

/** The provider's log function over pino. */
export function logFn(logger: Logger): LogFn {
  return (level, msg, fields) => logger[level](fields ?? {}, msg);
}
