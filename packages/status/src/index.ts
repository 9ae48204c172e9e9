export type * from "./types.js";
export { computeStatuses } from "./compute.js";
