// In a cluster every replica binds 0.0.0.0 on an internal port per (Gateway, listener
// port), and the Gateway's Service maps the listener port to it. Replicas do not talk to
// each other, so the choice is a function of the Gateways alone: each pair prefers the slot
// its hash names, and takes the next free one on a collision (pairs in key order, ports
// ascending). The same Gateways give the same ports on every replica.

export interface PortRange { from: number; to: number }

export const DEFAULT_INTERNAL_PORT_RANGE: Readonly<PortRange> = Object.freeze({ from: 20000, to: 29999 });

export interface InternalPortRequest { key: string; ports: readonly number[] }

/** FNV-1a, 32 bits: stable across processes and Node versions. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function checkPortRange(r: PortRange): string | undefined {
  const ok = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;
  if (!ok(r.from) || !ok(r.to) || r.from > r.to) return `port range ${r.from}-${r.to} is not within 1-65535 with from <= to`;
  return undefined;
}

/**
 * gateway key → listener port → internal port (or an error string when the range is full).
 */
export function allocateInternalPorts(requests: readonly InternalPortRequest[], range: PortRange = DEFAULT_INTERNAL_PORT_RANGE): Map<string, Map<number, number | string>> {
  const size = range.to - range.from + 1;
  const taken = new Set<number>();
  const out = new Map<string, Map<number, number | string>>();
  const sorted = [...requests].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const r of sorted) {
    const ports = out.get(r.key) ?? new Map<number, number | string>();
    out.set(r.key, ports);
    for (const port of [...new Set(r.ports)].sort((a, b) => a - b)) {
      if (ports.has(port)) continue;
      if (taken.size >= size) {
        ports.set(port, `no free internal port in ${range.from}-${range.to}`);
        continue;
      }
      let slot = fnv1a(`${r.key}:${port}`) % size;
      while (taken.has(slot)) slot = (slot + 1) % size;
      taken.add(slot);
      ports.set(port, range.from + slot);
    }
  }
  return out;
}
