export { Annotations, type AnnotatedRef, type AnnotateResult } from "./annotations.js";
