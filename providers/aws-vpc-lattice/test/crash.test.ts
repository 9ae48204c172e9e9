// Crash test: for every k, the controller dies after its k-th mutating call (before the next
// one; or with the k-th call's response lost); a new provider instance with fresh memory and
// only the annotations of the last results it reported converges. The final cloud state must
// equal a clean run's (normalized: ids, ARNs, timestamps aside), nothing leaked, nothing
// duplicated; then finalizing everything leaves the fake without any of our resources. The
// Gateway's service network carries an auth policy (edited in the change scenario).
import test, { type ExecutionContext } from "ava";
import type { DesiredState } from "@gatehouse/ir";
import type { FakeLattice } from "@gatehouse/fake-lattice";
import {
  annotationsOf, authConfigYaml, authPolicy, converge, desiredOf, docs, fake, gateway, gatewayClass, httpRoute, normalized, provider,
  service, simpleRule, tlsRoute, weightedRule, withPassthrough,
} from "./fixtures.js";
import { TAG } from "../src/tags.js";
import type { LatticeProvider } from "../src/provider.js";

class Crash extends Error {}

const base = (c = ["10.0.2.1", "10.0.2.2", "10.0.2.3"], policy = 0) => [gatewayClass(), authConfigYaml(authPolicy("123456789012", policy)), gateway("gw", withPassthrough()),
  service("a", ["10.0.0.1", "10.0.0.2"]), service("b", ["10.0.1.1"]), service("c", c)];

// c's endpoints are a parameter: they change between the crash and the restart in half the runs.
const A = (c?: string[]) => docs(...base(c),
  httpRoute("r1", "gw", `${simpleRule("/", "a")}\n${simpleRule("/x", "b")}`, ["r1.example.com"]),
  httpRoute("r2", "gw", simpleRule("/", "b")),
  httpRoute("r3", "gw", weightedRule("/", [["c", 3], ["a", 1]])),
  tlsRoute("t1", "gw", [["c", 1]], ["t1.example.com"]),
);

// r1 gains a more specific rule (every priority moves), r2 goes, r4 comes, c's endpoints change,
// the TLSRoute splits its traffic, the auth policy changes.
const B = (c = ["10.0.2.1", "10.0.2.4"]) => docs(...base(c, 1),
  httpRoute("r1", "gw", `${simpleRule("/", "a")}\n${simpleRule("/x", "b")}\n${simpleRule("/x/y/z", "c")}`, ["r1.example.com"]),
  httpRoute("r3", "gw", weightedRule("/", [["c", 3], ["a", 1]])),
  httpRoute("r4", "gw", simpleRule("/", "a")),
  tlsRoute("t1", "gw", [["c", 1], ["b", 2]], ["t1.example.com"]),
);

const ROUTES: [string, string][] = [["HTTPRoute", "r1"], ["HTTPRoute", "r2"], ["HTTPRoute", "r3"], ["HTTPRoute", "r4"], ["TLSRoute", "t1"]];

interface Clean { snapshot: unknown; mutating: number; counts: Record<string, number> }

async function cleanRun(from: string | undefined, to: string): Promise<Clean> {
  const lattice = await fake();
  try {
    const p = provider(lattice);
    if (from) await converge(p, desiredOf(from));
    const before = lattice.calls.count({ mutating: true, applied: true });
    await converge(p, desiredOf(to));
    const mutating = lattice.calls.count({ mutating: true, applied: true }) - before;
    await p.close();
    return { snapshot: normalized(lattice), mutating, counts: lattice.state.counts() };
  } finally {
    await lattice.close();
  }
}

/** Converges until a plan is empty (a few rounds: the restarted provider may first learn what exists). */
async function settle(p: LatticeProvider, desired: DesiredState): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await converge(p, desired);
    if ((await p.plan(desired)).changes.length === 0) return;
  }
}

function noDuplicates(t: ExecutionContext, lattice: FakeLattice, label: string): void {
  const seen = new Set<string>();
  for (const r of lattice.state.resources()) {
    if (r.name === undefined) continue;
    const k = `${r.kind}/${r.name}/${r.kind === "rule" || r.kind === "listener" ? r.arn.split("/").slice(0, -2).join("/") : ""}`;
    t.false(seen.has(k), `${label}: duplicate ${k}`);
    seen.add(k);
  }
}

