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

test("one event fires once, debounce after it", (t) => {
  const { clock, fired, c } = setup();
  c.poke();
  clock.advance(99);
  t.deepEqual(fired, []);
  clock.advance(1);
  t.deepEqual(fired, [100]);
  clock.advance(10_000);
  t.deepEqual(fired, [100]);
  t.is(clock.pendingTimers, 0);
});

test("a burst fires once, debounce after its last event", (t) => {
  const { clock, fired, c } = setup();
  for (let i = 0; i < 5; i++) {
    c.poke();
    clock.advance(30);
  }
  // last poke at 120
  clock.advance(1_000);
  t.deepEqual(fired, [220]);
});

test("a continuous stream still fires every maxWait", (t) => {
  const { clock, fired, c } = setup();
  for (let i = 0; i < 100; i++) { // one event every 50 ms for 5 s
    c.poke();
    clock.advance(50);
  }
  clock.advance(1_000);
  t.deepEqual(fired, [500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000]);
});

test("events after a flush start a new burst", (t) => {
  const { clock, fired, c } = setup();
  c.poke();
  clock.advance(200);
  c.poke();
  clock.advance(200);
  t.deepEqual(fired, [100, 300]);
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
