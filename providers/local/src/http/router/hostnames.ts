// Hostname patterns of listeners and virtual hosts, compiled once: exact, `*.suffix`
// (one or more labels, never the bare suffix) or any.

/** Pattern kinds (plain numbers: cheap to switch on). */
export const HOST_ANY = 0, HOST_EXACT = 1, HOST_WILDCARD = 2;

export interface HostPattern {
  kind: 0 | 1 | 2;
  /** Exact: the name; Wildcard: the suffix with its leading dot (`.example.com`). */
  value: string;
}

/** undefined / "" / "*" = any host. */
export function compileHost(pattern: string | undefined): HostPattern {
  if (pattern === undefined || pattern === "" || pattern === "*") return { kind: HOST_ANY, value: "" };
  const p = pattern.toLowerCase();
  if (p.startsWith("*.")) return { kind: HOST_WILDCARD, value: p.slice(1) };
  return { kind: HOST_EXACT, value: p };
}

export function hostMatches(p: HostPattern, host: string): boolean {
  switch (p.kind) {
    case HOST_ANY: return true;
    case HOST_EXACT: return host === p.value;
    default: return host.length > p.value.length && host.endsWith(p.value);
  }
}

/** The request host as routing compares it: lowercased, without a trailing root dot. */
export function routingHost(host: string): string {
  if (typeof host !== "string") return "";
  let h = host;
  if (h.length > 1 && h.charCodeAt(h.length - 1) === 46 /* . */) h = h.slice(0, -1);
  // The transport lowercases already; this only allocates when it did not.
  for (let i = 0; i < h.length; i++) {
    const c = h.charCodeAt(i);
    if (c >= 65 && c <= 90) return h.toLowerCase();
  }
  return h;
}
