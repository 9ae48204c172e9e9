// The provider standalone serves with. PLACEHOLDER until @gatehouse/provider-local exports
// LocalProvider: the no-op provider (reports Programmed, serves nothing).
import type { Logger } from "pino";
import type { Provider } from "@gatehouse/provider-api";
import { NoopLocalProvider } from "../run/noop-local-provider.js";

export interface StandaloneProviderOptions {
  controllerName: string;
  portOffset: number;
  workers: number | undefined;
  addressPool: string[] | undefined;
  logger: Logger;
}

export function createStandaloneProvider(opts: StandaloneProviderOptions): Provider {
  return new NoopLocalProvider(opts.controllerName);
}
