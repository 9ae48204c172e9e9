// The container wiring: TOKENS.Provider → a GcpProvider built from the options the
// container supplies under GCP_PROVIDER_TOKENS.Options.
//
//   c.bind(GCP_PROVIDER_TOKENS.Options).toConstantValue({ project: "p", log });
//   c.load(gcpProviderModule);
import { ContainerModule } from "inversify";
import { TOKENS } from "@gatehouse/model";
import type { Provider } from "@gatehouse/provider-api";
import { GcpProvider, type GcpProviderOptions } from "./provider.js";

export const GCP_PROVIDER_TOKENS = {
  Options: Symbol.for("gatehouse.GcpProviderOptions"),
} as const;

export const gcpProviderModule = new ContainerModule((options) => {
  options.bind<Provider>(TOKENS.Provider)
    .toDynamicValue((ctx) => new GcpProvider(ctx.get<GcpProviderOptions>(GCP_PROVIDER_TOKENS.Options)))
    .inSingletonScope();
});

/** The same module with the options given here instead of by the container. */
export function gcpProviderModuleWith(opts: GcpProviderOptions): ContainerModule {
  return new ContainerModule((options) => {
    options.bind<Provider>(TOKENS.Provider).toDynamicValue(() => new GcpProvider(opts)).inSingletonScope();
  });
}
