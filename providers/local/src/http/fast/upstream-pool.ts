// Raw keep-alive HTTP/1.1 connections to one endpoint (the fast path's counterpart of the
// undici pool in ../upstream/h1-transport.ts): at most maxConnectionsPerEndpoint per worker,
// idle ones reused most recent first and closed after upstreamIdleTimeoutMs. Socket events
// go to shared functions; the connection's current user (an exchange) gets method calls.
import { connect, type Socket } from "node:net";
import type { ProxySettings } from "../../runtime/types.js";
import type { Endpoint } from "../upstream/endpoints.js";
import { ResponseReader } from "./response-reader.js";

/** What a pool's user (one forwarded request) hears about its connection. */
export interface UpstreamUser {
  /** A connection for the request (`reused`: it served requests before). */
  gotConnection(up: UpConn, reused: boolean): void;
  /** A new connection could not be opened (refused, unreachable, timed out). */
  connectFailed(err: Error): void;
  /** The connection ended or failed while this user held it; `untouched`: not a byte of the response had come. */
  connectionLost(err: Error | null, untouched: boolean): void;
  /** The upstream socket drained (the request body may flow again). */
  upstreamDrained(): void;
}

const kUp = Symbol("upConn");
type UpSocket = Socket & { [kUp]?: UpConn };

function onUpConnect(this: UpSocket): void { this[kUp]?.connected(); }
/**
 * Upstream reads land in one buffer shared by every upstream connection of the worker (no
 * allocation per read; the reader copies what it keeps) and come here, not as 'data' events.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
function onUpRead(this: UpSocket, n: number, buf: Buffer): boolean {
  this[kUp]?.data(buf, n);
  return true;
}
function onUpEnd(this: UpSocket): void { this[kUp]?.ended(); }
function onUpError(this: UpSocket, err: Error): void { this[kUp]?.failed(err); }
function onUpClose(this: UpSocket): void { this[kUp]?.closed(); }
function onUpDrain(this: UpSocket): void { this[kUp]?.user?.upstreamDrained(); }
function onUpTimeout(this: UpSocket): void {
  const err = new Error("connect timed out");
  (err as Error & { code: string }).code = "ETIMEDOUT";
  this.destroy(err);
}

export class UpConn {
  user: UpstreamUser | null = null;
  readonly reader = new ResponseReader();
  isConnected = false;
  isClosed = false;
  /** Requests served so far. */
  uses = 0;
  idleSince = 0;

  constructor(readonly pool: RawPool, readonly socket: Socket) {}

  connected(): void {
    this.isConnected = true;
    this.socket.setTimeout(0);
    this.socket.off("timeout", onUpTimeout);
    const u = this.user;
    if (u !== null) u.gotConnection(this, false);
    else this.pool.release(this, Date.now());
  }

  data(buf: Buffer, n: number): void {
    if (this.user === null) {
      // An idle connection has nothing to say; anything it says makes it unusable.
      this.socket.destroy();
      return;
    }
    this.reader.feed(buf, n);
  }

  ended(): void {
    // Not half-open: the socket closes right after; a close-delimited body ends here.
    if (this.user === null) return;
    if (this.reader.nothingYet) {
      this.socket.destroy();
      this.lost(null);
      return;
    }
    this.reader.eof();
  }

  failed(err: Error): void {
    this.socket.destroy();
    this.lost(err);
  }

  closed(): void {
    this.lost(null);
  }

  private lost(err: Error | null): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const untouched = this.reader.nothingYet;
    this.reader.detach();
    const u = this.user;
    this.user = null;
    const wasConnected = this.isConnected;
    this.pool.forget(this);
    if (u === null) return;
    if (wasConnected) u.connectionLost(err, untouched);
    else u.connectFailed(err ?? new Error("connection closed while connecting"));
  }

  /** The user is done with it and it cannot be reused (or the user gave up mid-response). */
  destroy(): void {
    this.user = null;
    this.reader.detach();
    this.socket.destroy();
  }
}

export class RawPool {
  private readonly idle: UpConn[] = [];
  private readonly waiting: UpstreamUser[] = [];
  private total = 0;
  private closed = false;
  /** In the idle sweep's set. */
  swept = false;
  readonly host: string;
  readonly port: number;
  private readonly connectTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly max: number;

  constructor(ep: Endpoint, settings: ProxySettings) {
    this.host = ep.address;
    this.port = ep.port;
    this.connectTimeoutMs = settings.upstreamConnectTimeoutMs;
    this.idleTimeoutMs = settings.upstreamIdleTimeoutMs;
    this.max = Math.max(1, settings.maxConnectionsPerEndpoint);
  }

