// Joins a client and an upstream socket: the byte pump of TCP and TLS passthrough (and of TLS
// terminate, whose client is the TLSSocket). Bytes read on one side are written on the other
// at the end of the event-loop round, large reads at once (write-round.ts). A full write
// buffer pauses the reading side until it drains, so a slow reader never makes the proxy
// hold more than about ROUND_LIMIT + one read + the socket's write highWaterMark per
// direction. Half-close is passed through (a FIN ends the other side's writing only, after
// what was read before it); an error or a reset on either side destroys both.
//
// The upstream socket is read into one shared buffer (net.connect's `onread`, see
// upstream-connect.ts) and each read copied out once; the client socket (accepted by the
// server, which has no `onread`) delivers `data` events. No per-chunk closures, timers or
// counters (the idle timeout is a sweep over bytesRead, see idle-sweep.ts): the handlers are
// shared and find their leg through a symbol on the socket.
import type { Socket } from "node:net";
import { drained, flushRound, relay, writeLater, type Leg } from "./write-round.js";

const PEER = Symbol("l4.peer");
/** The leg this socket reads for. */
const OUT = Symbol("l4.out");
/** The leg this socket writes for. */
const IN = Symbol("l4.in");
/** Upstream reads that arrived before the splice (copied; normally none). */
const EARLY = Symbol("l4.early");

type Spliced = Socket & { [PEER]?: Socket; [OUT]?: Leg; [IN]?: Leg; [EARLY]?: Buffer[] };

/**
 * Pumps `client` ⇄ `upstream`. Both sockets must have been created with allowHalfOpen (a FIN
 * from one side ends the other's writing; the connection closes when both directions have);
 * `upstream` must read through `onUpstreamRead` (net.connect's onread). The client may be
 * paused (it is resumed here).
 */
export function splice(client: Socket, upstream: Socket): void {
  const c = client as Spliced;
  const u = upstream as Spliced;
  c[PEER] = upstream;
  u[PEER] = client;
  const up: Leg = { src: client, dst: upstream, queued: 0, held: false, blocked: false };
  const down: Leg = { src: upstream, dst: client, queued: 0, held: false, blocked: false };
  c[OUT] = up;
  u[IN] = up;
  u[OUT] = down;
  c[IN] = down;
  client.on("data", onClientData);
  client.on("end", onEnd);
  upstream.on("end", onEnd);
  client.on("drain", onDrain);
  upstream.on("drain", onDrain);
  client.on("error", onError);
  upstream.on("error", onError);
  client.on("close", onClose);
  upstream.on("close", onClose);
  const early = u[EARLY];
  if (early) {
    u[EARLY] = undefined;
    for (const chunk of early) writeLater(down, chunk);
  }
  client.resume();
}

/** The peer of a spliced socket (undefined before splice). */
export function peerOf(s: Socket): Socket | undefined {
  return (s as Spliced)[PEER];
}

/** Shared read buffer of every upstream socket in this thread (reads are copied out at once). */
export const UPSTREAM_READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** net.connect's `onread.callback` for upstream sockets (`this` is the socket). */
export function onUpstreamRead(this: Socket, n: number, buf: Buffer): boolean {
  const chunk = Buffer.allocUnsafe(n);
  buf.copy(chunk, 0, 0, n);
  const s = this as Spliced;
  const leg = s[OUT];
  if (leg) relay(leg, chunk);
  else (s[EARLY] ??= []).push(chunk);
  return true;
}

function onClientData(this: Spliced, chunk: Buffer): void {
  const leg = this[OUT];
  if (leg) relay(leg, chunk);
}

/** FIN from this side: what was read before it goes out first, then the peer's writing ends. */
function onEnd(this: Spliced): void {
  flushRound();
  this[PEER]?.end();
}

function onDrain(this: Spliced): void {
  const leg = this[IN];
  if (leg) drained(leg);
}

/** Either side failing ends both; what was read from it before goes out first. */
function onError(this: Spliced): void {
  this.destroy();
  flushRound();
  this[PEER]?.destroy();
}

/** Closed before its read side ended (reset, destroyed): the other side cannot finish either. */
function onClose(this: Spliced): void {
  if (this.readableEnded) return;
  flushRound();
  this[PEER]?.destroy();
}
