// GatewayClass spec.parametersRef: resolved against the kinds the class's backend declares
// (Capabilities.parameters) and the objects in the snapshot. Gateway API: a referent that
// cannot be found, of an unsupported kind, or malformed makes the class Accepted=False with
// reason InvalidParameters; namespace is required for a namespaced referent and must be
// unset for a cluster-scoped one.
import { isNamespaced, keyOf, nsName, snapshotKind, sourceOf, type Capabilities, type Meta, type Snapshot } from "@gatehouse/model";
import type { ParametersNode } from "../types.js";
import { isObj, show, str } from "../json.js";

export type ParametersResult =
  | { ok: true; parameters?: ParametersNode }
  | { ok: false; message: string };

const FIELD = "spec.parametersRef";

/** `gatehouse.dev/LocalProxyConfig`, or `ConfigMap` for the core group. */
function groupKind(group: string, kind: string): string {
  return group === "" || group === "core" ? kind : `${group}/${kind}`;
}

export function resolveParameters(ref: unknown, caps: Capabilities, snapshot: Snapshot | undefined): ParametersResult {
  if (ref === undefined || ref === null) return { ok: true };
  const declared = (Array.isArray(caps.parameters) ? caps.parameters : [])
    .filter((p) => isObj(p) && typeof p.group === "string" && typeof p.kind === "string");
  if (declared.length === 0) {
    return { ok: false, message: `${FIELD}: ${caps.controllerName} takes no parameters; remove parametersRef` };
  }
  if (!isObj(ref)) return { ok: false, message: `${FIELD}: must be an object, got ${show(ref)}` };

  const problems: string[] = [];
  const group = ref.group === undefined ? undefined : str(ref.group);
  if (group === undefined) problems.push(`${FIELD}.group: required, a string ("" for the core group)`);
  const kind = str(ref.kind);
  if (!kind) problems.push(`${FIELD}.kind: required`);
  const name = str(ref.name);
  if (!name) problems.push(`${FIELD}.name: required`);
  if (ref.namespace !== undefined && ref.namespace !== null && typeof ref.namespace !== "string") {
    problems.push(`${FIELD}.namespace: must be a string, got ${show(ref.namespace)}`);
  }
  if (problems.length > 0 || group === undefined || !kind || !name) return { ok: false, message: problems.join("; ") };

  const accepted = declared.map((p) => groupKind(p.group, p.kind));
  const normalized = group === "core" ? "" : group;
  const snapKind = snapshotKind(normalized, kind);
  const isDeclared = declared.some((p) => (p.group === "core" ? "" : p.group) === normalized && p.kind === kind);
  if (!isDeclared || !snapKind) {
    return {
      ok: false,
      message: `${FIELD}: ${show(groupKind(group, kind))} is not a parameters kind of ${caps.controllerName}; use ${accepted.join(" or ")}`,
    };
  }

  const namespace = typeof ref.namespace === "string" && ref.namespace !== "" ? ref.namespace : undefined;
  if (isNamespaced(snapKind) && namespace === undefined) {
    return { ok: false, message: `${FIELD}.namespace: required, ${kind} is namespaced` };
  }
  if (!isNamespaced(snapKind) && namespace !== undefined) {
    return { ok: false, message: `${FIELD}.namespace: must be unset, ${kind} is cluster-scoped` };
  }

  const key = nsName(namespace ?? "", name);
  const list = snapshot ? (snapshot as unknown as Record<string, unknown>)[snapKind] : undefined;
  const found = (Array.isArray(list) ? list : []).find((o): o is Meta & { spec?: unknown } => isObj(o) && keyOf(o as Meta) === key);
  if (!found) return { ok: false, message: `${FIELD}: ${kind} ${key} not found` };
  const spec = found.spec ?? {};
  if (!isObj(spec)) return { ok: false, message: `${FIELD}: ${kind} ${key}: spec must be an object, got ${show(spec)}` };

  const parameters: ParametersNode = {
    group: normalized,
    kind,
    name,
    source: sourceOf(kind, found),
    spec,
  };
  if (namespace !== undefined) parameters.namespace = namespace;
  return { ok: true, parameters };
}
