export { KubeStatusSink, type KubeStatusSinkOptions, type KubeStatusWriteReport } from "./writer.js";
