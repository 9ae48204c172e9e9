// Plain-JSON list and watch over node:http(s). The client library's typed APIs run every
// object through ObjectSerializer (timestamps become Date objects); here objects stay the
// JSON the API server sent. KubeConfig still supplies TLS material and credentials
// (tokens, token files, exec plugins), applied again on every request.
import { request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

/** A non-2xx answer (or an ERROR watch event) with the Status the server sent. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(readonly code: number, readonly reason: string, message: string) {
    super(message);
  }
}

export type JsonObject = Record<string, unknown>;

export interface ListPage {
  items: JsonObject[];
  resourceVersion: string;
  continue: string;
}

export interface WatchEvent {
  type: string;
  object: JsonObject;
}

export class RawKubeClient {
  constructor(private readonly kc: KubeConfig) {}

  /** One page of a list: GET path?limit=&continue=. */
  async listPage(path: string, query: Record<string, string>, signal: AbortSignal, timeoutMs = 60_000): Promise<ListPage> {
    const res = await this.open(path, query, signal, timeoutMs);
    const body = await readBody(res);
    if (res.statusCode !== 200) throw apiError(res.statusCode ?? 0, body);
    let list: unknown;
    try {
      list = JSON.parse(body);
    } catch {
      throw new Error(`GET ${path}: unreadable JSON`);
    }
    const l = list as { items?: unknown; metadata?: { resourceVersion?: unknown; continue?: unknown } };
    return {
      items: Array.isArray(l.items) ? (l.items.filter((i) => i && typeof i === "object") as JsonObject[]) : [],
      resourceVersion: typeof l.metadata?.resourceVersion === "string" ? l.metadata.resourceVersion : "",
      continue: typeof l.metadata?.continue === "string" ? l.metadata.continue : "",
    };
  }

  /**
   * Streams watch events to `onEvent` until the server ends the response (resolves) or
   * the connection fails, the socket is idle for `idleMs`, or `signal` aborts (rejects).
   * A non-200 answer rejects with an ApiError (410 when the resourceVersion is too old).
   */
  async watch(path: string, query: Record<string, string>, signal: AbortSignal, idleMs: number,
    onEvent: (e: WatchEvent) => void): Promise<void> {
    const res = await this.open(path, { ...query, watch: "true" }, signal, idleMs);
    if (res.statusCode !== 200) throw apiError(res.statusCode ?? 0, await readBody(res));
    await new Promise<void>((resolve, reject) => {
      let buf = "";
      let ended = false;
      let failed = false;
      const fail = (e: unknown) => {
        if (failed) return;
        failed = true;
        res.destroy();
        reject(e instanceof Error ? e : new Error(String(e)));
      };
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buf += chunk;
        let start = 0;
        for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n", start)) {
          const line = buf.slice(start, nl).trim();
          start = nl + 1;
          if (!line) continue;
          let ev: unknown;
          try {
            ev = JSON.parse(line);
          } catch {
            return fail(new Error(`watch ${path}: unreadable event`));
          }
          const e = ev as { type?: unknown; object?: unknown };
          if (typeof e.type !== "string" || !e.object || typeof e.object !== "object") continue;
          try {
            onEvent({ type: e.type, object: e.object as JsonObject });
          } catch (err) {
            return fail(err);
          }
        }
        buf = buf.slice(start);
      });
      res.on("end", () => {
        ended = true;
        if (!failed) resolve();
      });
      res.on("error", fail);
      res.on("close", () => {
        if (!ended) fail(signal.aborted ? signal.reason : new Error(`watch ${path}: connection closed`));
      });
    });
  }

  private async open(path: string, query: Record<string, string>, signal: AbortSignal, timeoutMs: number): Promise<IncomingMessage> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error("kubeconfig: no current cluster");
    const url = new URL(cluster.server.replace(/\/+$/, "") + path);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const opts: RequestOptions = { method: "GET", headers: { Accept: "application/json" } };
    await this.kc.applyToHTTPSOptions(opts);
    const plain = url.protocol === "http:";
    if (plain) delete opts.agent; // an https.Agent cannot carry plain HTTP
    signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      const req = (plain ? httpRequest : httpsRequest)(url, { ...opts, signal }, resolve);
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${path}: no data for ${timeoutMs} ms`)));
      req.on("error", reject);
      req.end();
    });
  }
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    res.setEncoding("utf8");
    res.on("data", (d: string) => (body += d));
    res.on("end", () => resolve(body));
    res.on("error", reject);
    res.on("close", () => {
      if (!res.complete) reject(new Error("connection closed while reading the response"));
    });
  });
}

function apiError(code: number, body: string): ApiError {
  let reason = "";
  let message = body.slice(0, 300);
  try {
    const s = JSON.parse(body) as { reason?: unknown; message?: unknown };
    if (typeof s.reason === "string") reason = s.reason;
    if (typeof s.message === "string") message = s.message;
  } catch { /* not a Status */ }
  return new ApiError(code, reason, `${code}${reason ? ` ${reason}` : ""}: ${message}`);
}

/** ApiError from an ERROR watch event's Status object. */
export function statusError(status: JsonObject): ApiError {
  const code = typeof status["code"] === "number" ? status["code"] : 0;
  const reason = typeof status["reason"] === "string" ? status["reason"] : "";
  const message = typeof status["message"] === "string" ? status["message"] : "watch error";
  return new ApiError(code, reason, `${code}${reason ? ` ${reason}` : ""}: ${message}`);
}
