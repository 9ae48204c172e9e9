// IPv4 addresses as unsigned 32-bit numbers, and CIDR blocks.

const OCTET = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/;

export function parseIPv4(s: string): number | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!OCTET.test(p)) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function formatIPv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Usable addresses of a block, inclusive; network and broadcast addresses are left out (except in /31 and /32). */
export interface AddressRange { first: number; last: number; cidr: string }

export function parseCIDR(s: unknown): AddressRange | string {
  if (typeof s !== "string") return `${JSON.stringify(s) ?? String(s)} is not a CIDR (expected e.g. "127.1.0.0/16")`;
  const m = /^([0-9.]+)\/([0-9]{1,2})$/.exec(s);
  const ip = m ? parseIPv4(m[1]!) : undefined;
  const bits = m ? Number(m[2]) : NaN;
  if (!m || ip === undefined || !(bits >= 0 && bits <= 32)) {
    return `${JSON.stringify(s)} is not an IPv4 CIDR (expected e.g. "127.1.0.0/16")`;
  }
  const size = 2 ** (32 - bits);
  const network = ip - (ip % size);
  if (network !== ip) return `${JSON.stringify(s)} is not a network address (did you mean ${formatIPv4(network)}/${bits}?)`;
  if (bits >= 31) return { first: network, last: network + size - 1, cidr: s };
  return { first: network + 1, last: network + size - 2, cidr: s };
}
