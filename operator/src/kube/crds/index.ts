export { CrdReporter, eventTarget, isCrdState, REASON_INSTALLED, REASON_MISSING, type CrdLogger, type CrdState, type EventTarget } from "./reporter.js";
export { DiscoveryPoller, type DiscoveryPollerOptions } from "./discovery.js";
export { GATEWAY_API_VERSION, REQUIRED_KINDS, crdName, installHint } from "./names.js";
