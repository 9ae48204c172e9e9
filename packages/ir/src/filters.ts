// FilterNode → IRFilter. The graph already validated and normalized every filter (spec
// defaults applied), so this only attaches sources and maps mirror backends.
import type { BackendNode, FilterNode } from "@gatehouse/graph";
import type { IRBackend, IRFilter } from "./types.js";

/**
 * One filter; undefined when it has no data-plane form: a mirror whose backend is invalid
 * (mirroring is best-effort and never affects the response) or an ExtensionRef (its rule
 * answers 500, see http-routes.ts).
 */
export function buildFilter(f: FilterNode, toBackend: (b: BackendNode) => IRBackend): IRFilter | undefined {
  const source = f.source;
  switch (f.type) {
    case "RequestHeaderModifier":
    case "ResponseHeaderModifier":
      return { type: f.type, source, ...f.config };
    case "RequestRedirect":
      return { type: f.type, source, ...f.config };
    case "URLRewrite":
      return { type: f.type, source, ...f.config };
    case "CORS":
      return { type: f.type, source, ...f.config };
    case "RequestMirror":
      return f.mirror.valid ? { type: f.type, source, backend: toBackend(f.mirror), percent: f.config.percent } : undefined;
    case "ExtensionRef":
      return undefined;
  }
}

/** Filters in spec order (the order they apply in). */
export function buildFilters(filters: readonly FilterNode[] | undefined, toBackend: (b: BackendNode) => IRBackend): IRFilter[] {
  const out: IRFilter[] = [];
  for (const f of filters ?? []) {
    const ir = buildFilter(f, toBackend);
    if (ir) out.push(ir);
  }
  return out;
}
