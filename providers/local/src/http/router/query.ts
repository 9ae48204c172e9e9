// Query string access for query parameter matches. Parsed lazily (only when a route with
// query matches is tried) and at most once per distinct query string in a row.

let lastQuery: string | undefined;
let lastParams: Map<string, string> | undefined;

function decode(s: string): string {
  if (s.indexOf("%") < 0 && s.indexOf("+") < 0) return s;
  const plus = s.indexOf("+") < 0 ? s : s.replace(/\+/g, " ");
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus; // malformed escapes compare as written
  }
}

/** name → first value (later repeats are ignored, as the spec asks). Names are case-sensitive. */
export function queryParams(query: string): Map<string, string> {
  if (query === lastQuery && lastParams) return lastParams;
  const out = new Map<string, string>();
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf("&", start);
    if (end < 0) end = query.length;
    if (end > start) {
      const eq = query.indexOf("=", start);
      const hasValue = eq >= 0 && eq < end;
      const name = decode(query.slice(start, hasValue ? eq : end));
      if (!out.has(name)) out.set(name, hasValue ? decode(query.slice(eq + 1, end)) : "");
    }
    start = end + 1;
  }
  lastQuery = query;
  lastParams = out;
  return out;
}
