// A list of CIDR blocks to take Gateway addresses from, first free address first.
import { formatIPv4, parseCIDR, parseIPv4, type AddressRange } from "./ipv4.js";

export const DEFAULT_ADDRESS_POOL: readonly string[] = Object.freeze(["127.1.0.0/16"]);

export class AddressPool {
  readonly cidrs: readonly string[];
  private readonly ranges: AddressRange[];

  private constructor(ranges: AddressRange[]) {
    this.ranges = ranges;
    this.cidrs = ranges.map((r) => r.cidr);
  }

  /** The pool, or one error per bad entry (`[1]: "x" is not an IPv4 CIDR ...`). */
  static parse(cidrs: readonly unknown[]): AddressPool | { errors: string[] } {
    const ranges: AddressRange[] = [];
    const errors: string[] = [];
    cidrs.forEach((c, i) => {
      const r = parseCIDR(c);
      if (typeof r === "string") errors.push(`[${i}]: ${r}`);
      else ranges.push(r);
    });
    if (errors.length === 0 && ranges.length === 0) errors.push("the pool is empty");
    return errors.length > 0 ? { errors } : new AddressPool(ranges);
  }

  /** Like parse, but throws (constructor options). */
  static of(cidrs: readonly string[]): AddressPool {
    const p = AddressPool.parse(cidrs);
    if (!(p instanceof AddressPool)) throw new Error(`address pool: ${p.errors.join("; ")}`);
    return p;
  }

  /** Whether the address is one this pool hands out. */
  contains(address: string): boolean {
    const n = parseIPv4(address);
    return n !== undefined && this.ranges.some((r) => n >= r.first && n <= r.last);
  }

  /** The first address (in pool order) for which `taken` is false. */
  firstFree(taken: (address: string) => boolean): string | undefined {
    for (const r of this.ranges) {
      for (let n = r.first; n <= r.last; n++) {
        const a = formatIPv4(n);
        if (!taken(a)) return a;
      }
    }
    return undefined;
  }
}
