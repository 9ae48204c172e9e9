// The upstream side of one port configuration: every backend the port's routes (and
// mirrors) reference, with its endpoints acquired from the worker registry. Built on each
// update before the previous set is retired, so unchanged endpoints keep their pools warm;
// a retired set releases its endpoints once its last in-flight request is done.
import type { IRBackend, IRFilter, IRListener } from "@gatehouse/ir";
import type { ProxySettings } from "../../runtime/types.js";
import { acquireEndpoint, releaseEndpoint, type Endpoint } from "./endpoints.js";

export class BackendState {
  /** Round-robin cursor (carried over from the previous configuration). */
  rr = 0;
  constructor(
    /** Ready endpoints, or the serving ones when none is ready. */
    readonly endpoints: Endpoint[],
  ) {}
}

function eachBackend(listeners: readonly IRListener[], visit: (b: IRBackend, grpc: boolean) => void): void {
  const filters = (fs: readonly IRFilter[] | undefined, grpc: boolean): void => {
    if (!Array.isArray(fs)) return;
    for (const f of fs) if (f.type === "RequestMirror" && f.backend) visit(f.backend, grpc);
  };
  for (const l of listeners) {
    for (const vh of Array.isArray(l.virtualHosts) ? l.virtualHosts : []) {
      for (const r of Array.isArray(vh.routes) ? vh.routes : []) {
        const grpc = r.kind === "GRPCRoute";
        filters(r.filters, grpc);
        for (const b of Array.isArray(r.backends) ? r.backends : []) {
          visit(b, grpc);
          filters(b.filters, grpc);
        }
      }
    }
  }
}

export class BackendSet {
  private readonly states = new Map<string, BackendState>();
  private readonly acquired: Endpoint[] = [];
  private inflight = 0;
  private retired = false;

  constructor(listeners: readonly IRListener[], private readonly settings: ProxySettings, previous?: BackendSet) {
    eachBackend(listeners, (b, grpc) => { this.get(b, grpc, previous); });
  }

  /**
   * The state of a backend as a route of this kind uses it (`grpc`: a GRPCRoute's, which may
   * need HTTP/2 over TLS); created on first sight, e.g. for a backend the walk missed.
   */
  get(backend: IRBackend, grpc: boolean, previous?: BackendSet): BackendState {
    const id = grpc && backend.protocol === "https" ? `${backend.id}|h2` : backend.id;
    let s = this.states.get(id);
    if (s !== undefined) return s;
    s = this.create(backend, grpc);
    const old = previous?.states.get(id);
    if (old !== undefined && s.endpoints.length > 0) s.rr = old.rr % s.endpoints.length;
    this.states.set(id, s);
    return s;
  }

  private create(backend: IRBackend, grpc: boolean): BackendState {
    const all = Array.isArray(backend.endpoints) ? backend.endpoints : [];
    let chosen = all.filter((e) => e.ready === true);
    if (chosen.length === 0) chosen = all.filter((e) => e.serving === true);
    const eps: Endpoint[] = [];
    for (const e of chosen) {
      if (typeof e.address !== "string" || typeof e.port !== "number") continue;
      const ep = acquireEndpoint(backend, grpc, e, this.settings);
      this.acquired.push(ep);
      eps.push(ep);
    }
    return new BackendState(eps);
  }

  enter(): void { this.inflight++; }

  leave(): void {
    if (--this.inflight === 0 && this.retired) this.release();
  }

  /** No new requests will use this set; endpoints are released when the last one ends. */
  retire(): void {
    if (this.retired) return;
    this.retired = true;
    if (this.inflight === 0) this.release();
  }

  private release(): void {
    const eps = this.acquired.splice(0);
    for (const e of eps) releaseEndpoint(e);
  }
}
