import { ApiError, invalidField } from "./errors.js";

/** Self links carry the public host, as the real API's do, whatever address the fake listens on. */
export const API_BASE = "https://www.googleapis.com/compute/v1/";

export type Scope = { type: "global" } | { type: "region"; name: string } | { type: "zone"; name: string };

export const GLOBAL: Scope = { type: "global" };

/** `global`, `regions/us-central1`, `zones/us-central1-a`. */
export function scopeSegment(scope: Scope): string {
  return scope.type === "global" ? "global" : `${scope.type === "region" ? "regions" : "zones"}/${scope.name}`;
}

export function scopeKey(project: string, scope: Scope): string {
  return `projects/${project}/${scopeSegment(scope)}`;
}

/** Partial path of a resource: `projects/p/global/urlMaps/u`. */
export function resourcePath(project: string, scope: Scope, collection: string, name: string): string {
  return `${scopeKey(project, scope)}/${collection}/${name}`;
}

export function selfLink(path: string): string {
  return API_BASE + path;
}

export function sameScope(a: Scope, b: Scope): boolean {
  return a.type === b.type && (a.type === "global" || (b.type !== "global" && a.name === b.name));
}

export function describeScope(scope: Scope): string {
  return scope.type === "global" ? "global" : `${scope.type} ${scope.name}`;
}

const NAME_RE = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const NAME_PATTERN = "(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)";

export function isValidName(name: unknown): name is string {
  return typeof name === "string" && NAME_RE.test(name);
}

/** RFC 1035 label of at most 63 characters, with the real API's message. */
export function checkName(name: unknown, field = "resource.name"): string {
  if (name === undefined || name === null || name === "") throw new ApiError(400, `Required field '${field}' not specified`, "required");
  if (!isValidName(name)) throw invalidField(field, name, `Must be a match of regex '${NAME_PATTERN}'`);
  return name;
}

const REGION_RE = /^[a-z]+-[a-z]+[0-9]+$/;
const ZONE_RE = /^[a-z]+-[a-z]+[0-9]+-[a-z]$/;

export function isRegion(s: string): boolean {
  return REGION_RE.test(s);
}

export function isZone(s: string): boolean {
  return ZONE_RE.test(s);
}

export function regionOfZone(zone: string): string {
  return zone.replace(/-[a-z]$/, "");
}

/** A resource reference resolved to its parts. */
export interface Ref {
  project: string;
  scope: Scope;
  collection: string;
  name: string;
  /** `projects/p/global/backendServices/b` */
  path: string;
}

const URL_PREFIX = /^https?:\/\/[^/]+\/compute\/(?:v1|beta|alpha)\//;
const VERSION_PREFIX = /^compute\/(?:v1|beta|alpha)\//;

/**
 * Parses a full or partial resource URL (`https://…/compute/v1/projects/p/global/x/n`,
 * `compute/v1/projects/…`, `projects/p/global/x/n`, `global/x/n`, `regions/r/x/n`,
 * `zones/z/x/n`) or, when `bare` gives the collection and scope, a bare name.
 * Returns null when the value has none of these forms.
 */
export function parseRef(value: string, project: string, bare?: { collection: string; scope: Scope }): Ref | null {
  let rest = value.replace(URL_PREFIX, "").replace(VERSION_PREFIX, "");
  let proj = project;
  const pm = /^projects\/([^/]+)\/(.*)$/.exec(rest);
  if (pm) {
    proj = pm[1]!;
    rest = pm[2]!;
  }
  const parts = rest.split("/");
  let scope: Scope;
  let collection: string;
  let name: string;
  if (parts.length === 3 && parts[0] === "global") {
    scope = GLOBAL;
    collection = parts[1]!;
    name = parts[2]!;
  } else if (parts.length === 4 && (parts[0] === "regions" || parts[0] === "zones")) {
    scope = parts[0] === "regions" ? { type: "region", name: parts[1]! } : { type: "zone", name: parts[1]! };
    collection = parts[2]!;
    name = parts[3]!;
  } else if (parts.length === 1 && bare && !pm && value === rest) {
    scope = bare.scope;
    collection = bare.collection;
    name = parts[0]!;
  } else {
    return null;
  }
  if (!collection || !name) return null;
  return { project: proj, scope, collection, name, path: resourcePath(proj, scope, collection, name) };
}
