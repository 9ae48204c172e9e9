// What the provider knows of the cloud: resource key → id/ARN and the spec fingerprint it was
// last programmed with. Kept in memory, written back as gatehouse.dev/ annotations on the
// Gateway and routes, and read from DesiredState.annotations after a restart, so steady
// state needs neither an account-wide listing nor a Get per resource.
import { shortHash } from "@gatehouse/ir";

export interface Known {
  id: string;
  arn?: string;
  /** Spec fingerprint last programmed (auth policies: of the normalized document); absent = unknown (the next apply updates). */
  h?: string;
  /** Fingerprint of what cannot change in place (services: custom domain). */
  ih?: string;
  /** Rule priority. */
  p?: number;
  /** Last status seen (CREATE_IN_PROGRESS, ACTIVE, DELETE_IN_PROGRESS…; auth policies: Active, Inactive). */
  st?: string;
  /** Target groups: fingerprint of the registered targets. */
  t?: string;
  /** Services: the Lattice DNS name. */
  d?: string;
  /**
   * Service networks: created by gatehouse (deleted with the Gateway); false = adopted.
   * Auth policies (`ap/`, id = the service network's): put by gatehouse (deleted at finalize on
   * an adopted network); false = found already as configured.
   */
  c?: boolean;
  /** Owning unit: the service name (svc/snsa/lis/rule/tg) or the Gateway key (sn/snva/ap). */
  o: string;
  /** Client token salt that produced this resource. */
  s?: number;
  /** Services: the Gateway key and the route source (`httproute/ns/name`), for finalize and cleanup. */
  gw?: string;
  r?: string;
}

export type KnownMap = Map<string, Known>;

/** Annotation names (the part after gatehouse.dev/) per Gateway key, within 63 characters. */
function nameFor(prefix: string, gatewayKey: string): string {
  const [ns = "", name = ""] = gatewayKey.split("/");
  const plain = `${prefix}${ns}.${name}`;
  return plain.length <= 63 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(plain) ? plain : `${prefix}${shortHash(gatewayKey, 10)}`;
}

export const ANNOTATION = {
  /** On the Gateway: the Gateway's resources and an index of its routes' services. */
  gateway: "gatehouse.dev/lattice",
  /** On a route, per parent Gateway: every resource of the route's service on that Gateway. */
  route: (gatewayKey: string) => `gatehouse.dev/${nameFor("lattice-", gatewayKey)}`,
  /** On a route, per parent Gateway: the service's Lattice DNS name. */
  dns: (gatewayKey: string) => `gatehouse.dev/${nameFor("lattice-dns-", gatewayKey)}`,
};

interface Doc { v: 1; r: Record<string, Known> }

export function encode(entries: [string, Known][]): string {
  const r: Record<string, Known> = {};
  for (const [k, v] of [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) r[k] = v;
  return JSON.stringify({ v: 1, r } satisfies Doc);
}

const KEY = /^(sn|snva|ap|svc|snsa|lis|rule|tg)\//;

function validKnown(v: unknown): v is Known {
  if (!v || typeof v !== "object") return false;
  const k = v as Record<string, unknown>;
  return typeof k.id === "string" && k.id.length > 0 && k.id.length < 2048 && typeof k.o === "string" &&
    (k.arn === undefined || typeof k.arn === "string") && (k.h === undefined || typeof k.h === "string") &&
    (k.p === undefined || Number.isInteger(k.p)) && (k.c === undefined || typeof k.c === "boolean") &&
    (k.s === undefined || Number.isInteger(k.s)) && (k.gw === undefined || typeof k.gw === "string") &&
    (k.r === undefined || typeof k.r === "string") && (k.d === undefined || typeof k.d === "string") &&
    (k.t === undefined || typeof k.t === "string") && (k.st === undefined || typeof k.st === "string") &&
    (k.ih === undefined || typeof k.ih === "string");
}

/** Parses one of our annotation values; anything malformed is ignored (it is untrusted input). */
export function decode(text: string): [string, Known][] {
  let doc: unknown;
  try { doc = JSON.parse(text); } catch { return []; }
  const r = (doc as { r?: unknown } | null)?.r;
  if (!r || typeof r !== "object") return [];
  const out: [string, Known][] = [];
  for (const [k, v] of Object.entries(r as Record<string, unknown>)) {
    if (KEY.test(k) && validKnown(v)) out.push([k, { ...v }]);
  }
  return out;
}

/** Every entry found in DesiredState.annotations (lattice annotations of Gateways and routes). */
export function fromAnnotations(all: Record<string, Record<string, string>> | undefined): [string, Known][] {
  const out: [string, Known][] = [];
  for (const obj of Object.keys(all ?? {}).sort()) {
    const a = all![obj]!;
    for (const k of Object.keys(a).sort()) {
      // DNS annotations are plain names, not JSON: decode() skips them.
      if (k === ANNOTATION.gateway || k.startsWith("gatehouse.dev/lattice-")) out.push(...decode(a[k]!));
    }
  }
  return out;
}
