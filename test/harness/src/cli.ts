#!/usr/bin/env node
// gatehouse-controlplane: a real control plane by hand.
//   node test/harness/dist/src/cli.js up        start one, print the kubeconfig path, run until Ctrl-C
//   node test/harness/dist/src/cli.js cluster [--nodes N] [--images echo-basic,coredns] [--apply path]
//                                                  the same with process kubelets (root); --apply
//                                                  creates the objects of YAML files first
//   node test/harness/dist/src/cli.js build [component...]   build (cached) and print the manifest
//   node test/harness/dist/src/cli.js helm [args...]          helm built from its Go module (cached); no args: print its path
import { applyManifests } from "./apply.js";
import { buildControlPlane, type Component } from "./builder.js";
import { startCluster, type ImageProgram } from "./cluster.js";
import { startControlPlane, type ControlPlane } from "./controlplane.js";
import { buildHelm, helm } from "./helm.js";

const usage = `usage: gatehouse-controlplane up [--no-gateway-api]
       gatehouse-controlplane cluster [--no-gateway-api] [--nodes N] [--images echo-basic,coredns] [--apply file-or-dir ...]
       gatehouse-controlplane helm [helm args...]
       gatehouse-controlplane build [etcd|kube-apiserver|kube-controller-manager|kube-scheduler|process-kubelet|echo-basic|coredns|conformance-src ...]`;

function fail(): never {
  process.stderr.write(`${usage}\n`);
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (cmd === "build") {
    const m = await buildControlPlane(rest.length ? (rest as Component[]) : undefined);
    process.stdout.write(JSON.stringify(m, null, 2) + "\n");
    return;
  }
  if (cmd === "helm") {
    if (rest.length === 0) {
      process.stdout.write(`${await buildHelm()}\n`);
      return;
    }
    const r = await helm(rest, { cwd: process.cwd() });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    process.exitCode = r.code;
    return;
  }
  let gatewayAPI = true;
  let nodes = 1;
  let images: ImageProgram[] = ["echo-basic"];
  const apply: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === "--no-gateway-api") gatewayAPI = false;
    else if (cmd === "cluster" && a === "--nodes") nodes = Number(rest[++i]);
    else if (cmd === "cluster" && a === "--images") images = (rest[++i] ?? "").split(",").filter(Boolean) as ImageProgram[];
    else if (a === "--apply" && rest[i + 1]) apply.push(rest[++i]!);
    else fail();
  }
  const log = (l: string) => process.stderr.write(`harness: ${l}\n`);
  let cp: ControlPlane;
  if (cmd === "up") cp = await startControlPlane({ gatewayAPI, log });
  else if (cmd === "cluster") {
    const c = await startCluster({ gatewayAPI, log, nodes, images });
    cp = c;
    for (const n of c.nodes) process.stderr.write(`  ${n.name}: ${n.ip}, pods ${n.podCIDR}, kubelet log ${n.logPath}\n`);
  } else fail();
  if (apply.length) {
    try {
      for (const id of await applyManifests(cp.kubeConfig, apply)) log(`applied ${id}`);
    } catch (e) {
      await cp.stop();
      throw e;
    }
  }
  process.stdout.write(`${cp.kubeconfigPath}\n`);
  process.stderr.write(
    `gatehouse-controlplane: kubernetes ${cp.versions.kubernetes} at ${cp.server}; logs in ${cp.dir}\n` +
      `  export KUBECONFIG=${cp.kubeconfigPath}\n  Ctrl-C stops it.\n`,
  );
  let stopping = false;
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    cp.stop().then(() => process.exit(0), (e) => {
      process.stderr.write(`gatehouse-controlplane: ${String(e)}\n`);
      process.exit(1);
    });
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`gatehouse-controlplane: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
