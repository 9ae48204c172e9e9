// Restart and shutdown of the harness's processes. Serial: each step depends on the last.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import test from "ava";
import { CoreV1Api } from "@kubernetes/client-node";
import { buildControlPlane, startControlPlane, type ControlPlane } from "../src/index.js";

let cp: ControlPlane;

test.before(async () => {
  cp = await startControlPlane({ gatewayAPI: false });
});

test.after.always(async () => {
  await cp?.stop();
});

/** Running (a zombie waiting for its reaper counts as gone). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

const portOpen = (url: string) =>
  new Promise<boolean>((resolve) => {
    const u = new URL(url);
    const s = connect(Number(u.port), u.hostname);
    s.on("connect", () => (s.destroy(), resolve(true)));
    s.on("error", () => resolve(false));
  });

test.serial("restartApiServer keeps the data in etcd", async (t) => {
  const core = cp.kubeConfig.makeApiClient(CoreV1Api);
  const namespace = await cp.newNamespace("restart");
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: "kept" }, data: { answer: "42" } } });
  const before = cp.pids();
  const t0 = Date.now();
  await cp.restartApiServer();
  t.log(`kube-apiserver restarted in ${Date.now() - t0} ms`);
  const after = cp.pids();
  t.not(after.apiServer, before.apiServer);
  t.is(after.etcd, before.etcd);
  t.false(alive(before.apiServer));
  // The same KubeConfig works: same port, same certificates.
  const cm = await core.readNamespacedConfigMap({ namespace, name: "kept" });
  t.is(cm.data?.["answer"], "42");
});

test.serial("stop ends both processes, closes the ports and removes the directory", async (t) => {
  const { etcd, apiServer } = cp.pids();
  t.true(alive(etcd) && alive(apiServer));
  await cp.stop();
  t.false(alive(etcd), "etcd still running");
  t.false(alive(apiServer), "kube-apiserver still running");
  t.false(await portOpen(cp.server), "API server port still open");
  t.false(await portOpen(cp.etcdUrl), "etcd port still open");
  t.false(existsSync(cp.dir));
  await cp.stop(); // idempotent
});

test.serial("a process started by the harness dies with the process that started it", async (t) => {
  // A parent that starts `sleep` the way the harness starts etcd, then is SIGKILLed.
  const { tool } = await buildControlPlane();
  const script = `const c = require("node:child_process").spawn(${JSON.stringify(tool)}, ["exec", "/bin/sleep", "600"], { stdio: "ignore" });
    c.on("spawn", () => console.log(c.pid));`;
  const parent = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const pid = await new Promise<number>((resolve) => parent.stdout.once("data", (d: Buffer) => resolve(Number(String(d).trim()))));
  await new Promise((r) => setTimeout(r, 200)); // let exec arm the signal and replace itself
  t.true(alive(pid));
  parent.kill("SIGKILL");
  const deadline = Date.now() + 5_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.false(alive(pid), "child outlived its parent");
});
