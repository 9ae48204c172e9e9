// Outside a cluster every Gateway gets an address of its own, so two Gateways can both
// listen on port 80: its spec.addresses (IPAddress) when it has some, else the first free
// address of its pool. A pool address sticks to its Gateway for the life of the provider
// (a Gateway that goes away and comes back gets it again), and the same sequence of calls
// always yields the same addresses: Gateways are served in key order.
import { isIP } from "node:net";
import { AddressPool } from "./pool.js";

export interface AddressRequest {
  /** Gateway key `ns/name`. */
  key: string;
  /** The Gateway's spec.addresses (type defaults to IPAddress). */
  requested: readonly { type?: string; value: string }[];
  /** The pool of its LocalProxyConfig; else the allocator's. */
  pool?: AddressPool;
}

export type AddressAssignment =
  | { addresses: string[]; fromPool: boolean }
  | { error: string };

export class AddressAllocator {
  private readonly sticky = new Map<string, string>();

  constructor(readonly pool: AddressPool) {}

  /** The address a Gateway got from a pool last time, if any. */
  stickyAddress(key: string): string | undefined {
    return this.sticky.get(key);
  }

  /**
   * Addresses for these Gateways (by key). `dryRun` computes the same answer without
   * remembering anything (plan() must not change state).
   */
  allocate(requests: readonly AddressRequest[], opts: { dryRun?: boolean } = {}): Map<string, AddressAssignment> {
    const sorted = [...requests].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const out = new Map<string, AddressAssignment>();
    const used = new Set<string>();
    const fromPool: AddressRequest[] = [];

    for (const r of sorted) {
      if (out.has(r.key)) continue;
      const explicit = explicitAddresses(r.requested);
      if (typeof explicit === "string") out.set(r.key, { error: explicit });
      else if (explicit.length > 0) {
        out.set(r.key, { addresses: explicit, fromPool: false });
        for (const a of explicit) used.add(a);
      } else fromPool.push(r);
    }

    // Gateways keep their earlier pool address unless someone now asks for it explicitly.
    const chosen = new Map<string, string>();
    const toAllocate: AddressRequest[] = [];
    for (const r of fromPool) {
      const s = this.sticky.get(r.key);
      if (s !== undefined && !used.has(s) && (r.pool ?? this.pool).contains(s)) {
        chosen.set(r.key, s);
        used.add(s);
      } else toAllocate.push(r);
    }
    // Addresses remembered for Gateways absent now stay reserved while the pool has others.
    const present = new Set(sorted.map((r) => r.key));
    const reserved = new Set<string>();
    for (const [k, a] of this.sticky) if (!present.has(k)) reserved.add(a);
    for (const r of toAllocate) {
      const pool = r.pool ?? this.pool;
      const a = pool.firstFree((x) => used.has(x) || reserved.has(x)) ?? pool.firstFree((x) => used.has(x));
      if (a === undefined) {
        out.set(r.key, { error: `the address pool ${pool.cidrs.join(", ")} has no free address` });
        continue;
      }
      chosen.set(r.key, a);
      used.add(a);
    }

    for (const [key, a] of chosen) {
      out.set(key, { addresses: [a], fromPool: true });
      if (!opts.dryRun) {
        // A reclaimed address is no longer the absent Gateway's.
        for (const [k, old] of this.sticky) if (old === a && k !== key) this.sticky.delete(k);
        this.sticky.set(key, a);
      }
    }
    return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}

/** spec.addresses the local proxy can bind: IP addresses; anything else is an error naming the entry. */
function explicitAddresses(requested: AddressRequest["requested"]): string[] | string {
  const out: string[] = [];
  for (const [i, a] of requested.entries()) {
    const type = a.type ?? "IPAddress";
    if (type !== "IPAddress") return `spec.addresses[${i}]: ${type} addresses cannot be bound by the local proxy (use an IPAddress)`;
    if (a.value === "") continue; // empty value: any address (from the pool)
    if (isIP(a.value) === 0) return `spec.addresses[${i}].value: ${JSON.stringify(a.value)} is not an IP address`;
    if (!out.includes(a.value)) out.push(a.value);
  }
  return out;
}
