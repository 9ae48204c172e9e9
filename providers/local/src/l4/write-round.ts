// The byte pump's writes, held while the event loop handles a round of socket events and
// flushed together once the round is over (setImmediate). A round first reads every socket
// that has data, then writes: the peers (clients, upstreams) are woken once per round with
// several sockets ready instead of once per chunk, which is most of the CPU a small-message
// relay spends (wrk through a TCPRoute, 50 connections: ~24 → ~20 µs per request, see
// bench/). Order per socket is kept: every byte the pump writes goes through here, and a
// FIN or a destroy flushes first.
import type { Socket } from "node:net";

/** One direction of a spliced connection: what is read from `src` is written to `dst`. */
export interface Leg {
  readonly src: Socket;
  readonly dst: Socket;
  /** Bytes held for `dst` in this round. */
  queued: number;
  /** `src` paused because a round's worth is held for `dst`. */
  held: boolean;
  /** `src` paused until `dst` drains (its write buffer is full). */
  blocked: boolean;
}

/**
 * Bytes held for one leg in a round before its source is paused (resumed after the flush).
 * Bounds what one connection can hold here between two flushes: this plus one read.
 */
export const ROUND_LIMIT = 64 * 1024;

// Two sets of arrays, swapped on each flush (no allocation per round).
let legs: Leg[] = [];
let chunks: Buffer[] = [];
let spareLegs: Leg[] = [];
let spareChunks: Buffer[] = [];
let scheduled = false;
let flushing = false;

function onImmediate(): void {
  scheduled = false;
  flushRound();
}

/**
 * A chunk this large is written at once when nothing is held for its leg: bulk transfers gain
 * nothing from waiting for the round (their peer is busy anyway) and lose the overlap of
 * reading and sending.
 */
export const WRITE_NOW_BYTES = 16 * 1024;

/** Writes `chunk` on `leg.dst`: at once if it is large and nothing is held before it, else at the end of the round. */
export function relay(leg: Leg, chunk: Buffer): void {
  if (chunk.length < WRITE_NOW_BYTES || leg.queued !== 0) {
    writeLater(leg, chunk);
    return;
  }
  const dst = leg.dst;
  if (!dst.destroyed && dst.writable && !dst.write(chunk) && !leg.blocked) {
    leg.blocked = true;
    leg.src.pause();
  }
}

/** Writes `chunk` on `leg.dst` at the end of this round of events. */
export function writeLater(leg: Leg, chunk: Buffer): void {
  legs.push(leg);
  chunks.push(chunk);
  leg.queued += chunk.length;
  if (leg.queued >= ROUND_LIMIT && !leg.held) {
    leg.held = true;
    leg.src.pause();
  }
  if (!scheduled) {
    scheduled = true;
    setImmediate(onImmediate);
  }
}

/** Writes everything held, now (before a FIN is passed on, and at the end of a round). */
export function flushRound(): void {
  const n = legs.length;
  // Writes emit nothing synchronously, so a flush cannot start inside another; if one did,
  // the outer one is still writing in order.
  if (n === 0 || flushing) return;
  flushing = true;
  // Swapped out first: whatever is held while these are written waits for the next flush.
  const ls = legs;
  const cs = chunks;
  legs = spareLegs;
  chunks = spareChunks;
  try {
    for (let i = 0; i < n; i++) {
      const leg = ls[i]!;
      const chunk = cs[i]!;
      leg.queued -= chunk.length;
      const dst = leg.dst;
      if (!dst.destroyed && dst.writable && !dst.write(chunk) && !leg.blocked) {
        leg.blocked = true;
        leg.src.pause();
      }
      if (leg.queued === 0 && leg.held) {
        leg.held = false;
        if (!leg.blocked && !leg.src.destroyed) leg.src.resume();
      }
    }
  } finally {
    ls.length = 0;
    cs.length = 0;
    spareLegs = ls;
    spareChunks = cs;
    flushing = false;
  }
}

/** `leg.dst` drained: its source may read again (unless a round's worth is still held). */
export function drained(leg: Leg): void {
  if (!leg.blocked) return;
  leg.blocked = false;
  if (!leg.held && !leg.src.destroyed) leg.src.resume();
}