/**
 * `to` is what the crashed instance applied, `after` what the restarted one sees (endpoints may
 * have moved meanwhile), `clean` a clean run to `after`; `crashes` is how many mutating calls a
 * clean run to `to` makes.
 */
async function crashRun(t: ExecutionContext, from: string | undefined, to: string, after: string, k: number, lost: boolean, clean: Clean, crashes: number): Promise<void> {
  const label = `${from ? "A→B" : "∅→A"} k=${k}${lost ? " (response lost)" : ""}${after !== to ? " (endpoints moved before the restart)" : ""}`;
  const lattice = await fake();
  try {
    let annotations: Record<string, Record<string, string | null>> = {};
    if (from) {
      const p0 = provider(lattice);
      annotations = annotationsOf(await converge(p0, desiredOf(from)));
      await p0.close();
    }
    let sent = 0;
    const p1 = provider(lattice, {
      beforeSend: (_op, mutating) => {
        if (!mutating) return;
        if (sent >= k) throw new Crash(`crash after ${k} mutating calls`);
        sent++;
      },
    });
    if (lost) lattice.inject.nth(k, { kind: "error", status: 400, code: "SimulatedCrash", message: "response lost" }, { mutating: true, when: "after" });
    const desired = desiredOf(to, annotations);
    let crashed = false;
    await p1.apply(await p1.plan(desired), desired).catch((e: unknown) => {
      if (!(e instanceof Crash)) throw e;
      crashed = true;
    });
    if (!lost) t.is(crashed, k < crashes, `${label}: the controller crashed mid-apply`);
    await p1.close();
    lattice.inject.clear();

    // Restart: fresh memory, the annotations of the last results the old instance reported.
    const p2 = provider(lattice);
    await settle(p2, desiredOf(after, annotations));
    t.deepEqual(normalized(lattice), clean.snapshot, `${label}: same state as a clean run`);
    t.deepEqual(lattice.state.counts(), clean.counts, `${label}: nothing leaked`);
    noDuplicates(t, lattice, label);

    // Delete everything through finalize.
    for (const [kind, r] of ROUTES) {
      const res = await p2.finalize({ kind, namespace: "default", name: r });
      t.true(res.done, `${label}: finalize ${r}: ${res.message}`);
    }
    const g = await p2.finalize({ kind: "Gateway", namespace: "default", name: "gw" });
    t.true(g.done, `${label}: finalize gw: ${g.message}`);
    t.true(lattice.state.isEmpty({ key: TAG.cluster }), `${label}: no resource of ours left`);
    t.deepEqual(lattice.state.snapshot().authPolicies, {}, `${label}: no auth policy left`);
    await p2.close();
  } finally {
    await lattice.close();
  }
}

const scenarios = [
  // c's endpoints before the crash, then after it (the restarted instance sees the moved ones).
  ["create", undefined, A(), A(["10.0.2.1", "10.0.2.5"])],
  ["change", A(), B(), B(["10.0.2.4", "10.0.2.6"])],
] as const;

for (const [name, from, to, moved] of scenarios) {
  test(`crash after every mutating call of the ${name} converges to the clean state`, async (t) => {
    const clean = await cleanRun(from, to);
    const cleanMoved = await cleanRun(from, moved);
    t.true(clean.mutating > 10, `scenario has ${clean.mutating} mutating calls`);
    t.deepEqual((clean.snapshot as { authPolicies: unknown }).authPolicies, { "gw-default": authPolicy("123456789012", name === "create" ? 0 : 1) });
    t.log(`${clean.mutating} mutating calls; ${2 * clean.mutating + 1} crash runs`);
    for (let k = 0; k <= clean.mutating; k++) {
      // Endpoints move between the crash and the restart: a target group made before the crash
      // (replayed by its client token) must lose its stale targets.
      await crashRun(t, from, to, moved, k, false, cleanMoved, clean.mutating);
      if (k > 0) await crashRun(t, from, to, to, k, true, clean, clean.mutating);
    }
  });
}
