// Joins a client and an upstream socket: raw piping both ways (backpressure from pipe()),
// half-close passed through (a FIN ends the other side's writing only). No per-chunk work of
// ours (the idle timeout is a sweep, see idle-sweep.ts) and no per-connection closures: the
// handlers are shared and find the other side through PEER.
import type { Duplex } from "node:stream";
import type { Socket } from "node:net";

const PEER = Symbol("l4.peer");
type Peered = Duplex & { [PEER]?: Duplex };

/**
 * Pipes `client` ⇄ `upstream`. The sockets must have been created with allowHalfOpen: a FIN
 * from one side ends the other's writing, the connection closes when both directions have.
 */
export function splice(client: Socket, upstream: Socket): void {
  (client as Peered)[PEER] = upstream;
  (upstream as Peered)[PEER] = client;
  client.on("error", onError);
  upstream.on("error", onError);
  client.on("close", onClose);
  upstream.on("close", onClose);
  upstream.pipe(client);
  client.pipe(upstream);
}

/** The peer of a spliced socket (undefined before splice). */
export function peerOf(s: Duplex): Duplex | undefined {
  return (s as Peered)[PEER];
}

function onError(this: Peered): void {
  this.destroy();
  this[PEER]?.destroy();
}

/** Closed before its read side ended (reset, destroyed): the other side cannot finish either. */
function onClose(this: Peered): void {
  if (!this.readableEnded) this[PEER]?.destroy();
}
