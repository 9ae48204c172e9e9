// Writes made while the event loop handles a round of socket events are held and flushed
// together once the round is over (setImmediate). The peers (clients, upstreams) then find
// several answers at once instead of being woken for each. On a busy proxy this cuts the CPU
// per request by a third and lowers latency (wrk, 50 connections, one worker: the fast path
// went from ~43 to ~29 µs of CPU per request, 24k to 30k req/s; a bare Node socket relay from
// 30k to 45k req/s, p50 1.5 to 1.0 ms). Order per socket is kept: every write of a socket
// that can have held bytes goes through here; ending or handing over a socket flushes first.
import type { Socket } from "node:net";

/** Told when a flushed write found the socket's buffer full (backpressure). */
export interface WriteOwner {
  writeBlocked(): void;
}

const sockets: Socket[] = [];
const data: Buffer[] = [];
const owners: (WriteOwner | null)[] = [];
let scheduled = false;

function onImmediate(): void {
  scheduled = false;
  flushWrites();
}

/** Writes `chunk` on `socket` at the end of this round of events. */
export function writeLater(socket: Socket, chunk: Buffer, owner: WriteOwner | null): void {
  sockets.push(socket);
  data.push(chunk);
  owners.push(owner);
  if (!scheduled) {
    scheduled = true;
    setImmediate(onImmediate);
  }
}

/** Writes everything held, now (before a socket is ended or handed over, and at the end of a round). */
export function flushWrites(): void {
  const n = sockets.length;
  if (n === 0) return;
  for (let i = 0; i < n; i++) {
    const s = sockets[i]!;
    if (s.destroyed || !s.writable) continue;
    if (!s.write(data[i]!)) owners[i]?.writeBlocked();
  }
  if (sockets.length === n) {
    sockets.length = 0;
    data.length = 0;
    owners.length = 0;
  } else {
    // Writes queued meanwhile (by a writeBlocked()) stay for the next flush.
    sockets.splice(0, n);
    data.splice(0, n);
    owners.splice(0, n);
  }
}
