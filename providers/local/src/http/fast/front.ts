// The fast path of one cleartext HTTP port: its connections, one sweep for their timeouts
// (headers, idle keep-alive, stalled exchanges: per-connection timestamps and activity flags
// instead of a timer per request), drain, and the hand-over to Node's HTTP/1.1 server.
import type { Server as Http1Server } from "node:http";
import type { Socket } from "node:net";
import type { PortContext, PortState } from "../port-state.js";
import { FastConn } from "./connection.js";

/** The port runtime as the fast path sees it. */
export interface FastHost extends PortContext {
  /** The current configuration (a request keeps the one it started with). */
  readonly state: PortState;
}

/** A connection silent this long mid-exchange is closed (as the slow path's server.timeout). */
const STREAM_IDLE_MS = 300_000;

export class FastFront {
  private readonly conns = new Set<FastConn>();
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly host: FastHost, private readonly h1: Http1Server) {}

  /** A new cleartext HTTP/1.x connection (its first bytes are unshifted on it). */
  accept(socket: Socket): void {
    const c = new FastConn(this, socket, Date.now());
    this.conns.add(c);
    c.start();
    if (this.timer === null) this.schedule();
  }

  remove(c: FastConn): void {
    this.conns.delete(c);
  }

  handToNode(socket: Socket): void {
    this.h1.emit("connection", socket);
  }

  /** Connections the fast path holds (tests). */
  get size(): number {
    return this.conns.size;
  }

  closeIdle(): void {
    for (const c of this.conns) c.closeIfIdle();
  }

  stop(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private schedule(): void {
    const s = this.host.state.settings;
    const every = Math.max(50, Math.min(1000, Math.floor(Math.min(s.requestHeadersTimeoutMs, s.idleTimeoutMs) / 4)));
    this.timer = setTimeout(sweepFront, every, this);
    this.timer.unref();
  }

  sweep(): void {
    this.timer = null;
    const s = this.host.state.settings;
    const now = Date.now();
    const streamIdle = Math.max(s.idleTimeoutMs, STREAM_IDLE_MS);
    for (const c of this.conns) c.sweep(now, s.requestHeadersTimeoutMs, s.idleTimeoutMs, streamIdle);
    if (this.conns.size > 0) this.schedule();
  }
}

function sweepFront(f: FastFront): void {
  f.sweep();
}
