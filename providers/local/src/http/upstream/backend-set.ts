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

function eachBackend(listeners: readonly IRListener[], visit: (b: IRBackend) => void): void {
  const filters = (fs: readonly IRFilter[] | undefined): void => {
    if (!Array.isArray(fs)) return;
    for (const f of fs) if (f.type === "RequestMirror" && f.backend) visit(f.backend);
  };
  for (const l of listeners) {
    for (const vh of Array.isArray(l.virtualHosts) ? l.virtualHosts : []) {
      for (const r of Array.isArray(vh.routes) ? vh.routes : []) {
        filters(r.filters);
        for (const b of Array.isArray(r.backends) ? r.backends : []) {
          visit(b);
          filters(b.filters);
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
    eachBackend(listeners, (b) => { this.get(b, previous); });
  }

  /** The state of a backend (created on first sight, e.g. for a backend the walk missed). */
  get(backend: IRBackend, previous?: BackendSet): BackendState {
    const id = backend.id;
    let s = this.states.get(id);
    if (s !== undefined) return s;
    s = this.create(backend);
    const old = previous?.states.get(id);
    if (old !== undefined && s.endpoints.length > 0) s.rr = old.rr % s.endpoints.length;
    this.states.set(id, s);
    return s;
  }

  private create(backend: IRBackend): BackendState {
    const all = Array.isArray(backend.endpoints) ? backend.endpoints : [];
    let chosen = all.filter((e) => e.ready === true);
    if (chosen.length === 0) chosen = all.filter((e) => e.serving === true);
    const eps: Endpoint[] = [];
    for (const e of chosen) {
      if (typeof e.address !== "string" || typeof e.port !== "number") continue;
      const ep = acquireEndpoint(backend, e, this.settings);
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
