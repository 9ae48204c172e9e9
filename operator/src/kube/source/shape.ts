// One shape for every cached object, whether it came from a list (items carry no kind or
// apiVersion) or a watch event: the server's JSON, with kind and apiVersion set and
// metadata.managedFields dropped (nobody downstream reads it; it is often the bulk of an
// object). Secrets keep only what the graph reads: certificates and keys, never the rest.
import type { Kind } from "@gatehouse/model";
import type { JsonObject } from "./http.js";

const SECRET_KEYS = ["tls.crt", "tls.key", "ca.crt"];
const SECRET_META = ["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "labels"];
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

export function cacheShape(kind: Kind, apiVersion: string, o: JsonObject): JsonObject {
  if (kind === "Secret") return slimSecret(apiVersion, o);
  o["kind"] = kind;
  if (typeof o["apiVersion"] !== "string") o["apiVersion"] = apiVersion;
  const meta = o["metadata"];
  if (meta && typeof meta === "object" && "managedFields" in meta) delete (meta as JsonObject)["managedFields"];
  return o;
}

function slimSecret(apiVersion: string, o: JsonObject): JsonObject {
  const meta = (o["metadata"] && typeof o["metadata"] === "object" ? o["metadata"] : {}) as JsonObject;
  const m: JsonObject = {};
  for (const k of SECRET_META) if (meta[k] !== undefined) m[k] = meta[k];
  // last-applied-configuration would repeat every data value.
  const ann = meta["annotations"];
  if (ann && typeof ann === "object") {
    const a = { ...(ann as JsonObject) };
    delete a[LAST_APPLIED];
    if (Object.keys(a).length) m["annotations"] = a;
  }
  const out: JsonObject = { apiVersion: typeof o["apiVersion"] === "string" ? o["apiVersion"] : apiVersion, kind: "Secret", metadata: m };
  if (o["type"] !== undefined) out["type"] = o["type"];
  const data = o["data"];
  if (data && typeof data === "object") {
    const d: JsonObject = {};
    for (const k of SECRET_KEYS) if ((data as JsonObject)[k] !== undefined) d[k] = (data as JsonObject)[k];
    out["data"] = d;
  }
  return out;
}

export function metaOf(o: JsonObject): { name: string; namespace: string; resourceVersion: string } {
  const m = (o["metadata"] && typeof o["metadata"] === "object" ? o["metadata"] : {}) as JsonObject;
  const s = (v: unknown) => (typeof v === "string" ? v : "");
  return { name: s(m["name"]), namespace: s(m["namespace"]), resourceVersion: s(m["resourceVersion"]) };
}

export function keyFor(namespace: string, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}
