// Property tests for the whole core: random and mutated object sets never make compute()
// throw, never make it mutate its input, and the output does not depend on input order.
import test from "ava";
import fc from "fast-check";
import { snapshotFromObjects, type Capabilities } from "@gatehouse/model";
import { compute } from "../src/index.js";
import { PRESETS } from "./presets.js";
import { mutatedObjectSet, objectSet } from "./arbitraries.js";

const NOW = "2025-01-01T00:00:00Z";
const NUM_RUNS = 200;
const controllers = fc.subarray(Object.values(PRESETS), { minLength: 1 });

function run(objects: readonly unknown[], caps: Capabilities[]): string {
  const { snapshot } = snapshotFromObjects(objects);
  const out = compute({ snapshot, controllers: structuredClone(caps), now: NOW });
  return JSON.stringify({ statuses: out.statuses, desiredState: out.desired });
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === "object" && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

test("plausible object sets never make compute() throw", (t) => {
  fc.assert(fc.property(objectSet, controllers, (objects, caps) => void run(objects, caps)), { numRuns: NUM_RUNS });
  t.pass();
});

test("mutated object sets (deleted fields, wrong types, nulls) never make compute() throw", (t) => {
  fc.assert(fc.property(mutatedObjectSet, controllers, (objects, caps) => void run(objects, caps)), { numRuns: NUM_RUNS });
  t.pass();
});

test("compute() does not mutate its input (deep-frozen objects work)", (t) => {
  fc.assert(
    fc.property(fc.oneof(objectSet, mutatedObjectSet), controllers, (objects, caps) => {
      const { snapshot } = snapshotFromObjects(objects);
      compute({ snapshot: deepFreeze(snapshot), controllers: deepFreeze(structuredClone(caps)), now: NOW });
    }),
    { numRuns: NUM_RUNS },
  );
  t.pass();
});

test("output is identical for any permutation of the input list", (t) => {
  const withPermutation = fc.oneof(objectSet, mutatedObjectSet).chain((objects) =>
    fc.tuple(fc.constant(objects), fc.shuffledSubarray(objects, { minLength: objects.length, maxLength: objects.length })),
  );
  fc.assert(
    fc.property(withPermutation, controllers, ([objects, permuted], caps) => {
      const a = run(objects, caps);
      const b = run(permuted, caps);
      const c = run([...objects].reverse(), caps);
      return a === b && a === c;
    }),
    { numRuns: NUM_RUNS },
  );
  t.pass();
});
