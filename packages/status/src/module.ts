import { ContainerModule } from "inversify";
import { TOKENS } from "@gatehouse/model";
import { computeStatuses } from "./compute.js";

/** Binds TOKENS.StatusComputer to the pure status computer. */
export const statusModule = new ContainerModule((options) => {
  options.bind(TOKENS.StatusComputer).toConstantValue(computeStatuses);
});
