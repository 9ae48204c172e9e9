// Gateway API hostname matching for SNI (names are already lower case, no trailing dot).

/**
 * Listener and route hostnames: exact, or `*.suffix` matching any name that ends in
 * `.suffix` with at least one more label (`*.example.com` matches `a.b.example.com`, not
 * `example.com`).
 */
export function hostnameMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith("*.")) {
    const suffix = pattern.slice(1); // ".example.com"
    return name.length > suffix.length && name.endsWith(suffix);
  }
  return pattern === name;
}

/** Certificate SAN matching (RFC 6125): a `*` covers exactly one left-most label. */
export function certificateNameMatches(dnsName: string, name: string): boolean {
  const d = dnsName.toLowerCase();
  if (d.startsWith("*.")) {
    const suffix = d.slice(1);
    if (!name.endsWith(suffix)) return false;
    const label = name.slice(0, name.length - suffix.length);
    return label.length > 0 && !label.includes(".");
  }
  return d === name;
}
