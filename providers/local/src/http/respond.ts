// Answers the proxy writes itself: router decisions (404, 500, redirects, CORS preflights)
// and short plain-text errors. Never a stack trace.
import type { ServerResponse } from "node:http";
import type { Http2ServerResponse } from "node:http2";
import type { Decision } from "./router/index.js";

export type AnyResponse = ServerResponse | Http2ServerResponse;

const TEXT = "text/plain; charset=utf-8";

/** Plain-text answer; `close`: end the HTTP/1 connection after it. */
export function sendText(res: AnyResponse, status: number, body: string, close: boolean): void {
  if (res.headersSent || res.writableEnded) {
    if (!res.writableEnded) res.destroy();
    return;
  }
  const headers: Record<string, string | number> = { "content-type": TEXT, "content-length": Buffer.byteLength(body) };
  if (close && !isHttp2(res)) headers.connection = "close";
  try {
    (res as ServerResponse).writeHead(status, headers);
    res.end(body);
  } catch {
    res.destroy();
  }
}

export function isHttp2(res: AnyResponse): res is Http2ServerResponse {
  return (res as Http2ServerResponse).stream !== undefined;
}

/** A router's `respond` decision. */
export function sendDecision(res: AnyResponse, d: Extract<Decision, { type: "respond" }>, close: boolean): void {
  try {
    res.statusCode = d.status;
    const h = d.headers;
    for (const name in h) {
      const v = h[name];
      if (v !== undefined) res.setHeader(name, v.length === 1 ? v[0]! : v);
    }
    if (close && !isHttp2(res)) res.setHeader("connection", "close");
    res.end(d.body);
  } catch {
    sendText(res, 500, "internal error\n", true);
  }
}
