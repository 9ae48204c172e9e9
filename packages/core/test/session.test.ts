// CoreSession.update must give exactly what compute() gives, whatever happened before: random
// object sets, then random sequences of changes (objects added, replaced, removed, edited in
// place-by-copy, statuses written back as the operator would, `now` moving on). Unchanged
// objects keep their identity, as they do in the informer cache.
import test from "ava";
import fc from "fast-check";
import { snapshotFromObjects, type Capabilities } from "@gatehouse/model";
import { CoreSession, compute, type ComputeInput } from "../src/index.js";
import { PRESETS } from "./presets.js";
import { objectSet } from "./arbitraries.js";

const NUM_RUNS = 150;
const controllers = fc.subarray(Object.values(PRESETS), { minLength: 1 });

type Obj = { kind?: string; metadata?: Record<string, unknown>; spec?: Record<string, unknown>; status?: unknown };

/** One step of a change sequence. `i`/`j` pick objects modulo the list lengths. */
type Change =
  | { op: "replace"; i: number; j: number }   // object i becomes pool object j (route/Service/Gateway… changed)
  | { op: "add"; j: number }
  | { op: "remove"; i: number }
  | { op: "touch"; i: number }                // same content, new identity
  | { op: "edit"; i: number; n: number }      // a kind-specific edit: route path, Service port, listener, labels
  | { op: "writeStatus"; i: number }          // the operator wrote the computed status back
  | { op: "tick" }                            // time moves on
  | { op: "controllers"; caps: Capabilities[] };

const change: fc.Arbitrary<Change> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant("replace" as const), i: fc.nat(), j: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("add" as const), j: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("remove" as const), i: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("touch" as const), i: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("edit" as const), i: fc.nat(), n: fc.nat({ max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("writeStatus" as const), i: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ op: "tick" as const }) },
  { weight: 1, arbitrary: controllers.map((caps) => ({ op: "controllers" as const, caps })) },
);

/** A copy with one meaningful change for the object's kind. */
function edit(o: Obj, n: number): Obj {
  const c = structuredClone(o);
  const spec = (c.spec ??= {});
  switch (c.kind) {
    case "HTTPRoute":
    case "GRPCRoute": {
      const rules = Array.isArray(spec.rules) ? spec.rules : (spec.rules = [{}]);
      if (n === 0) rules.push({ matches: [{ path: { type: "PathPrefix", value: `/edit${rules.length}` } }] });
      else if (n === 1) rules.pop();
      else if (n === 2) spec.hostnames = ["edited.example.com"];
      else spec.parentRefs = [];
      break;
    }
    case "Service": {
      const ports = Array.isArray(spec.ports) ? spec.ports : (spec.ports = []);
      if (n % 2 === 0) ports.push({ name: "extra", port: 80 + n, targetPort: 8080 });
      else ports.splice(0, 1);
      break;
    }
    case "Gateway": {
      const listeners = Array.isArray(spec.listeners) ? spec.listeners : (spec.listeners = []);
      const l = listeners[0] as Record<string, unknown> | undefined;
      if (l && n === 0) l.port = l.port === 80 ? 8080 : 80;
      else if (l && n === 1) l.hostname = "edited.example.com";
      else if (l && n === 2) l.allowedRoutes = { namespaces: { from: "Same" } };
      else listeners.push({ name: `l${listeners.length}`, port: 80, protocol: "HTTP" });
      break;
    }
    default: {
      // Namespace labels (allowedRoutes selectors), and anything else: labels move.
      const meta = (c.metadata ??= {});
      const labels = (meta.labels && typeof meta.labels === "object" ? meta.labels : (meta.labels = {})) as Record<string, string>;
      if (n % 2 === 0) labels.team = labels.team === "x" ? "y" : "x";
      else delete labels.team;
    }
  }
  return c;
}

/** Capabilities are cloned each time: a provider may hand over fresh but equal objects. */
function toInput(objects: readonly unknown[], caps: Capabilities[], now: string): ComputeInput {
  return { snapshot: snapshotFromObjects(objects).snapshot, controllers: structuredClone(caps), now };
}