  /** A connection for `user`: an idle one now, a new one once connected, or the next free one. `fresh`: not an idle one. */
  acquire(user: UpstreamUser, fresh: boolean): void {
    if (this.closed) {
      user.connectFailed(new Error("upstream pool closed"));
      return;
    }
    if (!fresh) {
      const idle = this.idle;
      while (idle.length > 0) {
        const up = idle.pop()!;
        if (up.isClosed) continue;
        up.user = user;
        up.uses++;
        user.gotConnection(up, true);
        return;
      }
    }
    if (this.total < this.max) {
      this.open(user);
      return;
    }
    if (fresh && this.idle.length > 0) {
      // At the limit with idle connections: trade one for a new one.
      this.idle.shift()!.destroy();
      this.open(user);
      return;
    }
    this.waiting.push(user);
  }

  /** Gives up waiting for a connection (timed out, client gone). */
  cancel(user: UpstreamUser): void {
    const i = this.waiting.indexOf(user);
    if (i >= 0) this.waiting.splice(i, 1);
  }

  private open(user: UpstreamUser): void {
    this.total++;
    const socket = connect({
      host: this.host,
      port: this.port,
      noDelay: true,
      onread: { buffer: READ_BUFFER, callback: onUpRead as unknown as (n: number, buf: Uint8Array) => boolean },
    }) as UpSocket;
    const up = new UpConn(this, socket);
    up.user = user;
    up.uses = 1;
    socket[kUp] = up;
    socket.setTimeout(this.connectTimeoutMs);
    socket.on("timeout", onUpTimeout);
    socket.once("connect", onUpConnect);
    socket.on("end", onUpEnd);
    socket.on("error", onUpError);
    socket.on("close", onUpClose);
    socket.on("drain", onUpDrain);
  }

  /** The response was complete and the connection may serve another request. */
  release(up: UpConn, now: number): void {
    up.user = null;
    if (this.closed || up.isClosed) {
      up.socket.destroy();
      return;
    }
    const next = this.waiting.length > 0 ? this.waiting.shift() : undefined;
    if (next !== undefined) {
      up.user = next;
      up.uses++;
      next.gotConnection(up, true);
      return;
    }
    up.idleSince = now;
    this.idle.push(up);
    if (!this.swept) sweepLater(this);
  }

  /** A connection closed: its slot is free. */
  forget(up: UpConn): void {
    this.total--;
    const i = this.idle.indexOf(up);
    if (i >= 0) this.idle.splice(i, 1);
    if (!this.closed && this.waiting.length > 0 && this.total < this.max) this.open(this.waiting.shift()!);
  }

  /** Closes idle connections past the idle timeout; true while some remain idle. */
  sweep(now: number): boolean {
    const idle = this.idle;
    const limit = now - this.idleTimeoutMs;
    while (idle.length > 0 && idle[0]!.idleSince <= limit) idle.shift()!.destroy();
    return idle.length > 0;
  }

  /** The endpoint is released: close idle connections now, busy ones when their request ends. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const idle = this.idle.splice(0);
    for (const up of idle) up.destroy();
    const waiting = this.waiting.splice(0);
    for (const u of waiting) u.connectFailed(new Error("upstream pool closed"));
  }
}

// One sweep for every pool with idle connections.
const sweeping = new Set<RawPool>();
let sweepTimer: NodeJS.Timeout | null = null;
const SWEEP_MS = 1000;

function sweepLater(pool: RawPool): void {
  pool.swept = true;
  sweeping.add(pool);
  if (sweepTimer === null) {
    sweepTimer = setInterval(sweepPools, SWEEP_MS);
    sweepTimer.unref();
  }
}

function sweepPools(): void {
  const now = Date.now();
  for (const p of sweeping) {
    if (!p.sweep(now)) {
      p.swept = false;
      sweeping.delete(p);
    }
  }
  if (sweeping.size === 0 && sweepTimer !== null) {
    clearInterval(sweepTimer);
    sweepTimer = null;
  }
}

/** The endpoint's raw pool, created on first use and closed with the endpoint. */
export function rawPool(ep: Endpoint, settings: ProxySettings): RawPool {
  let p = ep.rawPool as RawPool | null;
  if (p === null) {
    p = new RawPool(ep, settings);
    ep.rawPool = p;
  }
  return p;
}
