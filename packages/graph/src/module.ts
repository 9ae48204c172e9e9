import { ContainerModule } from "inversify";
import { TOKENS } from "@gatehouse/model";
import { buildGraph } from "./build.js";

/** Binds TOKENS.GraphBuilder to the pure graph builder. */
export const graphModule = new ContainerModule((options) => {
  options.bind(TOKENS.GraphBuilder).toConstantValue(buildGraph);
});
