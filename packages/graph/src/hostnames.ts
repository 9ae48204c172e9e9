// Hostname rules shared by listeners and routes (Gateway API `Hostname`): an optional
// leading `*.` wildcard label matches one or more labels (suffix match), never the bare
// suffix itself (`*.example.com` matches `a.b.example.com`, not `example.com`).

const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IPV4 = /^[0-9]+(\.[0-9]+){3}$/;

/** A valid Gateway API Hostname (lower case RFC 1123, optional `*.` prefix, not an IP). */
export function isValidHostname(h: unknown): h is string {
  return typeof h === "string" && h.length <= 253 && HOSTNAME.test(h) && !IPV4.test(h);
}

/** Gateway API `PreciseHostname`: a valid Hostname without the wildcard. */
export function isValidPreciseHostname(h: unknown): h is string {
  return isValidHostname(h) && !isWildcard(h);
}

export function isWildcard(h: string): boolean { return h.startsWith("*."); }

/**
 * Can one request host match both patterns? `*` stands for a listener without hostname;
 * a wildcard matched against a deeper wildcard (`*.a.com` vs `*.b.a.com`) counts.
 */
export function hostnamesOverlap(a: string, b: string): boolean {
  return a === "*" || b === "*" || a === b || hostMatches(a, b) || hostMatches(b, a);
}

/** Does the pattern (exact or `*.suffix`) match the concrete host name? */
export function hostMatches(pattern: string, host: string): boolean {
  if (!isWildcard(pattern)) return pattern === host;
  const suffix = pattern.slice(1); // ".example.com"
  return host.length > suffix.length && host.endsWith(suffix);
}

/**
 * The hostnames one listener serves for one route: the intersection of the listener
 * hostname with the route's spec.hostnames, where the more specific of each matching pair
 * wins. Returns `[]` for "any host" (neither side restricts), the sorted list otherwise,
 * and `null` when nothing intersects (`NoMatchingListenerHostname`).
 */
export function intersectHostnames(listener: string | undefined, route: readonly string[]): string[] | null {
  const l = listener ? listener.toLowerCase() : undefined;
  const r = route.map((h) => h.toLowerCase());
  if (r.length === 0) return l ? [l] : [];
  if (!l) return sortUnique(r);
  const out: string[] = [];
  for (const h of r) {
    const m = intersectOne(l, h);
    if (m !== undefined) out.push(m);
  }
  return out.length ? sortUnique(out) : null;
}

/** The more specific of two hostnames when they overlap, else undefined. */
export function intersectOne(a: string, b: string): string | undefined {
  if (a === b) return a;
  if (hostMatches(a, b)) return b; // b is exact under a, or a longer wildcard under a
  if (hostMatches(b, a)) return a;
  return undefined;
}

function sortUnique(list: string[]): string[] {
  return [...new Set(list)].sort();
}
