// Weighted backends: smooth weighted round robin, exact over every cycle, state kept across reloads.
import test from "ava";
import { createRouter } from "../src/http/router/index.js";
import type { Router } from "../src/http/router/types.js";
import { BASE, HTTP_GATEWAY, boundPort, httpRoute, req } from "./fixtures/router-world.js";

function port(weights: Record<string, number>, extraRule = "") {
  const refs = Object.entries(weights).map(([name, weight]) => `{ name: ${name}, port: 80, weight: ${weight} }`).join(", ");
  return boundPort(BASE + "---" + HTTP_GATEWAY + "---" + httpRoute("split", `
  rules:
  - matches: [{ path: { type: PathPrefix, value: / } }, { path: { type: PathPrefix, value: /other } }]
    backendRefs: [${refs}]
${extraRule}`));
}

function picks(r: Router, n: number, url = "/"): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = r.decide(req({ url }));
    out.push(d.type === "forward" ? d.target.backend.name : String(d.status));
  }
  return out;
}

function count(names: string[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const n of names) c[n] = (c[n] ?? 0) + 1;
  return c;
}

test("90/10 over 1000 requests is exactly 900/100", (t) => {
  t.deepEqual(count(picks(createRouter(port({ v1: 90, v2: 10 })), 1000)), { v1: 900, v2: 100 });
});

test("every cycle is exact and interleaved smoothly (5/3/2: no backend twice in a row more than needed)", (t) => {
  const seq = picks(createRouter(port({ v1: 5, v2: 3, v3: 2 })), 100);
  for (let i = 0; i < 100; i += 10) t.deepEqual(count(seq.slice(i, i + 10)), { v1: 5, v2: 3, v3: 2 });
  t.deepEqual(seq.slice(0, 10), ["v1", "v2", "v3", "v1", "v1", "v2", "v1", "v3", "v2", "v1"]);
});

test("weight 0 is never picked", (t) => {
  t.deepEqual(count(picks(createRouter(port({ v1: 0, v2: 1, v3: 0 })), 50)), { v2: 50 });
});

test("the matches of one rule share one picker", (t) => {
  const r = createRouter(port({ v1: 1, v2: 1 }));
  t.deepEqual([...picks(r, 1, "/"), ...picks(r, 1, "/other/x")], ["v1", "v2"]);
});

test("createRouter(port, previous) keeps a rule's picker state when its backends and weights are unchanged", (t) => {
  const first = createRouter(port({ v1: 1, v2: 1 }));
  t.deepEqual(picks(first, 1), ["v1"]);
  // Another rule changes; this rule's list does not: the cycle continues.
  const second = createRouter(port({ v1: 1, v2: 1 }, `  - matches: [{ path: { type: Exact, value: /new } }]\n    backendRefs: [{ name: v3, port: 80 }]`), first);
  t.deepEqual(picks(second, 3), ["v2", "v1", "v2"]);
  // Across many reloads the split stays exact.
  let r: Router = createRouter(port({ v1: 90, v2: 10 }));
  const all: string[] = [];
  for (let i = 0; i < 37; i++) {
    all.push(...picks(r, 27));
    r = createRouter(port({ v1: 90, v2: 10 }), r);
  }
  all.push(...picks(r, 1000 - all.length));
  t.deepEqual(count(all), { v1: 900, v2: 100 });
});

test("changed weights or backends start a fresh cycle", (t) => {
  const first = createRouter(port({ v1: 1, v2: 1 }));
  t.deepEqual(picks(first, 1), ["v1"]);
  t.deepEqual(picks(createRouter(port({ v1: 2, v2: 2 }), first), 2), ["v1", "v2"]);
  t.deepEqual(picks(createRouter(port({ v1: 1, v3: 1 }), first), 2), ["v1", "v3"]);
});
