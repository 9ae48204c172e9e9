import { ContainerModule } from "inversify";
import { TOKENS } from "@gatehouse/model";
import { ProviderRegistry } from "./registry.js";

/** Binds TOKENS.ProviderRegistry (singleton) over every TOKENS.Provider binding. */
export const providerApiModule = new ContainerModule((options) => {
  options.bind(TOKENS.ProviderRegistry).to(ProviderRegistry).inSingletonScope();
});
