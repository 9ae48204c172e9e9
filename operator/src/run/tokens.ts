// Tokens of the run-time pieces that are not ports of their own (see ../ports.ts for those).
export const RUN_TOKENS = {
  Finalizers: Symbol.for("gatehouse.operator.Finalizers"),
  Annotations: Symbol.for("gatehouse.operator.Annotations"),
  Reconciler: Symbol.for("gatehouse.operator.Reconciler"),
  Operator: Symbol.for("gatehouse.operator.Operator"),
  Cleanup: Symbol.for("gatehouse.operator.Cleanup"),
} as const;

/** Things to close last on shutdown (e.g. the raw client's keep-alive sockets), registered by whoever creates them. */
export class Cleanup {
  private readonly fns: (() => void | Promise<void>)[] = [];
  add(fn: () => void | Promise<void>): void { this.fns.push(fn); }
  async run(): Promise<void> {
    for (const fn of this.fns.splice(0).reverse()) await fn();
  }
}

/** Sets `gatehouse.dev/` annotations providers report on Gateways and routes (null removes a key). */
export interface AnnotationWriter {
  set(ref: ObjectRef, annotations: Record<string, string | null>): Promise<void>;
}

/** A Kubernetes object reference, as logs and finalizer calls carry it. */
export interface ObjectRef { kind: string; namespace: string; name: string }

/** Adds and removes one finalizer on Gateways and routes (the Kubernetes side is ../kube/finalizers). */
export interface Finalizers {
  /** The finalizer name we put on objects. */
  readonly name: string;
  add(ref: ObjectRef): Promise<void>;
  remove(ref: ObjectRef): Promise<void>;
}