function apply(objects: unknown[], pool: readonly unknown[], ch: Change, state: { caps: Capabilities[]; now: string; last?: ReturnType<typeof compute> }): unknown[] {
  const at = (i: number) => i % Math.max(1, objects.length);
  switch (ch.op) {
    case "replace": if (objects.length && pool.length) objects[at(ch.i)] = pool[ch.j % pool.length]; break;
    case "add": if (pool.length) objects.push(structuredClone(pool[ch.j % pool.length])); break;
    case "remove": if (objects.length) objects.splice(at(ch.i), 1); break;
    case "touch": if (objects.length) objects[at(ch.i)] = structuredClone(objects[at(ch.i)]); break;
    case "edit": if (objects.length) objects[at(ch.i)] = edit(objects[at(ch.i)] as Obj, ch.n); break;
    case "writeStatus": {
      const o = objects[at(ch.i)] as Obj | undefined;
      const u = o && state.last?.statuses.find((s) => s.kind === o.kind && s.name === o.metadata?.name && s.namespace === (o.metadata?.namespace ?? ""));
      if (o && u) objects[at(ch.i)] = { ...o, status: structuredClone(u.status) };
      break;
    }
    case "tick": state.now = `2025-01-01T00:${String(Number(state.now.slice(14, 16)) + 1).padStart(2, "0")}:00Z`; break;
    case "controllers": state.caps = ch.caps; break;
  }
  return objects;
}

test("CoreSession.update equals compute() over random change sequences", (t) => {
  fc.assert(
    fc.property(objectSet, objectSet, controllers, fc.array(change, { maxLength: 12 }), (initial, pool, caps, changes) => {
      const session = new CoreSession();
      const state: { caps: Capabilities[]; now: string; last?: ReturnType<typeof compute> } = { caps, now: "2025-01-01T00:00:00Z" };
      let objects = [...initial];
      for (const ch of [undefined, ...changes]) {
        if (ch) objects = apply(objects, pool, ch, state);
        const input = toInput(objects, state.caps, state.now);
        const got = session.update(input);
        const want = compute(input);
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          t.deepEqual(got, want, `after ${JSON.stringify(ch)}`);
          return false;
        }
        state.last = want;
      }
      return true;
    }),
    { numRuns: NUM_RUNS },
  );
  t.pass();
});

test("CoreSession: route added, changed, removed; Service changed; listener changed; Namespace label changed", (t) => {
  const caps = [PRESETS.full ?? Object.values(PRESETS)[0]!];
  const gw = (port: number) => ({
    apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: { name: "gw", namespace: "infra", generation: 1 },
    spec: { gatewayClassName: "gc", listeners: [
      { name: "http", port, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Selector", selector: { matchLabels: { team: "x" } } } } },
    ] },
  });
  const ns = (labels: Record<string, string>) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name: "default", labels } });
  const svc = (port: number) => ({ apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "default" }, spec: { ports: [{ name: "http", port }] } });
  const route = (name: string, path: string) => ({
    apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute",
    metadata: { name, namespace: "default", generation: 1, creationTimestamp: "2024-01-01T00:00:00Z" },
    spec: { parentRefs: [{ name: "gw", namespace: "infra" }], rules: [{ matches: [{ path: { type: "PathPrefix", value: path } }], backendRefs: [{ name: "web", port: 80 }] }] },
  });
  const gc = { apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: { name: "gc" }, spec: { controllerName: caps[0]!.controllerName } };
  const steps: unknown[][] = [];
  let objs: unknown[] = [gc, gw(80), ns({ team: "x" }), svc(80), route("a", "/a")];
  steps.push(objs);
  steps.push((objs = [...objs, route("b", "/b")]));                         // route added
  steps.push((objs = objs.map((o) => (o as Obj).metadata?.name === "a" ? route("a", "/a2") : o))); // route changed
  steps.push((objs = objs.filter((o) => (o as Obj).metadata?.name !== "b"))); // route removed
  steps.push((objs = objs.map((o) => (o as Obj).kind === "Service" ? svc(8080) : o)));   // Service changed
  steps.push((objs = objs.map((o) => (o as Obj).kind === "Gateway" ? gw(8080) : o)));   // listener changed
  steps.push((objs = objs.map((o) => (o as Obj).kind === "Namespace" ? ns({ team: "y" }) : o))); // label changed
  const session = new CoreSession();
  for (const s of steps) {
    const input = toInput(s, caps, "2025-01-01T00:00:00Z");
    t.deepEqual(session.update(input), compute(input));
  }
});
