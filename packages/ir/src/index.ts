export type * from "./types.js";
export { buildDesiredState } from "./build.js";
