// The router's view of a request (HTTP/1.1 IncomingMessage or HTTP/2 compat request).
import type { IncomingMessage } from "node:http";
import type { Http2ServerRequest } from "node:http2";
import type { HeaderMap, RequestView } from "./router/index.js";

/** Splits a Host / :authority value into lowercased host and port (`[v6]:port` aware). */
export function splitHost(raw: string | undefined): { host: string; port: number | undefined } {
  if (raw === undefined || raw === "") return { host: "", port: undefined };
  let host = raw;
  let port: number | undefined;
  const colon = raw.lastIndexOf(":");
  const bracket = raw.lastIndexOf("]");
  if (colon > bracket) {
    host = raw.slice(0, colon);
    const p = Number(raw.slice(colon + 1));
    if (Number.isInteger(p) && p > 0 && p < 65536) port = p;
  }
  return { host: host.toLowerCase(), port };
}

/**
 * An absolute-form target (`http://host:port/path?q`, RFC 9112 §3.2.2) as origin-form plus
 * the authority, which then replaces the Host header for routing.
 */
function absoluteForm(url: string): { authority: string; path: string } | undefined {
  const s = url.indexOf("://");
  if (s <= 0) return undefined;
  const start = s + 3;
  let end = start;
  while (end < url.length && url[end] !== "/" && url[end] !== "?") end++;
  const rest = url.slice(end);
  return { authority: url.slice(start, end), path: rest === "" || rest[0] === "?" ? `/${rest}` : rest };
}

export function viewOfHttp1(req: IncomingMessage, scheme: "http" | "https"): RequestView {
  let raw = req.headers.host;
  let url = req.url ?? "/";
  if (url.charCodeAt(0) !== 47 /* / */ && url !== "*") {
    const abs = absoluteForm(url);
    if (abs !== undefined) {
      url = abs.path;
      raw = abs.authority;
    }
  }
  const v: RequestView = { method: req.method ?? "GET", url, host: "", headers: req.headersDistinct as HeaderMap, scheme };
  if (raw === undefined || raw === "") return v;
  // Fast path: a lowercase name without a port (no object for splitHost's answer).
  const colon = raw.lastIndexOf(":");
  if (colon < 0 && !hasUpper(raw)) {
    v.host = raw;
    return v;
  }
  const { host, port } = splitHost(raw);
  v.host = host;
  if (port !== undefined) v.hostPort = port;
  return v;
}

function hasUpper(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
  }
  return false;
}

/** Header map of an HTTP/2 request (pseudo-headers left out) and its size as HPACK counts it. */
export function headersOfHttp2(req: Http2ServerRequest): { headers: HeaderMap; bytes: number } {
  const raw = req.rawHeaders;
  const headers: HeaderMap = {};
  let bytes = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    bytes += name.length + value.length + 32;
    if (name.charCodeAt(0) === 58 /* : */) continue;
    const prev = headers[name];
    if (prev === undefined) headers[name] = [value];
    else prev.push(value);
  }
  return { headers, bytes };
}

export function viewOfHttp2(req: Http2ServerRequest, headers: HeaderMap, scheme: "http" | "https"): RequestView {
  const { host, port } = splitHost(req.authority || req.headers.host);
  const v: RequestView = { method: req.method, url: req.url || "/", host, headers, scheme };
  if (port !== undefined) v.hostPort = port;
  return v;
}
