// The HTTP decision contract: given a request's head, what to do with it. Pure (no I/O);
// the transport (../server, ../upstream) carries the decision out.
import type { IRBackend, IRHTTPRoute } from "@gatehouse/ir";

/** Header map as Node gives it in `req.headersDistinct`: lowercased name → every value. */
export type HeaderMap = Record<string, string[]>;

export interface RequestView {
  method: string;
  /** Request target as received: path plus optional `?query` (origin-form). */
  url: string;
  /** Host header / :authority, lowercased, without the port. */
  host: string;
  /** Port from the Host header, if any. */
  hostPort?: number;
  headers: HeaderMap;
  scheme: "http" | "https";
}

/** Header edits for the response, applied in order by applyResponseEdits(). */
export interface ResponseEdits {
  set: { name: string; value: string }[];
  add: { name: string; value: string }[];
  remove: string[];
}

export interface ForwardTarget {
  backend: IRBackend;
  /** Path + query to send upstream (after URLRewrite). */
  path: string;
  /** Host / :authority to send upstream (after hostname rewrite; else the client's, port included). */
  authority: string;
  /** Request headers to send (RequestHeaderModifier of the rule, then of the backend, applied). Hop-by-hop and X-Forwarded-* are the transport's. */
  headers: HeaderMap;
}

/**
 * Where a decision was made: the listener and route rule match (one per compiled route and
 * listener, shared by every decision from it). Telemetry labels come from here; `ids` is the
 * worker's cache of metric series ids for it (by backend pick + 1), filled on first use.
 */
export interface RouteSite {
  listener: string;
  /** IR source of the match (`httproute/ns/name/rule/0/match/1`), `none` for a 404. */
  source: string;
  /** `ns/name` of the route ("" for a 404). */
  route: string;
  /** The rule's name, or its index ("" for a 404). */
  rule: string;
  ids: number[] | null;
  /** The worker's cache of access log line parts for it (by backend pick + 1). */
  logParts?: Uint8Array[];
}

export type Decision =
  | {
      type: "respond";
      /** IR source that decided (`httproute/ns/name/rule/0/match/0`), or `listener/...`/`none` for 404. */
      source: string;
      status: number;
      headers: HeaderMap;
      body: string;
      /** Absent when no listener matched the host. */
      site?: RouteSite;
    }
  | {
      type: "forward";
      source: string;
      route: IRHTTPRoute;
      target: ForwardTarget;
      /** Requests to copy to mirror backends (percentages already rolled); fire-and-forget. */
      mirrors: ForwardTarget[];
      /** ResponseHeaderModifier edits (rule, then backend) plus CORS response headers. */
      response: ResponseEdits;
      timeouts?: IRHTTPRoute["timeouts"];
      retry?: IRHTTPRoute["retry"];
      site?: RouteSite;
      /** Index of the target's backend among the rule's backends. */
      pick?: number;
    };

/** One port's routing table. Stateful only in its weighted pickers (kept across updates). */
export interface Router {
  decide(req: RequestView): Decision;
}
