// HTTP/1.1 request checks beyond what Node's parser enforces.
import type { IncomingMessage } from "node:http";
import type { RequestView } from "./router/index.js";

/**
 * What llhttp lets through but a proxy must not (RFC 9112 §3.2, §6.1): several Host
 * headers, and transfer codings other than plain `chunked` (the body framing would be ours
 * to guess). Both end the connection.
 */
export function framingProblem(req: IncomingMessage, view: RequestView): { status: number; text: string } | undefined {
  const te = req.headers["transfer-encoding"];
  if (te !== undefined && te.trim().toLowerCase() !== "chunked") return { status: 501, text: "transfer coding not supported\n" };
  const hosts = view.headers.host;
  if (hosts !== undefined && hosts.length > 1) return { status: 400, text: "more than one Host header\n" };
  return undefined;
}
