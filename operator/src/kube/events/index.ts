export { KubeEventRecorder, REPORTING_CONTROLLER, type EventRef, type KubeEventRecorderOptions } from "./recorder.js";
