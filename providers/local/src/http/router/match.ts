// HTTPRoute / GRPCRoute matches compiled once: every regex built here, names lowercased,
// PathPrefix values stripped of their trailing slash for segment comparison.
import type { HTTPMatchNode } from "@gatehouse/ir";
import type { HeaderMap } from "./types.js";
import { queryParams } from "./query.js";

const PATH_EXACT = 0, PATH_PREFIX = 1, PATH_REGEX = 2;

interface ValueMatcher {
  name: string;
  /** Exact value, or undefined when `regex` decides. */
  exact: string | undefined;
  regex: RegExp | undefined;
}

export interface CompiledMatch {
  method: string | undefined;
  pathKind: 0 | 1 | 2;
  /** Exact: the path; PathPrefix: the prefix without trailing `/` ("" for `/`). */
  path: string;
  pathRegex: RegExp | undefined;
  headers: ValueMatcher[];
  query: ValueMatcher[];
  /** false: the match can never succeed (a regex the engine refused). */
  usable: boolean;
}

/** Whole-string regex; undefined when the engine refuses it (the graph normally rejects those). */
export function wholeRegex(source: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${source})$`);
  } catch {
    return undefined;
  }
}

/** PathPrefix value as compared: `/foo/` and `/foo` are the same prefix, `/` is "". */
export function stripTrailingSlash(prefix: string): string {
  let p = prefix;
  while (p.length > 0 && p.charCodeAt(p.length - 1) === 47) p = p.slice(0, -1);
  return p;
}

function valueMatchers(list: HTTPMatchNode["headers"] | undefined, lower: boolean, m: CompiledMatch): ValueMatcher[] {
  const out: ValueMatcher[] = [];
  for (const kv of Array.isArray(list) ? list : []) {
    const name = lower ? String(kv.name).toLowerCase() : String(kv.name);
    if (kv.type === "RegularExpression") {
      const regex = wholeRegex(String(kv.value));
      if (!regex) m.usable = false;
      out.push({ name, exact: undefined, regex });
    } else {
      out.push({ name, exact: String(kv.value), regex: undefined });
    }
  }
  return out;
}

export function compileMatch(match: HTTPMatchNode | undefined): CompiledMatch {
  const path = match?.path ?? { type: "PathPrefix", value: "/" };
  const value = typeof path.value === "string" ? path.value : "/";
  const m: CompiledMatch = {
    method: typeof match?.method === "string" ? match.method : undefined,
    pathKind: PATH_PREFIX,
    path: "",
    pathRegex: undefined,
    headers: [],
    query: [],
    usable: true,
  };
  if (path.type === "Exact") {
    m.pathKind = PATH_EXACT;
    m.path = value;
  } else if (path.type === "RegularExpression") {
    m.pathKind = PATH_REGEX;
    m.pathRegex = wholeRegex(value);
    if (!m.pathRegex) m.usable = false;
  } else {
    m.path = stripTrailingSlash(value);
  }
  m.headers = valueMatchers(match?.headers, true, m);
  m.query = valueMatchers(match?.queryParams, false, m);
  return m;
}

/** Segment-wise prefix: `/foo` matches `/foo`, `/foo/`, `/foo/bar`, not `/foobar`. */
export function prefixMatches(prefix: string, path: string): boolean {
  if (prefix.length === 0) return true;
  if (!path.startsWith(prefix)) return false;
  return path.length === prefix.length || path.charCodeAt(prefix.length) === 47;
}

/** A header's value as matches see it: repeated headers joined with ",". */
function headerValue(headers: HeaderMap, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  if (typeof v === "string") return v; // tolerate a plain string
  if (!Array.isArray(v) || v.length === 0) return undefined;
  return v.length === 1 ? v[0] : v.join(",");
}

/** `q`: index of the `?` in `url` (-1: none); the query is only cut out when a match needs it. */
export function matches(m: CompiledMatch, method: string, path: string, url: string, q: number, headers: HeaderMap): boolean {
  if (!m.usable) return false;
  if (m.method !== undefined && m.method !== method) return false;
  switch (m.pathKind) {
    case PATH_EXACT:
      if (path !== m.path) return false;
      break;
    case PATH_PREFIX:
      if (!prefixMatches(m.path, path)) return false;
      break;
    default:
      if (!m.pathRegex!.test(path)) return false;
  }
  for (let i = 0; i < m.headers.length; i++) {
    const h = m.headers[i]!;
    const v = headerValue(headers, h.name);
    if (v === undefined) return false;
    if (h.exact !== undefined ? v !== h.exact : !h.regex!.test(v)) return false;
  }
  if (m.query.length > 0) {
    const params = queryParams(q < 0 ? "" : url.slice(q + 1));
    for (let i = 0; i < m.query.length; i++) {
      const q = m.query[i]!;
      const v = params.get(q.name);
      if (v === undefined) return false;
      if (q.exact !== undefined ? v !== q.exact : !q.regex!.test(v)) return false;
    }
  }
  return true;
}

/** The PathPrefix a ReplacePrefixMatch replaces (stripped), or undefined for other path types. */
export function matchedPrefix(m: CompiledMatch): string | undefined {
  return m.pathKind === PATH_PREFIX ? m.path : undefined;
}
