// Connects one L4 session to a backend: the endpoints in round-robin order, each with the
// connect timeout; a refused or timed-out endpoint is ejected and the next one is tried. The
// socket reads for splice() (onread): whoever gets it must splice it or destroy it.
import { connect, type Socket } from "node:net";
import { endpointOrder, type Ejections, type L4Backend, type L4Endpoint } from "./backends.js";
import { onUpstreamRead, UPSTREAM_READ_BUFFER } from "./splice.js";

export type ConnectDone = (err: Error | undefined, socket?: Socket, endpoint?: L4Endpoint) => void;
export type ConnectFailed = (endpoint: L4Endpoint, err: Error) => void;

export class UpstreamConnect {
  private readonly order: L4Endpoint[];
  private i = 0;
  private socket: Socket | undefined;
  private endpoint: L4Endpoint | undefined;
  private lastError: Error | undefined;
  private finished = false;

  constructor(
    backend: L4Backend,
    private readonly ejections: Ejections,
    private readonly timeoutMs: number,
    private readonly ejectionMs: number,
    private readonly done: ConnectDone,
    private readonly failed?: ConnectFailed,
  ) {
    this.order = endpointOrder(backend, ejections);
    if (this.order.length === 0) this.lastError = new Error(`no ready endpoints for ${backend.id}`);
    this.onConnect = this.onConnect.bind(this);
    this.onError = this.onError.bind(this);
    this.onTimeout = this.onTimeout.bind(this);
    this.tryNext();
  }

  /** The client went away: drop the attempt in flight; `done` is not called. */
  abort(): void {
    if (this.finished) return;
    this.finished = true;
    this.release()?.destroy();
  }

  private tryNext(): void {
    if (this.finished) return;
    const ep = this.order[this.i++];
    if (ep === undefined) {
      this.finished = true;
      this.done(this.lastError ?? new Error("no endpoint"));
      return;
    }
    this.endpoint = ep;
    // Read into the shared buffer (no allocation per read): splice() is what consumes it.
    const s = connect({
      host: ep.host, port: ep.port, allowHalfOpen: true, noDelay: true,
      onread: { buffer: UPSTREAM_READ_BUFFER, callback: onUpstreamRead as (n: number, buf: Uint8Array) => boolean },
    });
    if (this.timeoutMs > 0) s.setTimeout(this.timeoutMs);
    s.once("connect", this.onConnect);
    s.on("error", this.onError);
    s.on("timeout", this.onTimeout);
    this.socket = s;
  }

  private release(): Socket | undefined {
    const s = this.socket;
    if (!s) return undefined;
    this.socket = undefined;
    s.removeListener("connect", this.onConnect);
    s.removeListener("error", this.onError);
    s.removeListener("timeout", this.onTimeout);
    return s;
  }

  private onConnect(): void {
    const s = this.release();
    if (!s || this.finished) return;
    this.finished = true;
    s.setTimeout(0);
    this.ejections.clear(this.endpoint!.key);
    this.done(undefined, s, this.endpoint);
  }

  private onError(err: Error): void {
    this.fail(err);
  }

  private onTimeout(): void {
    this.fail(new Error(`connect to ${this.endpoint?.key} timed out after ${this.timeoutMs} ms`));
  }

  private fail(err: Error): void {
    const s = this.release();
    if (!s) return;
    // A late error event after destroy() must find a listener.
    s.on("error", ignore);
    s.destroy();
    if (this.endpoint) {
      this.ejections.eject(this.endpoint.key, this.ejectionMs);
      this.failed?.(this.endpoint, err);
    }
    this.lastError = err;
    this.tryNext();
  }
}

function ignore(): void {}
