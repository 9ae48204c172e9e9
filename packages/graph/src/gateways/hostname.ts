import { isIP } from "node:net";

const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PRECISE_HOSTNAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Gateway API `Hostname`: lowercase DNS name, optional leading `*.`, not an IP address. */
export function validHostname(h: string): boolean {
  return h.length <= 253 && HOSTNAME.test(h) && isIP(h) === 0;
}

/** Gateway API `PreciseHostname`: like Hostname but without wildcards. */
export function validPreciseHostname(h: string): boolean {
  return h.length <= 253 && PRECISE_HOSTNAME.test(h) && isIP(h) === 0;
}
