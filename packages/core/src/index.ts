export { compute, type ComputeInput, type ComputeOutput } from "./pipeline.js";
export { coreModule } from "./module.js";
export { CoreSession } from "./session.js";
