export { compute, type ComputeInput, type ComputeOutput } from "./pipeline.js";
export { coreModule } from "./module.js";
export { CoreSession } from "./session.js";
export { V8_HEAP_FLAGS } from "./heap.js";
