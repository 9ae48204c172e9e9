// LeaseElector against a real kube-apiserver. Serial: one test restarts the API server.
// Timings are short (lease 3 s, renew deadline 2 s, retry 0.5 s); assertions wait with
// generous timeouts and check order of events, never speed.
import { createServer, connect, type Server, type Socket } from "node:net";
import test from "ava";
import { KubeConfig } from "@kubernetes/client-node";
import { startControlPlane, type ControlPlane } from "@gatehouse/test-harness";
import { CORE_RESOURCES, KubeClient, resourcePath } from "../src/kube/client.js";
import { LeaseElector, type LeaseElectorOptions } from "../src/kube/leader/index.js";

let cp: ControlPlane;
let kube: KubeClient;
const cleanup: (() => Promise<void> | void)[] = [];

test.before(async () => {
  cp = await startControlPlane({ gatewayAPI: false });
  kube = new KubeClient(cp.kubeConfig);
});
test.afterEach.always(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});
test.after.always(async () => {
  kube?.close();
  await cp?.stop();
});

const FAST = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 };

interface Tracked { elector: LeaseElector; events: { leader: boolean; at: number }[]; errors: unknown[] }

function elector(client: KubeClient, namespace: string, identity: string, extra: Partial<LeaseElectorOptions> = {}): Tracked {
  const errors: unknown[] = [];
  const e = new LeaseElector(client, { name: "gatehouse", namespace, identity, ...FAST, ...extra, onError: (x) => errors.push(x) });
  const events: Tracked["events"] = [];
  e.onChange((leader) => events.push({ leader, at: performance.now() }));
  cleanup.push(() => e.stop());
  return { elector: e, events, errors };
}

