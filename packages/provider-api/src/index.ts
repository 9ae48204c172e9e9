export type * from "./contract.js";
export { TOKENS } from "@gatehouse/model";
