export { KubeSource, type KubeSourceOptions, type Referenced, type KindCounters } from "./kube-source.js";
export { Coalescer, realScheduler, type Scheduler, type CoalescerOptions } from "./coalescer.js";
export { WATCHED_KINDS, type WatchedKind } from "./kinds.js";
export type { SourceLogger } from "./stream.js";
