export { startFakeCompute, type FakeCompute, type FakeComputeOptions, type FakeState, type ResourceView } from "./fake.js";
export { clientOptions, noAuthClient, type ClientOptions, type NoAuthClient } from "./client.js";
export type { Call, CallFilter, CallLog } from "./calls.js";
export type { Fault, FaultHandle, FaultMatch, FaultRule, Injector } from "./inject.js";
export type { OpFailure } from "./operations.js";
export type { Scope } from "./links.js";
export { API_BASE } from "./links.js";
export { MAX_ENDPOINTS_PER_CALL } from "./kinds/index.js";
