// HTTPPathModifier (URLRewrite and RequestRedirect paths), as the spec's table and the
// conformance tests httproute-rewrite-path / httproute-redirect-path expect:
//   /foo/bar  prefix /foo  → /xyz  = /xyz/bar     /foo/  prefix /foo → /xyz = /xyz/
//   /foo      prefix /foo  → /xyz  = /xyz         /foo/bar prefix /foo → "" or / = /bar
import type { PathModifier } from "@gatehouse/ir";
import { stripTrailingSlash } from "./match.js";

export interface CompiledPathModifier {
  full: boolean;
  /** ReplaceFullPath: the path; ReplacePrefixMatch: the replacement without trailing `/`. */
  value: string;
}

export function compilePathModifier(p: PathModifier | undefined): CompiledPathModifier | undefined {
  if (!p || typeof p.value !== "string") return undefined;
  if (p.type === "ReplaceFullPath") return { full: true, value: p.value === "" ? "/" : p.value };
  if (p.type === "ReplacePrefixMatch") return { full: false, value: stripTrailingSlash(p.value) };
  return undefined;
}

/**
 * The new path (without query). `prefix` is the matched PathPrefix, trailing `/` stripped;
 * undefined when the match was not a PathPrefix (then the whole path is the "prefix").
 */
export function modifyPath(m: CompiledPathModifier, path: string, prefix: string | undefined): string {
  if (m.full) return m.value;
  // Segment semantics guarantee the rest is "" or starts with "/".
  const rest = prefix === undefined ? "" : path.slice(prefix.length);
  const out = rest.length === 0 ? m.value : m.value + rest;
  return out.length === 0 ? "/" : out;
}
