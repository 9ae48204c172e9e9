// The container wiring: TOKENS.Provider → a LocalProvider built from the options the
// container supplies under LOCAL_PROVIDER_TOKENS.Options.
//
//   c.bind(LOCAL_PROVIDER_TOKENS.Options).toConstantValue({ logger, workers: 2 });
//   c.load(localProviderModule);
import { ContainerModule } from "inversify";
import { TOKENS } from "@gatehouse/model";
import type { Provider } from "@gatehouse/provider-api";
import { LocalProvider, type LocalProviderOptions } from "./provider.js";

export const LOCAL_PROVIDER_TOKENS = {
  Options: Symbol.for("gatehouse.LocalProviderOptions"),
} as const;

export const localProviderModule = new ContainerModule((options) => {
  options.bind<Provider>(TOKENS.Provider)
    .toDynamicValue((ctx) => new LocalProvider(ctx.get<LocalProviderOptions>(LOCAL_PROVIDER_TOKENS.Options)))
    .inSingletonScope();
});

/** The same module with the options given here instead of by the container. */
export function localProviderModuleWith(opts: LocalProviderOptions): ContainerModule {
  return new ContainerModule((options) => {
    options.bind<Provider>(TOKENS.Provider).toDynamicValue(() => new LocalProvider(opts)).inSingletonScope();
  });
}
