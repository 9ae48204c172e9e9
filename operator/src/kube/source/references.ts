// Which Secrets and ConfigMaps the snapshot carries. The graph reports what it read
// (graph.referenced, passed in through setReferenced), but that comes only after a compute
// that already needed them; so the cache also reads the references straight from every
// Gateway (listener certificateRefs) and BackendTLSPolicy (caCertificateRefs), a superset
// of the graph's, and the first compute sees its certificates.
import type { JsonObject } from "./http.js";
import { metaOf, keyFor } from "./shape.js";

export interface RefKeys {
  secrets: Set<string>;
  configMaps: Set<string>;
}

const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): JsonObject => (v && typeof v === "object" && !Array.isArray(v) ? (v as JsonObject) : {});
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

export function scanReferences(gateways: Iterable<JsonObject>, policies: Iterable<JsonObject>): RefKeys {
  const out: RefKeys = { secrets: new Set(), configMaps: new Set() };
  const add = (ref: unknown, ownNamespace: string, defaultKind: string | undefined) => {
    const r = obj(ref);
    const group = str(r["group"]) ?? "";
    const kind = str(r["kind"]) ?? defaultKind;
    const name = str(r["name"]);
    if (group !== "" || !name) return;
    const key = keyFor(str(r["namespace"]) ?? ownNamespace, name);
    if (kind === "Secret") out.secrets.add(key);
    else if (kind === "ConfigMap") out.configMaps.add(key);
  };
  for (const g of gateways) {
    const ns = metaOf(g).namespace;
    const spec = obj(g["spec"]);
    for (const l of arr(spec["listeners"])) {
      for (const ref of arr(obj(obj(l)["tls"])["certificateRefs"])) add(ref, ns, "Secret");
    }
  }
  for (const p of policies) {
    const ns = metaOf(p).namespace;
    // A CA reference is local to the policy's namespace.
    for (const ref of arr(obj(obj(p["spec"])["validation"])["caCertificateRefs"])) add({ ...obj(ref), namespace: undefined }, ns, undefined);
  }
  return out;
}
