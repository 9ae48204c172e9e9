// The container wiring: TOKENS.Provider → a LatticeProvider built from the options the
// container supplies under LATTICE_PROVIDER_TOKENS.Options.
//
//   c.bind(LATTICE_PROVIDER_TOKENS.Options).toConstantValue({ region: "us-west-2", log });
//   c.load(latticeProviderModule);
import { ContainerModule } from "inversify";
import { TOKENS } from "@gatehouse/model";
import type { Provider } from "@gatehouse/provider-api";
import { LatticeProvider, type LatticeProviderOptions } from "./provider.js";

export const LATTICE_PROVIDER_TOKENS = {
  Options: Symbol.for("gatehouse.LatticeProviderOptions"),
} as const;

export const latticeProviderModule = new ContainerModule((options) => {
  options.bind<Provider>(TOKENS.Provider)
    .toDynamicValue((ctx) => new LatticeProvider(ctx.get<LatticeProviderOptions>(LATTICE_PROVIDER_TOKENS.Options)))
    .inSingletonScope();
});

/** The same module with the options given here instead of by the container. */
export function latticeProviderModuleWith(opts: LatticeProviderOptions): ContainerModule {
  return new ContainerModule((options) => {
    options.bind<Provider>(TOKENS.Provider).toDynamicValue(() => new LatticeProvider(opts)).inSingletonScope();
  });
}
