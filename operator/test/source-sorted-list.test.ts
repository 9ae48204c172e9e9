// patched() gives exactly what a full sort would, over random change sequences, and never
// touches the arrays an earlier snapshot holds.
import test from "ava";
import { patched, sortedFrom } from "../src/kube/source/sorted-list.js";

/** Deterministic PRNG (mulberry32) so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

test("patched equals a full sort after random adds, updates and deletes", (t) => {
  for (let seed = 1; seed <= 200; seed++) {
    const r = rng(seed);
    const key = () => `ns-${Math.floor(r() * 4)}/n-${Math.floor(r() * 30)}`;
    const truth = new Map<string, object>();
    for (let i = 0; i < 20; i++) truth.set(key(), {});
    let list = sortedFrom(truth);
    for (let step = 0; step < 10; step++) {
      const changed = new Set<string>();
      for (let i = Math.floor(r() * 6); i > 0; i--) {
        const k = key();
        if (r() < 0.4) truth.delete(k);
        else truth.set(k, {});
        changed.add(k);
      }
      const before = { keys: [...list.keys], values: [...list.values] };
      const old = list;
      list = patched(list, changed, (k) => truth.get(k));
      t.deepEqual(old.keys, before.keys, `seed ${seed}: input keys untouched`);
      t.deepEqual(old.values, before.values);
      const full = sortedFrom(truth);
      t.deepEqual(list.keys, full.keys, `seed ${seed} step ${step}`);
      list.values.forEach((v, i) => { if (v !== full.values[i]) t.fail(`seed ${seed} step ${step}: identity at ${i}`); });
    }
  }
});

test("order is code-unit order of namespace/name, like normalizeSnapshot", (t) => {
  const l = sortedFrom<number>([["b/a", 1], ["a-b/x", 2], ["a/z", 3], ["A/z", 4]]);
  t.deepEqual(l.keys, ["A/z", "a-b/x", "a/z", "b/a"]);
});
