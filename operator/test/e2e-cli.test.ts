// The built CLI as users run it: `node dist/src/main.js run --kubeconfig …` with flags and
// GATEHOUSE_* variables, two replicas, SIGKILL of the leader (no release: the standby waits
// for the Lease to expire), SIGTERM of the other (exit 0, Lease released).
import test from "ava";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startControlPlane, type ControlPlane } from "@gatehouse/test-harness";
import {
  Kube, condition, controllerFor, eventually, gatewayYaml, httpGet, parentCondition, routeYaml, serviceYaml, testAddressPool,
} from "./e2e-helpers.js";

const main = join(fileURLToPath(new URL("../../", import.meta.url)), "dist/src/main.js");
const CONTROLLER = controllerFor("cli");
let cp: ControlPlane;
let kube: Kube;
const children: ChildProcess[] = [];

test.before(async () => {
  cp = await startControlPlane();
  kube = new Kube(cp);
});

test.after.always(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  kube?.close();
  await cp?.stop();
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface Replica { child: ChildProcess; port: number; identity: string; exited: Promise<{ code: number | null; signal: string | null }>; stderr: () => string }

async function replica(identity: string, ns: string): Promise<Replica> {
  const port = await freePort();
  let err = "";
  const child = spawn(process.execPath, [main, "run",
    "--kubeconfig", cp.kubeconfigPath,
    "--metrics-address", `127.0.0.1:${port}`,
    "--health-address", `127.0.0.1:${port}`,
    "--lease-namespace", ns,
    "--lease-duration", "4s", "--renew-deadline", "3s", "--retry-period", "500ms",
  ], {
    env: {
      ...process.env, GATEHOUSE_CONTROLLER_NAME: CONTROLLER, GATEHOUSE_IDENTITY: identity, GATEHOUSE_LOG_LEVEL: "info",
      // Each replica serves its Gateways on loopback addresses of its own, in one worker.
      GATEHOUSE_LOCAL_ADDRESSES: "loopback", GATEHOUSE_ADDRESS_POOL: testAddressPool(), GATEHOUSE_PROXY_WORKERS: "1",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr!.on("data", (d: Buffer) => { err += d.toString(); });
  children.push(child);
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return { child, port, identity, exited, stderr: () => err };
}

const isLeader = async (r: Replica) => /^gatehouse_leader 1$/m.test((await httpGet(r.port, "/metrics").catch(() => ({ body: "" }))).body);

test("a bad flag exits 2 with one line naming it", (t) => {
  const r = spawnSync(process.execPath, [main, "run", "--renew-deadline", "20s"], { encoding: "utf8" });
  t.is(r.status, 2);
  t.is(r.stderr, "gatehouse: --lease-duration: \"15s\" must be longer than --renew-deadline (20s)\n");
  const e = spawnSync(process.execPath, [main, "run"], { encoding: "utf8", env: { ...process.env, GATEHOUSE_METRICS_ADDRESS: "nine" } });
  t.is(e.status, 2);
  t.regex(e.stderr, /^gatehouse: --metrics-address \(from GATEHOUSE_METRICS_ADDRESS\): "nine" is not \[host\]:port/);
  t.is(e.stderr.split("\n").length, 2, "one line");
});

test("two CLI replicas: one leads and writes; SIGKILL it and the other takes over; SIGTERM exits 0 and releases the Lease", async (t) => {
  const ns = await cp.newNamespace("cli");
  const a = await replica("cli-a", ns);
  const b = await replica("cli-b", ns);
  for (const r of [a, b]) {
    await eventually(async () => (await httpGet(r.port, "/readyz").catch(() => ({ status: 0 }))).status === 200, `${r.identity} ready`);
    t.is((await httpGet(r.port, "/healthz")).status, 200);
  }
  await eventually(async () => (await isLeader(a)) || (await isLeader(b)), "a leader");
  const [leader, standby] = (await isLeader(a)) ? [a, b] : [b, a];

  await kube.apply(gatewayYaml(`gc-${ns}`, CONTROLLER) + "---" + serviceYaml() + "---" + routeYaml("web"), ns);
  await kube.waitFor("GatewayClass", undefined, `gc-${ns}`, (o) => condition(o, "Accepted")?.status === "True", "class Accepted");
  await kube.waitFor("HTTPRoute", ns, "web", (o) => parentCondition(o, CONTROLLER, "Accepted")?.status === "True", "route Accepted");
  const writes = /^gatehouse_status_writes_total\{result="written"\} (\d+)$/m;
  t.is(Number(writes.exec((await httpGet(standby.port, "/metrics")).body)?.[1] ?? 0), 0, "the standby wrote nothing");
  t.true(Number(writes.exec((await httpGet(leader.port, "/metrics")).body)?.[1] ?? 0) > 0, "the leader wrote");

  // Killed without a chance to release: the standby must wait for the Lease to expire.
  const t0 = Date.now();
  leader.child.kill("SIGKILL");
  await leader.exited;
  await eventually(() => isLeader(standby), "takeover", 60_000);
  t.log(`takeover ${Date.now() - t0} ms after SIGKILL (lease 4s)`);
  await kube.apply(routeYaml("later", { hostname: "later.example.com" }), ns);
  await kube.waitFor("HTTPRoute", ns, "later", (o) => parentCondition(o, CONTROLLER, "Accepted")?.status === "True", "the new leader writes");

  standby.child.kill("SIGTERM");
  const exit = await standby.exited;
  t.deepEqual(exit, { code: 0, signal: null }, standby.stderr().slice(-2000));
  const lease = await kube.get("Lease", ns, "gatehouse-leader");
  t.falsy(lease?.spec.holderIdentity, "released on SIGTERM");
  const logs = standby.stderr().split("\n").filter(Boolean).map((l) => JSON.parse(l) as { msg: string });
  t.true(logs.some((l) => l.msg === "stopped"), "logs are JSON lines; shutdown completed");
});
