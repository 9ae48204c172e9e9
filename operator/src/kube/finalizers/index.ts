export { FINALIZER, Finalizers, hasFinalizer, isDeleting, type EnsureResult, type ObjectRef, type RemoveResult } from "./finalizers.js";
