// Plain-JSON list and watch on top of KubeClient (kube/client.ts): objects stay the JSON the
// API server sent (the client library's typed APIs would turn timestamps into Dates).
import type { IncomingMessage } from "node:http";
import type { KubeConfig } from "@kubernetes/client-node";
import { KubeClient } from "../client.js";

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
  private readonly kube: KubeClient;

  constructor(kc: KubeConfig) {
    this.kube = new KubeClient(kc, { userAgent: "gatehouse-source" });
  }

  /** One page of a list: GET path?limit=&continue=. */
  async listPage(path: string, query: Record<string, string>, signal: AbortSignal, timeoutMs = 60_000): Promise<ListPage> {
    const res = await this.kube.get<unknown>(path, { query, signal, timeoutMs });
    if (res.status !== 200) throw apiError(res.status, res.body);
    if (!res.body || typeof res.body !== "object") throw new Error(`GET ${path}: unreadable JSON`);
    const l = res.body as { items?: unknown; metadata?: { resourceVersion?: unknown; continue?: unknown } };
    return {
      items: Array.isArray(l.items) ? (l.items.filter((i) => i && typeof i === "object") as JsonObject[]) : [],
      resourceVersion: typeof l.metadata?.resourceVersion === "string" ? l.metadata.resourceVersion : "",
      continue: typeof l.metadata?.continue === "string" ? l.metadata.continue : "",
    };
  }

  /**
   * The resources an API group version serves (discovery: GET /apis/<group>/<version>),
   * or undefined when the server does not serve that group version (404).
   */
  async resources(groupVersionPath: string, signal: AbortSignal, timeoutMs = 10_000): Promise<Set<string> | undefined> {
    const res = await this.kube.get<{ resources?: { name?: unknown }[] }>(groupVersionPath, { signal, timeoutMs });
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw apiError(res.status, res.body);
    const list = Array.isArray(res.body?.resources) ? res.body.resources : [];
    return new Set(list.map((r) => r?.name).filter((n): n is string => typeof n === "string"));
  }

  /** Closes the keep-alive connections. */
  close(): void { this.kube.close(); }

  /**
   * Streams watch events to `onEvent` until the server ends the response (resolves) or
   * the connection fails, the socket is idle for `idleMs`, or `signal` aborts (rejects).
   * A non-200 answer rejects with an ApiError (410 when the resourceVersion is too old).
   */
  async watch(path: string, query: Record<string, string>, signal: AbortSignal, idleMs: number,
    onEvent: (e: WatchEvent) => void): Promise<void> {
    const res = await this.kube.stream(path, { query: { ...query, watch: "true" }, signal, timeoutMs: idleMs });
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

/** ApiError from a non-2xx answer; `body` is the parsed Status when the server sent one. */
function apiError(code: number, body: unknown): ApiError {
  let parsed = body;
  if (typeof body === "string") {
    try { parsed = JSON.parse(body); } catch { /* not a Status */ }
  }
  if (parsed && typeof parsed === "object") return statusError({ ...(parsed as JsonObject), code });
  return new ApiError(code, "", `${code}: ${String(body ?? "").slice(0, 300)}`);
}

/** ApiError from an ERROR watch event's Status object. */
export function statusError(status: JsonObject): ApiError {
  const code = typeof status["code"] === "number" ? status["code"] : 0;
  const reason = typeof status["reason"] === "string" ? status["reason"] : "";
  const message = typeof status["message"] === "string" ? status["message"] : "watch error";
  return new ApiError(code, reason, `${code}${reason ? ` ${reason}` : ""}: ${message}`);
}
