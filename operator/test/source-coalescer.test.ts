// The coalescer on a virtual clock: every assertion is about order and counts, never about
// how long something took.
import test from "ava";
import { Coalescer, type Scheduler } from "../src/kube/source/index.js";

/** A virtual clock: timers run only when advance() passes their due time. */
class VirtualScheduler implements Scheduler {
  private t = 0;
  private seq = 0;
  private timers = new Map<number, { due: number; fn: () => void }>();
  now() { return this.t; }
  setTimeout(fn: () => void, ms: number) {
    const id = ++this.seq;
    this.timers.set(id, { due: this.t + ms, fn });
    return id;
  }
  clearTimeout(h: unknown) { this.timers.delete(h as number); }
  get pendingTimers() { return this.timers.size; }
  advance(ms: number) {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { due: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].due <= end && (!next || e[1].due < next[1].due)) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = next[1].due;
      next[1].fn();
    }
    this.t = end;
  }
}

function setup(debounceMs = 100, maxWaitMs = 500) {
  const clock = new VirtualScheduler();
  const fired: number[] = [];
  const c = new Coalescer(() => fired.push(clock.now()), { debounceMs, maxWaitMs, scheduler: clock });
  return { clock, fired, c };
}

test("after a quiet period one event fires at once (next tick), and only once", (t) => {
  const { clock, fired, c } = setup();
  c.poke();
  t.deepEqual(fired, [], "not synchronously: the rest of the watch chunk rides along");
  clock.advance(0);
  t.deepEqual(fired, [0]);
  clock.advance(10_000);
  t.deepEqual(fired, [0]);
  t.is(clock.pendingTimers, 0);
});

test("events in the same tick as the leading one ride along with it", (t) => {
  const { clock, fired, c } = setup();
  c.poke(); c.poke(); c.poke();
  clock.advance(1_000);
  t.deepEqual(fired, [0]);
});

test("a burst: the first event fires at once, the rest once, debounce after the last", (t) => {
  const { clock, fired, c } = setup();
  for (let i = 0; i < 5; i++) {
    c.poke();
    clock.advance(30);
  }
  // pokes at 0 (leading), 30, 60, 90, 120 → trailing at 220
  clock.advance(1_000);
  t.deepEqual(fired, [0, 220]);
});

test("a continuous stream still fires every maxWait", (t) => {
  const { clock, fired, c } = setup();
  for (let i = 0; i < 100; i++) { // one event every 50 ms for 5 s
    c.poke();
    clock.advance(50);
  }
  clock.advance(1_000);
  // leading at 0; the burst from 50 fires at its max wait (550); the event at 550 starts the next (1050), …
  t.deepEqual(fired, [0, 550, 1050, 1550, 2050, 2550, 3050, 3550, 4050, 4550, 5050]);
});

test("an event within debounce of a fire waits for the debounce; a later one fires at once again", (t) => {
  const { clock, fired, c } = setup();
  c.poke();
  clock.advance(50);
  c.poke(); // 50 ms after the fire at 0: debounced → 150
  clock.advance(400);
  c.poke(); // 450: quiet for 300 ms → at once
  clock.advance(1_000);
  t.deepEqual(fired, [0, 150, 450]);
});

test("close drops the pending call and ignores later events", (t) => {
  const { clock, fired, c } = setup();
  c.poke();
  t.true(c.pending);
  c.close();
  t.false(c.pending);
  c.poke();
  clock.advance(10_000);
  t.deepEqual(fired, []);
  t.is(clock.pendingTimers, 0);
});

test("an event fired from the callback is not lost", (t) => {
  const clock = new VirtualScheduler();
  let n = 0;
  const c: Coalescer = new Coalescer(() => {
    if (++n === 1) c.poke();
  }, { scheduler: clock });
  c.poke();
  clock.advance(1_000);
  t.is(n, 2);
});
