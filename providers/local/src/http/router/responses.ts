// Answers the router gives itself (no upstream): 404, 500, redirects, CORS preflights.
import type { Decision, HeaderMap } from "./types.js";

const TEXT = "text/plain; charset=utf-8";

export function respond(source: string, status: number, body: string, headers?: HeaderMap): Decision {
  const h: HeaderMap = headers ?? {};
  if (body !== "") h["content-type"] = [TEXT];
  return { type: "respond", source, status, headers: h, body };
}

export function notFound(): Decision {
  return respond("none", 404, "no route matches this request\n");
}

/** 500 for a rule that has nothing to forward to (no, invalid or zero-weight backends). */
export function noBackend(source: string): Decision {
  return respond(source, 500, "no valid backend for this route\n");
}

export function redirect(source: string, status: number, location: string): Decision {
  return { type: "respond", source, status, headers: { location: [location] }, body: "" };
}
