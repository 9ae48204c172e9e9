// The router's view of a request parsed by the fast path: the same as ../request-view.ts
// viewOfHttp1 makes of Node's IncomingMessage (absolute-form targets routed by their authority).
import type { RequestView } from "../router/index.js";
import { splitHost } from "../request-view.js";
import type { RequestHead } from "./request-head.js";

export function viewOf(h: RequestHead): RequestView {
  let raw = h.host;
  let url = h.target;
  if (url.charCodeAt(0) !== 47 /* / */ && url !== "*") {
    const s = url.indexOf("://");
    if (s > 0) {
      const start = s + 3;
      let end = start;
      while (end < url.length && url.charCodeAt(end) !== 47 && url.charCodeAt(end) !== 63 /* ? */) end++;
      const rest = url.slice(end);
      raw = url.slice(start, end);
      url = rest === "" || rest.charCodeAt(0) === 63 ? `/${rest}` : rest;
    }
  }
  const v: RequestView = { method: h.method, url, host: "", headers: h.headers, scheme: "http" };
  if (raw === "") return v;
  // The same Host as the previous request on the connection (the usual case): its split again.
  if (raw !== h.splitFrom) {
    h.splitFrom = raw;
    split(raw, h);
  }
  v.host = h.splitHost;
  if (h.splitPort > 0) v.hostPort = h.splitPort;
  return v;
}

/** Lowercased host and port (0: none) of a Host value, into h.splitHost / h.splitPort. */
function split(raw: string, h: RequestHead): void {
  h.splitPort = 0;
  const colon = raw.lastIndexOf(":");
  if (colon < 0) {
    h.splitHost = hasUpper(raw) ? raw.toLowerCase() : raw;
    return;
  }
  // `name:port` (not an IPv6 literal): split here, as splitHost would.
  if (colon > 0 && raw.charCodeAt(0) !== 91 /* [ */) {
    const port = portOf(raw, colon + 1);
    if (port > 0) {
      const name = raw.slice(0, colon);
      h.splitHost = hasUpper(name) ? name.toLowerCase() : name;
      h.splitPort = port;
      return;
    }
  }
  const { host, port } = splitHost(raw);
  h.splitHost = host;
  h.splitPort = port ?? 0;
}

/** The decimal port at s[from..], or 0 when it is not one (1..65535). */
function portOf(s: string, from: number): number {
  const n = s.length - from;
  if (n < 1 || n > 5) return 0;
  let p = 0;
  for (let i = from; i < s.length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return 0;
    p = p * 10 + d;
  }
  return p > 0 && p < 65536 ? p : 0;
}

function hasUpper(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
  }
  return false;
}
