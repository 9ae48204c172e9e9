import test from "ava";
import type { StatusUpdate } from "@gatehouse/status";
import { ProgrammedClock } from "../src/run/programmed-clock.js";

const gw = (name: string, programmed: boolean, generation = 1): StatusUpdate => ({
  kind: "Gateway", namespace: "ns", name, generation,
  status: { conditions: [{ type: "Accepted", status: "True" }, { type: "Programmed", status: programmed ? "True" : "False" }] },
} as unknown as StatusUpdate);
const ours = (k: string) => (k.startsWith("ns/") ? "gatehouse.dev/gcp" : undefined);

test("time from the first not-programmed sighting to Programmed=True, per Gateway", (t) => {
  const c = new ProgrammedClock();
  t.deepEqual(c.observe([gw("a", false), gw("b", false)], ours, 1_000), []);
  t.deepEqual(c.waiting(4_000).get("gatehouse.dev/gcp"), { count: 2, oldestSeconds: 3 });
  t.deepEqual(c.observe([gw("a", false), gw("b", false)], ours, 5_000), [], "still waiting: the start is kept");
  t.deepEqual(c.observe([gw("a", true), gw("b", false)], ours, 8_500), [{ controller: "gatehouse.dev/gcp", seconds: 7.5 }]);
  t.deepEqual(c.observe([gw("a", true), gw("b", true)], ours, 9_000), [{ controller: "gatehouse.dev/gcp", seconds: 8 }]);
  t.is(c.waiting(9_000).size, 0);
});

test("a new generation restarts the measurement; programmed at first sight or not ours: nothing; a deleted Gateway is forgotten", (t) => {
  const c = new ProgrammedClock();
  c.observe([gw("a", false, 1), gw("other", false)], (k) => (k === "ns/a" ? "x.dev/y" : undefined), 0);
  c.observe([gw("a", false, 2)], (k) => (k === "ns/a" ? "x.dev/y" : undefined), 10_000);
  t.deepEqual(c.observe([gw("a", true, 2)], () => "x.dev/y", 12_000), [{ controller: "x.dev/y", seconds: 2 }]);
  t.deepEqual(c.observe([gw("b", true)], () => "x.dev/y", 13_000), []);
  c.observe([gw("c", false)], () => "x.dev/y", 14_000);
  c.observe([], () => "x.dev/y", 15_000);
  t.is(c.waiting(15_000).size, 0);
});
