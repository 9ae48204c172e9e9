export type * from "./gateway-api.js";
export type * from "./core-kinds.js";
export type * from "./gatehouse-kinds.js";
export * from "./kinds.js";
export * from "./keys.js";
export * from "./snapshot.js";
export * from "./capabilities.js";
export * from "./conditions.js";
export * from "./tokens.js";
