// The L4 byte pump's write round with fake sockets: writes wait for the end of the round and
// keep their order, a full destination pauses its source until it drains, a round's worth of
// held bytes pauses the source until the flush, destroyed destinations are skipped; a large
// chunk goes out at once unless something is held before it.
import test from "ava";
import type { Socket } from "node:net";
import { drained, flushRound, relay, ROUND_LIMIT, WRITE_NOW_BYTES, writeLater, type Leg } from "../src/l4/write-round.js";

class FakeSocket {
  written: Buffer[] = [];
  paused = false;
  pauses = 0;
  resumes = 0;
  destroyed = false;
  writable = true;
  /** write() answers false (buffer full) while this is set. */
  full = false;
  write(b: Buffer): boolean {
    this.written.push(b);
    return !this.full;
  }
  pause(): this {
    this.paused = true;
    this.pauses++;
    return this;
  }
  resume(): this {
    this.paused = false;
    this.resumes++;
    return this;
  }
  text(): string {
    return Buffer.concat(this.written).toString();
  }
}

function leg(src: FakeSocket, dst: FakeSocket): Leg {
  return { src: src as unknown as Socket, dst: dst as unknown as Socket, queued: 0, held: false, blocked: false };
}

const nextRound = (): Promise<void> => new Promise((r) => setImmediate(r));

test("writes are held until the end of the round, then written in order", async (t) => {
  const a = new FakeSocket();
  const b = new FakeSocket();
  const x = new FakeSocket();
  const ab = leg(x, a);
  const bb = leg(x, b);
  writeLater(ab, Buffer.from("1"));
  writeLater(bb, Buffer.from("x"));
  writeLater(ab, Buffer.from("2"));
  t.is(a.written.length, 0);
  await nextRound();
  t.is(a.text(), "12");
  t.is(b.text(), "x");
  t.is(ab.queued, 0);
  t.false(x.paused);
});

test("flushRound writes at once (before a FIN is passed on)", (t) => {
  const src = new FakeSocket();
  const dst = new FakeSocket();
  writeLater(leg(src, dst), Buffer.from("now"));
  flushRound();
  t.is(dst.text(), "now");
});

test("a full destination pauses the source until it drains", (t) => {
  const src = new FakeSocket();
  const dst = new FakeSocket();
  const l = leg(src, dst);
  dst.full = true;
  writeLater(l, Buffer.from("a"));
  writeLater(l, Buffer.from("b"));
  flushRound();
  t.is(dst.text(), "ab"); // held bytes still go out (Node buffers them), nothing is dropped
  t.true(l.blocked);
  t.true(src.paused);
  t.is(src.pauses, 1);
  dst.full = false;
  drained(l);
  t.false(l.blocked);
  t.false(src.paused);
  drained(l); // a second drain changes nothing
  t.is(src.resumes, 1);
});

test("a round's worth held for one destination pauses the source until the flush", (t) => {
  const src = new FakeSocket();
  const dst = new FakeSocket();
  const l = leg(src, dst);
  const chunk = Buffer.alloc(ROUND_LIMIT / 4);
  for (let i = 0; i < 3; i++) writeLater(l, chunk);
  t.false(src.paused);
  writeLater(l, chunk);
  t.true(src.paused);
  t.true(l.held);
  flushRound();
  t.false(l.held);
  t.false(src.paused);
  t.is(dst.written.length, 4);
});

test("held and full: the source stays paused until the destination drains", (t) => {
  const src = new FakeSocket();
  const dst = new FakeSocket();
  const l = leg(src, dst);
  dst.full = true;
  writeLater(l, Buffer.alloc(ROUND_LIMIT));
  t.true(src.paused);
  flushRound();
  t.true(src.paused);
  t.is(src.resumes, 0);
  drained(l);
  t.false(src.paused);
  t.is(src.resumes, 1);
});

test("a destroyed or ended destination is skipped; the others are written", (t) => {
  const src = new FakeSocket();
  const gone = new FakeSocket();
  const ended = new FakeSocket();
  const ok = new FakeSocket();
  gone.destroyed = true;
  ended.writable = false;
  writeLater(leg(src, gone), Buffer.from("x"));
  writeLater(leg(src, ended), Buffer.from("y"));
  writeLater(leg(src, ok), Buffer.from("z"));
  flushRound();
  t.is(gone.written.length, 0);
  t.is(ended.written.length, 0);
  t.is(ok.text(), "z");
});

test("relay: a small chunk waits for the round; a large one goes out at once; after held bytes, a large one waits too", (t) => {
  const src = new FakeSocket();
  const dst = new FakeSocket();
  const l = leg(src, dst);
  const big = Buffer.alloc(WRITE_NOW_BYTES, "b");
  relay(l, big);
  t.is(dst.written.length, 1); // nothing held before it: written now
  relay(l, Buffer.from("s"));
  t.is(dst.written.length, 1); // small: held
  relay(l, big);
  t.is(dst.written.length, 1); // large, but after a held chunk: held to keep the order
  flushRound();
  t.deepEqual(dst.written.map((b) => b.length), [WRITE_NOW_BYTES, 1, WRITE_NOW_BYTES]);
  t.is(dst.written[1]!.toString(), "s");
});

test("relay: a large chunk into a full destination pauses the source until it drains", (t) => {
  const src = new FakeSocket();
  const dst = new FakeSocket();
  const l = leg(src, dst);
  dst.full = true;
  relay(l, Buffer.alloc(WRITE_NOW_BYTES));
  t.true(l.blocked);
  t.true(src.paused);
  drained(l);
  t.false(src.paused);
});
