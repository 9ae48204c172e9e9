// Tokens of the run-time pieces that are not ports of their own (see ../ports.ts for those).
export const RUN_TOKENS = {
  Finalizers: Symbol.for("gatehouse.operator.Finalizers"),
  Reconciler: Symbol.for("gatehouse.operator.Reconciler"),
  Operator: Symbol.for("gatehouse.operator.Operator"),
} as const;

/** A Kubernetes object reference, as logs and finalizer calls carry it. */
export interface ObjectRef { kind: string; namespace: string; name: string }

/** Adds and removes one finalizer on Gateways and routes (the Kubernetes side is ../kube/finalizers). */
export interface Finalizers {
  /** The finalizer name we put on objects. */
  readonly name: string;
  add(ref: ObjectRef): Promise<void>;
  remove(ref: ObjectRef): Promise<void>;
}
