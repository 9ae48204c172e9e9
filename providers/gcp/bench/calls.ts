// Compute call counts for a 20-route scenario against the loopback fake: create, no-op,
// one-rule change, delete (finalize the Gateway). Prints a table per phase and a final JSON
// line. Counts only; no timing.
import type { CallCounts } from "../src/index.js";
import { converge, desiredOf, manyRoutes, provider, startFake } from "../test/fixture.js";

function diff(after: CallCounts, before: CallCounts): CallCounts {
  const byMethod: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.byMethod)) {
    const d = v - (before.byMethod[k] ?? 0);
    if (d > 0) byMethod[k] = d;
  }
  return { total: after.total - before.total, mutating: after.mutating - before.mutating, byMethod };
}

function print(phase: string, c: CallCounts): void {
  console.log(`${phase}: ${c.mutating} mutating, ${c.total} total`);
  for (const k of Object.keys(c.byMethod).sort()) console.log(`  ${k.padEnd(52)} ${c.byMethod[k]}`);
}

const fake = await startFake(99, { operationDelayMs: 10 });
const p = provider(fake);
const objects = manyRoutes(20);
const out: Record<string, CallCounts> = {};
try {
  let mark = p.callCounts();
  const created = await converge(p, desiredOf(objects));
  if (!created.gateways.every((g) => g.programmed)) throw new Error(`not programmed: ${JSON.stringify(created.gateways)}`);
  out["create"] = diff(p.callCounts(), mark);

  mark = p.callCounts();
  await converge(p, desiredOf(objects));
  out["noop"] = diff(p.callCounts(), mark);

  const edited = objects.map((o) => {
    const r = o as { kind: string; metadata: { name: string }; spec: { rules: { filters?: { requestHeaderModifier: { set: { value: string }[] } }[] }[] } };
    if (r.kind !== "HTTPRoute" || r.metadata.name !== "route-7") return o;
    const copy = structuredClone(r);
    copy.spec.rules[0]!.filters![0]!.requestHeaderModifier.set[0]!.value = "changed";
    return copy;
  });
  mark = p.callCounts();
  await converge(p, desiredOf(edited));
  out["oneRule"] = diff(p.callCounts(), mark);

  mark = p.callCounts();
  const fin = await p.finalize({ kind: "Gateway", namespace: "default", name: "web" });
  if (!fin.done || fake.state.paths().length > 0) throw new Error(`delete left ${fake.state.paths().length} resources: ${fin.message}`);
  out["delete"] = diff(p.callCounts(), mark);

  for (const phase of ["create", "noop", "oneRule", "delete"]) print(phase, out[phase]!);
  console.log(JSON.stringify(out));
} finally {
  await p.close();
  await fake.close();
}
