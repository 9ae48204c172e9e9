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

export type Decision =
  | {
      type: "respond";
      /** IR source that decided (`httproute/ns/name/rule/0/match/0`), or `listener/...`/`none` for 404. */
      source: string;
      status: number;
      headers: HeaderMap;
      body: string;
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
    };

/** One port's routing table. Stateful only in its weighted pickers (kept across updates). */
export interface Router {
  decide(req: RequestView): Decision;
}
