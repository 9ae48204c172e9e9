// The provider standalone serves with: the local proxy on this machine's loopback addresses
// (or --address-pool), listener ports shifted by --port-offset.
import type { Logger } from "pino";
import { LocalProvider, type LogFn } from "@gatehouse/provider-local";

export interface StandaloneProviderOptions {
  controllerName: string;
  portOffset: number;
  workers: number | undefined;
  addressPool: string[] | undefined;
  logger: Logger;
}

export function createStandaloneProvider(opts: StandaloneProviderOptions): LocalProvider {
  const log: LogFn = (level, msg, fields) => opts.logger[level](fields ?? {}, msg);
  return new LocalProvider({
    controllerName: opts.controllerName,
    portOffset: opts.portOffset,
    logger: log,
    ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
    ...(opts.addressPool ? { addressPool: opts.addressPool } : {}),
  });
}
