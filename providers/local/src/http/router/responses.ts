// Answers the router gives itself (no upstream): 404, 500, redirects, CORS preflights.
import type { Decision, HeaderMap, RouteSite } from "./types.js";

const TEXT = "text/plain; charset=utf-8";

export function respond(source: string, status: number, body: string, headers?: HeaderMap, site?: RouteSite): Decision {
  const h: HeaderMap = headers ?? {};
  if (body !== "") h["content-type"] = [TEXT];
  return site === undefined ? { type: "respond", source, status, headers: h, body } : { type: "respond", source, status, headers: h, body, site };
}

/** `site`: the listener's, when a listener matched the host. */
export function notFound(site?: RouteSite): Decision {
  return respond("none", 404, "no route matches this request\n", undefined, site);
}

/** 500 for a rule that has nothing to forward to (no, invalid or zero-weight backends). */
export function noBackend(source: string, site?: RouteSite): Decision {
  return respond(source, 500, "no valid backend for this route\n", undefined, site);
}

export function redirect(source: string, status: number, location: string, site?: RouteSite): Decision {
  return site === undefined
    ? { type: "respond", source, status, headers: { location: [location] }, body: "" }
    : { type: "respond", source, status, headers: { location: [location] }, body: "", site };
}
