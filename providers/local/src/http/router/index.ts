// The HTTP routing decision of the local proxy: pure, compiled once per config.
export { createRouter } from "./router.js";
export { applyResponseEdits } from "./response-edits.js";
export type { Decision, ForwardTarget, HeaderMap, RequestView, ResponseEdits, RouteSite, Router } from "./types.js";
