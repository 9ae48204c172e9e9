import { ContainerModule } from "inversify";
import { TOKENS } from "@gatehouse/model";
import { compute } from "./pipeline.js";

/** Binds TOKENS.Pipeline to the pure core (objects → graph → desired state, statuses). */
export const coreModule = new ContainerModule((options) => {
  options.bind(TOKENS.Pipeline).toConstantValue(compute);
});
