// Parent and ancestor references in status: written back as the user wrote them, and
// compared in a normalized form so that an existing entry is recognised however it is spelled.
import { GATEWAY_GROUP } from "@gatehouse/model";
import type { NormalizedParentRef } from "@gatehouse/graph";
import { isObject } from "./conditions.js";

/** A parentRef as it appears in `status.parents[].parentRef`. */
export interface StatusParentRef {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
}

/**
 * The spec's parentRef echoed with only the fields the user set (the API server defaults group
 * and kind, never namespace), which is what conformance compares against. Falls back to the
 * graph's normalized ref when the spec entry is unreadable.
 */
export function echoParentRef(specRef: unknown, normalized: NormalizedParentRef): StatusParentRef {
  if (!isObject(specRef) || typeof specRef.name !== "string" || specRef.name === "") {
    const out: StatusParentRef = {
      group: normalized.group, kind: normalized.kind, namespace: normalized.namespace, name: normalized.name,
    };
    if (normalized.sectionName !== undefined) out.sectionName = normalized.sectionName;
    if (normalized.port !== undefined) out.port = normalized.port;
    return out;
  }
  // Built in a fixed key order so the output is byte-stable.
  const out = {} as StatusParentRef;
  if (typeof specRef.group === "string") out.group = specRef.group;
  if (typeof specRef.kind === "string") out.kind = specRef.kind;
  if (typeof specRef.namespace === "string") out.namespace = specRef.namespace;
  out.name = specRef.name;
  if (typeof specRef.sectionName === "string") out.sectionName = specRef.sectionName;
  if (typeof specRef.port === "number" && Number.isInteger(specRef.port)) out.port = specRef.port;
  return out;
}

/** Identity of a parent/ancestor reference with the spec's defaults applied. */
export function refKey(ref: unknown, defaultNamespace: string): string | undefined {
  if (!isObject(ref) || typeof ref.name !== "string") return undefined;
  const group = typeof ref.group === "string" ? ref.group : GATEWAY_GROUP;
  const kind = typeof ref.kind === "string" ? ref.kind : "Gateway";
  const ns = typeof ref.namespace === "string" && ref.namespace !== "" ? ref.namespace : defaultNamespace;
  const section = typeof ref.sectionName === "string" ? ref.sectionName : "";
  const port = typeof ref.port === "number" ? String(ref.port) : "";
  return JSON.stringify([group, kind, ns, ref.name, section, port]);
}

/** `ns/name` → parts; a key without a slash is a name in the empty namespace. */
export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf("/");
  return i < 0 ? { namespace: "", name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
