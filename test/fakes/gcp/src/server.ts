import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { Socket } from "node:net";
import { Api, type CallCtx } from "./api.js";
import type { CallLog } from "./calls.js";
import { ApiError, backendError, methodNotFound, notFound, rateLimited } from "./errors.js";
import type { Injector } from "./inject.js";
import type { Json } from "./json.js";
import { isObj } from "./json.js";
import { GLOBAL, type Scope, isRegion, isZone } from "./links.js";
import { matchRoute } from "./routes.js";

export interface ServerDeps {
  project: string;
  api: Api;
  calls: CallLog;
  inject: Injector;
  /** Unexpected exceptions (bugs in the fake) land here as well as in a 500. */
  onInternalError: (e: unknown) => void;
}

/** The HTTP/1.1 front: JSON in, JSON out, one route per Compute method. */
export function createComputeServer(d: ServerDeps): { server: Server; hanging: Set<ServerResponse>; sockets: Set<Socket> } {
  const hanging = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void handle(d, req, res, hanging);
  });
  server.keepAliveTimeout = 5_000;
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return { server, hanging, sockets };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=UTF-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function handle(d: ServerDeps, req: IncomingMessage, res: ServerResponse, hanging: Set<ServerResponse>): Promise<void> {
  const url = new URL(req.url ?? "/", "http://fake");
  const verb = (req.method ?? "GET").toUpperCase();
  const matched = matchRoute(verb, url.pathname);
  const call = d.calls.record({
    method: matched?.route.method ?? "unknown",
    verb,
    path: url.pathname,
    query: url.search.replace(/^\?/, ""),
    mutating: matched?.route.mutating ?? verb !== "GET",
    requestId: url.searchParams.get("requestId") || undefined,
  });
  const reply = (status: number, body: unknown): void => {
    call.status = status;
    send(res, status, body);
    d.calls.answered(call);
  };
  const abort = new AbortController();
  res.on("close", () => abort.abort());
  try {
    const raw = await readBody(req);
    if (!matched) throw methodNotFound(verb, url.pathname);
    const fault = d.inject.take(call);
    if (fault?.kind === "hang") {
      call.injected = "hang";
      hanging.add(res);
      res.on("close", () => hanging.delete(res));
      return;
    }
    if (fault?.kind === "latency") {
      call.injected = `latency ${fault.ms}ms`;
      await new Promise((r) => setTimeout(r, fault.ms));
    }
    if (fault?.kind === "http") {
      call.injected = `http ${fault.status}`;
      const e =
        fault.reason !== undefined || fault.message !== undefined
          ? new ApiError(fault.status, fault.message ?? "Injected error", fault.reason ?? "backendError")
          : fault.status === 429
            ? rateLimited(d.project)
            : fault.status === 500 || fault.status === 503
              ? backendError(fault.status)
              : new ApiError(fault.status, "Injected error", "backendError");
      reply(e.status, e.body());
      return;
    }
    if (fault) call.injected = fault.kind;
    let body: Json = {};
    if (raw.trim() !== "") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new ApiError(400, "Parse Error", "parseError");
      }
      // methods without a body (operations.wait) get the JSON string "" from the client
      if (isObj(parsed)) body = parsed;
    }
    const p = matched.params;
    if (p["project"] !== d.project) throw notFound(`projects/${p["project"]}`);
    let scope: Scope = GLOBAL;
    if (matched.route.scopeType === "region") {
      if (!isRegion(p["region"]!)) throw notFound(`projects/${d.project}/regions/${p["region"]}`);
      scope = { type: "region", name: p["region"]! };
    } else if (matched.route.scopeType === "zone") {
      if (!isZone(p["zone"]!)) throw notFound(`projects/${d.project}/zones/${p["zone"]}`);
      scope = { type: "zone", name: p["zone"]! };
    }
    const ctx: CallCtx = { project: d.project, scope, body, query: url.searchParams, signal: abort.signal, call, fault };
    const out = await matched.route.handle(d.api, p, ctx);
    if (fault?.kind === "dropResponse") {
      call.injected = "dropResponse";
      res.socket?.destroy();
      d.calls.answered(call);
      return;
    }
    reply(200, out);
  } catch (e) {
    if (e instanceof ApiError) {
      reply(e.status, e.body());
      return;
    }
    d.onInternalError(e);
    const err = new ApiError(500, `Fake Compute internal error: ${e instanceof Error ? e.message : String(e)}`, "backendError");
    reply(500, err.body());
  }
}
