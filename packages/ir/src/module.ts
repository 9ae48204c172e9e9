import { ContainerModule } from "inversify";
import { TOKENS } from "@gatehouse/model";
import { buildDesiredState } from "./build.js";

/** Binds TOKENS.DesiredStateBuilder to the pure desired-state builder. */
export const irModule = new ContainerModule((options) => {
  options.bind(TOKENS.DesiredStateBuilder).toConstantValue(buildDesiredState);
});
