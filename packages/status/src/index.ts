export type * from "./types.js";
export { computeStatuses, compareUpdates } from "./compute.js";
export { statusChanged, deepEqual } from "./equal.js";
export { statusModule } from "./module.js";
export { StatusMemo } from "./memo.js";
export { rebaseStatus, keepTransitionTimes, type RebaseTarget } from "./rebase.js";
