// RequestMirror: fire-and-forget copies of a request. A mirror gets the same headers and a
// copy of the body that never holds the main request back (a lagging copy is dropped);
// its response is read and discarded. Nothing a mirror does reaches the client.
import type { ForwardedInfo } from "./forward-headers.js";
import { upstreamHeaders } from "./forward-headers.js";
import type { ForwardDecision } from "./exchange.js";
import type { PortContext, PortState } from "./port-state.js";
import { MirrorBody } from "./request-body.js";
import { nextEndpoint, type Cursor } from "./upstream/cursor.js";
import type { Endpoint } from "./upstream/endpoints.js";
import type { ResponseHeaders, UpstreamCall, UpstreamRequest, UpstreamSink } from "./upstream/types.js";
import type { RouteSite } from "./router/index.js";
import { U_MIRRORS_FAILED, U_MIRRORS_SENT } from "../telemetry/stats.js";

/** A mirror that never answers is given up after this long (when the route sets no request timeout). */
const MIRROR_TIMEOUT_MS = 30_000;
const MIRROR_LAG_BYTES = 256 * 1024;

function onMirrorTimer(m: MirrorCall): void { m.giveUp(); }

class MirrorCall implements UpstreamSink, Cursor {
  ringStart = 0;
  ringPos = 0;
  panic = false;
  tried = 0;
  private call: UpstreamCall | null = null;
  private endpoint: Endpoint | null = null;
  private timer: NodeJS.Timeout | null = null;
  private finished = false;
  private backend: ForwardDecision["target"]["backend"] | null = null;

  constructor(private readonly ctx: PortContext, private readonly state: PortState, private readonly req: UpstreamRequest, private readonly site: RouteSite | undefined) {}

  start(backend: ForwardDecision["target"]["backend"], grpc: boolean, timeoutMs: number): void {
    this.backend = backend;
    const b = this.state.backends.get(backend, grpc);
    const ep = nextEndpoint(b, this, Date.now());
    if (ep === null) {
      this.state.tel.mirror(this.site, backend, U_MIRRORS_FAILED);
      this.dropBody();
      return;
    }
    this.state.tel.mirror(this.site, backend, U_MIRRORS_SENT);
    this.state.backends.enter();
    this.endpoint = ep;
    this.timer = setTimeout(onMirrorTimer, timeoutMs, this);
    this.call = ep.transport.request(this.req, this);
  }

  private failed(): void {
    if (!this.finished && this.backend !== null) this.state.tel.mirror(this.site, this.backend, U_MIRRORS_FAILED);
  }

  giveUp(): void {
    this.failed();
    this.timer = null;
    this.call?.abort();
    this.finish();
  }

  onUnsent(err: Error, connectFailure: boolean): void {
    const ep = this.endpoint;
    if (connectFailure && ep !== null) ep.ejectedUntil = Date.now() + this.state.settings.ejectionMs;
    this.failed();
    this.ctx.log("debug", "mirror request not sent", { endpoint: ep?.label, error: err.message });
    this.dropBody();
    this.finish();
  }
  onResponse(_status: number, _headers: ResponseHeaders): void {}
  onData(): boolean { return true; }
  onEnd(): void { this.finish(); }
  onFailed(err: Error): void {
    this.failed();
    this.ctx.log("debug", "mirror request failed", { endpoint: this.endpoint?.label, error: err.message });
    this.finish();
  }

  private dropBody(): void {
    const b = this.req.body;
    if (b instanceof MirrorBody) b.destroy();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null; }
    this.dropBody();
    this.state.backends.leave();
  }
}

/**
 * Starts the decision's mirrors. `mainHeaders` is reused when a mirror sends the same
 * headers to the same authority (the lists are never mutated once built). Returns the body
 * copies to feed when the request has a body.
 */
export function startMirrors(
  ctx: PortContext, state: PortState, d: ForwardDecision, method: string, fwd: ForwardedInfo, mainHeaders: string[], withBody: boolean,
): MirrorBody[] | null {
  const taps: MirrorBody[] | null = withBody ? [] : null;
  const timeout = d.timeouts?.requestMs ?? MIRROR_TIMEOUT_MS;
  for (const m of d.mirrors) {
    try {
      const headers = m.headers === d.target.headers && m.authority === d.target.authority
        ? mainHeaders : upstreamHeaders(m.headers, fwd, m.authority);
      let body: MirrorBody | null = null;
      if (taps !== null) {
        body = new MirrorBody(MIRROR_LAG_BYTES);
        // A dropped copy errors its own upstream request only.
        body.on("error", noop);
        taps.push(body);
      }
      new MirrorCall(ctx, state, { method, path: m.path, authority: m.authority, headers, body }, d.site)
        .start(m.backend, d.route.kind === "GRPCRoute", timeout);
    } catch (e) {
      ctx.log("debug", "mirror not started", { error: (e as Error).message });
    }
  }
  return taps;
}

function noop(): void {}
