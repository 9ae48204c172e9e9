import type { ObjectMeta } from "./core-kinds.js";

/** Anything with Kubernetes metadata; inputs are untrusted, so every field is optional. */
export interface Meta { metadata?: ObjectMeta | undefined }

export function nameOf(o: Meta): string { return o.metadata?.name ?? ""; }
export function namespaceOf(o: Meta): string { return o.metadata?.namespace ?? ""; }

/** `namespace/name`, or `name` for cluster-scoped objects. */
export function keyOf(o: Meta): string {
  const ns = namespaceOf(o);
  return ns ? `${ns}/${nameOf(o)}` : nameOf(o);
}

export function nsName(namespace: string, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** Source path prefix for an object, e.g. `httproute/default/web`. */
export function sourceOf(kind: string, o: Meta): string {
  return `${kind.toLowerCase()}/${keyOf(o)}`;
}

export function generationOf(o: Meta): number { return o.metadata?.generation ?? 0; }
