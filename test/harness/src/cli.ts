#!/usr/bin/env node
// gatehouse-controlplane: a real control plane by hand.
//   node test/harness/dist/src/cli.js up        start one, print the kubeconfig path, run until Ctrl-C
//   node test/harness/dist/src/cli.js build [component...]   build (cached) and print the manifest
import { buildControlPlane, type Component } from "./builder.js";
import { startControlPlane } from "./controlplane.js";

const usage = `usage: gatehouse-controlplane up [--no-gateway-api]
       gatehouse-controlplane build [etcd|kube-apiserver|kube-controller-manager|kube-scheduler ...]`;

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (cmd === "build") {
    const m = await buildControlPlane(rest.length ? (rest as Component[]) : undefined);
    process.stdout.write(JSON.stringify(m, null, 2) + "\n");
    return;
  }
  if (cmd !== "up" || rest.some((a) => a !== "--no-gateway-api")) {
    process.stderr.write(`${usage}\n`);
    process.exit(2);
  }
  const cp = await startControlPlane({
    gatewayAPI: !rest.includes("--no-gateway-api"),
    log: (l) => process.stderr.write(`harness: ${l}\n`),
  });
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