async function until(what: string, f: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (await f()) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function lease(namespace: string): Promise<Record<string, any>> {
  const r = await kube.get<Record<string, any>>(resourcePath(CORE_RESOURCES.Lease, { namespace, name: "gatehouse" }));
  if (r.status !== 200) throw new Error(`lease: ${r.status}`);
  return r.body;
}

/** Watches that at most one of the electors leads at any moment (sampled every 10 ms). */
function exclusive(all: Tracked[]): { overlaps: () => number; stop: () => void } {
  let overlaps = 0;
  const t = setInterval(() => {
    if (all.filter((x) => x.elector.isLeader()).length > 1) overlaps++;
  }, 10);
  cleanup.push(() => clearInterval(t));
  return { overlaps: () => overlaps, stop: () => clearInterval(t) };
}

/** Two electors "a" and "b" campaigning in `ns`, watched for overlap, once one of them leads. */
async function twoCampaigning(ns: string) {
  const a = elector(kube, ns, "a");
  const b = elector(kube, ns, "b");
  const watch = exclusive([a, b]);
  a.elector.start();
  b.elector.start();
  await until("a leader", () => a.elector.isLeader() || b.elector.isLeader());
  return { a, b, watch };
}

test.serial("two electors: exactly one leads; stop() releases and the other takes over at once", async (t) => {
  const ns = await cp.newNamespace("leader");
  const { a, b, watch } = await twoCampaigning(ns);
  await sleep(2_000); // several retry periods and more than a lease duration for the standby
  t.is([a, b].filter((x) => x.elector.isLeader()).length, 1);
  const [leader, standby] = a.elector.isLeader() ? [a, b] : [b, a];
  let l = await lease(ns);
  t.is(l.spec.holderIdentity, leader.elector.identity);
  t.is(l.spec.leaseDurationSeconds, 3);
  t.regex(l.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  const transitions = l.spec.leaseTransitions;
  t.deepEqual(standby.events, []);

  const stopped = performance.now();
  await leader.elector.stop();
  t.false(leader.elector.isLeader());
  const took = await until("the standby to lead", () => standby.elector.isLeader());
  t.log(`takeover after the leader's stop(): ${(performance.now() - stopped).toFixed(0)} ms (retry period 500 ms)`);
  t.true(took < FAST.leaseDurationMs, "a released Lease is taken without waiting for expiry");
  l = await lease(ns);
  t.is(l.spec.holderIdentity, standby.elector.identity);
  t.is(l.spec.leaseTransitions, transitions + 1);
  t.deepEqual(leader.events.map((e) => e.leader), [true, false]);
  t.is(watch.overlaps(), 0);
  t.deepEqual([...a.errors, ...b.errors], []);
});

test.serial("a leader that dies without releasing: the standby takes over after the lease expires", async (t) => {
  const ns = await cp.newNamespace("leader-dies");
  // The "dead" leader: holds the Lease, then its client is cut off (it cannot renew or release).
  const proxy = await tcpProxy(cp.server);
  cleanup.push(() => proxy.close());
  const deadKube = new KubeClient(viaProxy(cp.kubeConfig, proxy.url), { timeoutMs: 1_000 });
  cleanup.push(() => deadKube.close());
  const a = elector(deadKube, ns, "a");
  a.elector.start();
  await until("a to lead", () => a.elector.isLeader());
  const b = elector(kube, ns, "b");
  b.elector.start();
  await sleep(1_000);
  t.false(b.elector.isLeader());
  const cut = performance.now();
  proxy.cut();
  await until("b to lead", () => b.elector.isLeader());
  const aDown = a.events.find((e) => !e.leader);
  const bUp = b.events.find((e) => e.leader)!;
  t.truthy(aDown, "a stepped down");
  t.true(aDown!.at <= bUp.at, "a stepped down before b took over");
  t.log(`failover (leader unreachable, lease 3 s, renew deadline 2 s, retry 0.5 s): a stepped down after ${(aDown!.at - cut).toFixed(0)} ms, b led after ${(bUp.at - cut).toFixed(0)} ms`);
  // b saw a's last renewal at most a retry period (plus a request) before the cut.
  t.true(bUp.at - cut >= FAST.leaseDurationMs - 2 * FAST.retryPeriodMs, "b waited for the lease to expire on its own clock");
});

test.serial("a leader cut off from the API server steps down after renewDeadline and leads again after", async (t) => {
  const ns = await cp.newNamespace("leader-partition");
  const proxy = await tcpProxy(cp.server);
  cleanup.push(() => proxy.close());
  const viaKube = new KubeClient(viaProxy(cp.kubeConfig, proxy.url));
  cleanup.push(() => viaKube.close());
  const a = elector(viaKube, ns, "a");
  a.elector.start();
  await until("a to lead", () => a.elector.isLeader());
  const cut = performance.now();
  proxy.cut(); // connections hang: requests time out, nothing is refused
  await until("a to step down", () => !a.elector.isLeader());
  const down = a.events.find((e) => !e.leader)!;
  t.log(`stepped down ${(down.at - cut).toFixed(0)} ms after the cut (renew deadline 2000 ms)`);
  t.true(down.at - cut >= FAST.renewDeadlineMs - 2 * FAST.retryPeriodMs, "not before the renew deadline (counted from the last renewal)");
  await sleep(1_000);
  t.false(a.elector.isLeader());
  proxy.restore();
  await until("a to lead again", () => a.elector.isLeader());
  t.deepEqual(a.events.map((e) => e.leader), [true, false, true]);
  // It still held the Lease (nobody else campaigned): no transition counted.
  t.is((await lease(ns)).spec.leaseTransitions, 0);
});

test.serial("API server restart: one leader before and after, never two at once", async (t) => {
  const ns = await cp.newNamespace("leader-restart");
  const { a, b, watch } = await twoCampaigning(ns);
  const before = a.elector.isLeader() ? a : b;
  const t0 = performance.now();
  await cp.restartApiServer();
  const downtime = performance.now() - t0;
  await until("a leader after the restart", () => a.elector.isLeader() || b.elector.isLeader(), 60_000);
  await sleep(1_000);
  t.is([a, b].filter((x) => x.elector.isLeader()).length, 1);
  t.is(watch.overlaps(), 0);
  const steppedDown = before.events.some((e) => !e.leader);
  t.log(`restart took ${downtime.toFixed(0)} ms; the leader ${steppedDown ? "stepped down during it" : "kept leading"}; now ${a.elector.isLeader() ? "a" : "b"} leads`);
  if (downtime > FAST.renewDeadlineMs + 1_000) t.true(steppedDown, "a restart longer than the renew deadline makes the leader step down");
});

test.serial("options are checked: renewDeadline < leaseDuration, retryPeriod < renewDeadline", (t) => {
  t.throws(() => new LeaseElector(kube, { name: "x", namespace: "y", leaseDurationMs: 2_000, renewDeadlineMs: 2_000 }), { message: /renewDeadline/ });
  t.throws(() => new LeaseElector(kube, { name: "x", namespace: "y", renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }), { message: /retryPeriod/ });
  t.regex(new LeaseElector(kube, { name: "x", namespace: "y" }).identity, /.+_\d+$|.+/);
});

// --- a TCP proxy in front of the API server that can be cut (connections hang) and restored

function viaProxy(kc: KubeConfig, server: string): KubeConfig {
  const out = new KubeConfig();
  const cluster = kc.getCurrentCluster()!;
  out.loadFromOptions({
    clusters: kc.getClusters().map((c) => (c.name === cluster.name ? { ...c, server } : c)),
    users: kc.getUsers(),
    contexts: kc.getContexts(),
    currentContext: kc.getCurrentContext(),
  });
  return out;
}

async function tcpProxy(target: string): Promise<{ url: string; cut(): void; restore(): void; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  let open = true;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => {});
    if (!open) return; // accepted, never answered
    const upstream = connect(Number(port), hostname);
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${addr.port}`,
    cut() {
      open = false;
      // Live connections go silent too: stop forwarding, keep them open.
      for (const s of sockets) { s.unpipe(); s.pause(); }
    },
    restore() {
      open = true;
      for (const s of sockets) s.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
