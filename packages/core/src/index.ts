export { compute, type ComputeInput, type ComputeOutput } from "./pipeline.js";
