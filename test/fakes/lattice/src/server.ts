// The HTTP side: rest-json requests in, the operation run against the store, responses and
// errors out the way the service sends them (status, x-amzn-errortype, JSON body,
// Retry-After), with the call log and fault injection around every call.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CallLog, type CallRecord } from "./calls.js";
import { LatticeError, internal, validation } from "./errors.js";
import { describe, faultError, Injector, type Fault } from "./faults.js";
import type { Clock } from "./clock.js";
import { match } from "./routes.js";
import type { Store } from "./store.js";
import type { Json } from "./validate.js";

const MAX_BODY = 10 * 1024 * 1024;

export class FakeServer {
  readonly calls = new CallLog();
  readonly inject = new Injector();
  private readonly server: Server;
  private readonly hanging = new Set<ServerResponse>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {
    this.server = createServer((req, res) => {
      this.onRequest(req, res).catch((e: unknown) => {
        // A bug in the fake: answer 500 so the client does not hang, and say why.
        if (!res.headersSent) this.sendError(res, internal(`fake-lattice: ${e instanceof Error ? e.stack ?? e.message : String(e)}`));
      });
    });
    this.server.keepAliveTimeout = 5000;
  }

  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", "http://fake");
    const method = req.method ?? "GET";
    this.clock.tick();
    this.store.tick();

    const found = match(method, url.pathname);
    const query: Record<string, string | string[]> = {};
    for (const k of new Set(url.searchParams.keys())) {
      const all = url.searchParams.getAll(k);
      query[k] = all.length === 1 ? all[0]! : all;
    }
    let body: unknown = undefined;
    let parseError: LatticeError | undefined;
    if (raw.length) {
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        parseError = validation([{ name: "body", message: "The request body is not valid JSON." }], "cannotParse");
      }
      if (!parseError && (body === null || typeof body !== "object" || Array.isArray(body))) {
        parseError = validation([{ name: "body", message: "The request body must be a JSON object." }], "cannotParse");
      }
    }
    const call = this.calls.begin({
      at: this.clock.now(),
      operation: found?.route.operation ?? "Unknown",
      method,
      path: url.pathname,
      mutating: found?.route.mutating ?? false,
      input: { labels: found?.labels ?? {}, query, body },
    });

    if (!found) {
      return this.finish(call, res, new LatticeError("UnknownOperationException", 404, `No operation for ${method} ${url.pathname}.`));
    }
    if (this.store.opts.requireAuth && !req.headers.authorization) {
      return this.finish(call, res, new LatticeError("AccessDeniedException", 403, "Missing Authentication Token (the request is not signed)."));
    }
    if (parseError) return this.finish(call, res, parseError);

    const injected = this.inject.take(call);
    if (injected) call.fault = describe(injected.fault);
    if (injected && injected.when === "before" && injected.fault.kind !== "delay") {
      return this.fail(call, res, injected.fault);
    }

    let result: Json | undefined;
    try {
      result = found.route.handler(this.store, { labels: found.labels, query: url.searchParams, body: (body ?? {}) as Json });
      call.applied = true;
    } catch (e) {
      if (e instanceof LatticeError) return this.finish(call, res, e);
      throw e;
    }
    if (injected?.fault.kind === "delay") await sleep(injected.fault.ms);
    else if (injected) return this.fail(call, res, injected.fault);
    this.send(res, found.route.status, result);
    call.status = found.route.status;
    this.calls.end(call);
  }

  private fail(call: CallRecord, res: ServerResponse, fault: Fault): void {
    if (fault.kind === "hang") {
      this.hanging.add(res);
      res.on("close", () => this.hanging.delete(res));
      this.calls.end(call);
      return;
    }
    if (fault.kind === "reset") {
      res.socket?.destroy();
      this.calls.end(call);
      return;
    }
    const err = faultError(fault);
    if (err) this.finish(call, res, err);
  }

  private finish(call: CallRecord, res: ServerResponse, err: LatticeError): void {
    this.sendError(res, err);
    call.status = err.status;
    call.error = err.code;
    this.calls.end(call);
  }

  private send(res: ServerResponse, status: number, body: Json | undefined): void {
    const headers: Record<string, string | number> = { "x-amzn-requestid": this.store.ids.requestId() };
    if (status === 204 || body === undefined) {
      res.writeHead(status === 204 ? 204 : status, headers);
      res.end();
      return;
    }
    const text = JSON.stringify(body);
    headers["content-type"] = "application/json";
    headers["content-length"] = Buffer.byteLength(text);
    res.writeHead(status, headers);
    res.end(text);
  }

  private sendError(res: ServerResponse, err: LatticeError): void {
    const text = JSON.stringify(err.body());
    const headers: Record<string, string | number> = {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
      "x-amzn-errortype": err.code,
      "x-amzn-requestid": this.store.ids.requestId(),
    };
    if (err.retryAfterSeconds !== undefined) headers["retry-after"] = String(err.retryAfterSeconds);
    res.writeHead(err.status, headers);
    res.end(text);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
