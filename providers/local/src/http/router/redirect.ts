// RequestRedirect: the Location header, with the port rules of the Gateway API
// HTTPRequestRedirectFilter doc: an explicit port wins; else a scheme redirect uses that
// scheme's well-known port; else the listener's port. :80 for http and :443 for https are
// never written.
import type { RedirectConfig } from "@gatehouse/ir";
import { compilePathModifier, modifyPath, type CompiledPathModifier } from "./path-modifier.js";

export interface CompiledRedirect {
  status: number;
  hostname: string | undefined;
  path: CompiledPathModifier | undefined;
  /** `scheme://` and `:port` for a request that came in over http, and over https. */
  schemeForHttp: string;
  portForHttp: string;
  schemeForHttps: string;
  portForHttps: string;
}

function portSuffix(scheme: string, port: number): string {
  return (scheme === "http" && port === 80) || (scheme === "https" && port === 443) ? "" : `:${port}`;
}

export function compileRedirect(cfg: RedirectConfig, listenerPort: number): CompiledRedirect {
  const explicitScheme = cfg.scheme === "http" || cfg.scheme === "https" ? cfg.scheme : undefined;
  const code = typeof cfg.statusCode === "number" && [301, 302, 303, 307, 308].includes(cfg.statusCode) ? cfg.statusCode : 302;
  const forRequest = (reqScheme: "http" | "https") => {
    const scheme = explicitScheme ?? reqScheme;
    const port = typeof cfg.port === "number" && cfg.port > 0 ? cfg.port
      : explicitScheme ? (explicitScheme === "https" ? 443 : 80)
      : listenerPort;
    return { scheme: `${scheme}://`, port: portSuffix(scheme, port) };
  };
  const h = forRequest("http"), s = forRequest("https");
  return {
    status: code,
    hostname: typeof cfg.hostname === "string" && cfg.hostname !== "" ? cfg.hostname : undefined,
    path: compilePathModifier(cfg.path),
    schemeForHttp: h.scheme, portForHttp: h.port,
    schemeForHttps: s.scheme, portForHttps: s.port,
  };
}

/** Location for a request; `query` includes its leading `?` (or is ""). */
export function redirectLocation(r: CompiledRedirect, reqScheme: string, host: string, path: string, query: string, prefix: string | undefined): string {
  const https = reqScheme === "https";
  const newPath = r.path ? modifyPath(r.path, path, prefix) : path;
  return (https ? r.schemeForHttps : r.schemeForHttp) + (r.hostname ?? host) + (https ? r.portForHttps : r.portForHttp) + newPath + query;
}

/** Host[:port] as an authority: an IPv6 literal gets its brackets back. */
export function authority(host: string, port: number | undefined): string {
  const h = typeof host !== "string" ? "" : host.indexOf(":") >= 0 && host.charCodeAt(0) !== 91 /* [ */ ? `[${host}]` : host;
  return port === undefined ? h : `${h}:${port}`;
}
