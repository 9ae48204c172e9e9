// Contract test: the same scenario against the fake and against moto's server (a second,
// independent implementation of the VPC Lattice API). Outcomes, error codes, statuses and
// chosen values must agree, except for the differences listed (and explained) below.
// Needs `moto[server]` for Python; installs it with pip when missing, skips when it cannot.
import * as L from "@aws-sdk/client-vpc-lattice";
import test, { type ExecutionContext } from "ava";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { ZERO_DELAYS, OPERATIONS, type FakeLattice } from "../src/index.js";
import { differences, MOTO_LACKS, runScenario, STEPS } from "./contract-scenario.js";
import { client, fake, loopback } from "./helpers.js";

const PY = process.env["GATEHOUSE_PYTHON"] ?? "python3";
const HOST = loopback(18);

function motoImportable(): boolean {
  return spawnSync(PY, ["-c", "import moto.vpclattice, moto.server, flask, werkzeug"], { stdio: "ignore" }).status === 0;
}

function ensureMoto(): string | undefined {
  if (motoImportable()) return undefined;
  const pip = spawnSync(PY, ["-m", "pip", "install", "--quiet", "moto[server]"], { encoding: "utf8", timeout: 300_000 });
  if (motoImportable()) return undefined;
  const why = pip.error?.message ?? (pip.stderr || pip.stdout || `exit ${pip.status}`).trim().split("\n").slice(-3).join(" / ");
  return `moto[server] is not importable by ${PY} and \`pip install "moto[server]"\` failed: ${why}`;
}

const skipReason = ensureMoto();
if (skipReason) console.log(`contract.test: SKIPPED — ${skipReason}`);
const maybe = skipReason ? test.skip : test.serial;

/**
 * Where moto and the fake knowingly differ, step by step (the start of each difference line).
 * The fake follows the AWS API reference in each case.
 */
const KNOWN: Record<string, string[]> = {
  // moto answers ResourceNotFoundException with HTTP 400; the service (and the fake) with 404.
  "GetService (unknown id)": ["httpStatus"],
  "GetServiceNetwork (unknown id)": ["httpStatus"],
  "GetTargetGroup (unknown id)": ["httpStatus"],
  "GetListener (unknown id)": ["httpStatus"],
  "CreateListener (unknown service)": ["httpStatus"],
  "CreateServiceNetworkServiceAssociation (unknown network)": ["httpStatus"],
  "DeleteAuthPolicy, then GetAuthPolicy": ["httpStatus"],
  // moto reports createdBy "user"; the service reports the account id.
  CreateServiceNetworkVpcAssociation: ["createdBy"],
  // moto puts the custom domain in dnsEntry; the service generates a name (the custom
  // domain is a CNAME to it).
  CreateService: ["dnsEntryIsGenerated"],
  // moto makes up a domain from the association id; the service reports the service's custom domain.
  CreateServiceNetworkServiceAssociation: ["customDomainName"],
  // moto's GetService has no createdAt/lastUpdatedAt.
  GetService: ["moto lacks member createdAt"],
  // moto's rule ARNs read ".../listener/listener-listener-…/rule/…".
  CreateRule: ["arnUnderListener"],
  // moto validates no names; the service rejects this one.
  "CreateService (invalid name)": ["outcome", "httpStatus"],
};

let f: FakeLattice;
let moto: ChildProcess | undefined;
let motoEndpoint = "";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, HOST, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function startMoto(t: ExecutionContext): Promise<void> {
  const port = await freePort();
  motoEndpoint = `http://${HOST}:${port}`;
  let log = "";
  moto = spawn(PY, ["-m", "moto.server", "-H", HOST, "-p", String(port)], { stdio: ["ignore", "pipe", "pipe"] });
  moto.stdout?.on("data", (d: Buffer) => (log += d.toString()));
  moto.stderr?.on("data", (d: Buffer) => (log += d.toString()));
  // Liveness bound only: moto takes a few seconds to import.
  for (let i = 0; i < 300; i++) {
    if (moto.exitCode !== null) break;
    try {
      const res = await fetch(`${motoEndpoint}/moto-api/reset`, { method: "POST" });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  t.log(log);
  throw new Error(`moto_server did not come up on ${motoEndpoint}`);
}

test.before(async () => {
  f = await fake(18, { host: loopback(18, 2), clock: "manual", delays: ZERO_DELAYS });
});
test.after.always(async () => {
  await f.close();
  if (moto && moto.exitCode === null) {
    const gone = new Promise((r) => moto!.once("exit", r));
    moto.kill("SIGTERM");
    await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
    if (moto.exitCode === null) moto.kill("SIGKILL");
  }
});

maybe("the same scenario against the fake and moto: outcomes, codes, statuses and values agree", async (t) => {
  await startMoto(t);
  const fakeObs = await runScenario(client(f, { maxAttempts: 1 }));
  const motoObs = await runScenario(client({ endpoint: motoEndpoint }, { maxAttempts: 1 }));
  t.is(fakeObs.length, STEPS.length);
  // The fake itself must give every required member and succeed where the scenario expects.
  for (const o of fakeObs) t.deepEqual(o.missing, [], `fake: ${o.step}`);
  const unexplained: string[] = [];
  const explained: string[] = [];
  for (let i = 0; i < STEPS.length; i++) {
    const a = fakeObs[i]!;
    const b = motoObs[i]!;
    for (const d of differences(a, b)) {
      const known = (KNOWN[a.step] ?? []).some((k) => d.startsWith(k));
      (known ? explained : unexplained).push(`${a.step}: ${d}`);
    }
  }
  t.log(`${STEPS.length} steps; ${explained.length} known differences:\n  ${explained.join("\n  ")}`);
  t.deepEqual(unexplained, []);
  // Every step agrees on success or on the error code, except the validation moto lacks.
  const agree = fakeObs.filter((o, i) => o.ok === motoObs[i]!.ok && o.error === motoObs[i]!.error).length;
  t.is(agree, STEPS.length - 1);
});

maybe("moto still lacks the operations listed in the README (the fake serves them all)", async (t) => {
  if (!moto) await startMoto(t);
  const ids = {
    serviceIdentifier: "svc-0123456789abcdef0",
    serviceNetworkIdentifier: "sn-0123456789abcdef0",
    listenerIdentifier: "listener-0123456789abcdef0",
    ruleIdentifier: "rule-0123456789abcdef0",
    targetGroupIdentifier: "tg-0123456789abcdef0",
    serviceNetworkVpcAssociationIdentifier: "snva-0123456789abcdef0",
    serviceNetworkServiceAssociationIdentifier: "snsa-0123456789abcdef0",
  };
  const inputs: Record<(typeof MOTO_LACKS)[number], object> = {
    UpdateServiceNetwork: { serviceNetworkIdentifier: ids.serviceNetworkIdentifier, authType: "NONE" },
    DeleteServiceNetwork: { serviceNetworkIdentifier: ids.serviceNetworkIdentifier },
    GetServiceNetworkVpcAssociation: { serviceNetworkVpcAssociationIdentifier: ids.serviceNetworkVpcAssociationIdentifier },
    UpdateServiceNetworkVpcAssociation: { serviceNetworkVpcAssociationIdentifier: ids.serviceNetworkVpcAssociationIdentifier, securityGroupIds: ["sg-12345678"] },
    DeleteServiceNetworkVpcAssociation: { serviceNetworkVpcAssociationIdentifier: ids.serviceNetworkVpcAssociationIdentifier },
    DeleteServiceNetworkServiceAssociation: { serviceNetworkServiceAssociationIdentifier: ids.serviceNetworkServiceAssociationIdentifier },
    UpdateService: { serviceIdentifier: ids.serviceIdentifier, authType: "NONE" },
    DeleteService: { serviceIdentifier: ids.serviceIdentifier },
    UpdateListener: { serviceIdentifier: ids.serviceIdentifier, listenerIdentifier: ids.listenerIdentifier, defaultAction: { fixedResponse: { statusCode: 404 } } },
    DeleteListener: { serviceIdentifier: ids.serviceIdentifier, listenerIdentifier: ids.listenerIdentifier },
    GetRule: { serviceIdentifier: ids.serviceIdentifier, listenerIdentifier: ids.listenerIdentifier, ruleIdentifier: ids.ruleIdentifier },
    ListRules: { serviceIdentifier: ids.serviceIdentifier, listenerIdentifier: ids.listenerIdentifier },
    UpdateRule: { serviceIdentifier: ids.serviceIdentifier, listenerIdentifier: ids.listenerIdentifier, ruleIdentifier: ids.ruleIdentifier, priority: 1 },
    DeleteRule: { serviceIdentifier: ids.serviceIdentifier, listenerIdentifier: ids.listenerIdentifier, ruleIdentifier: ids.ruleIdentifier },
    BatchUpdateRule: { serviceIdentifier: ids.serviceIdentifier, listenerIdentifier: ids.listenerIdentifier, rules: [{ ruleIdentifier: ids.ruleIdentifier, priority: 1 }] },
    UpdateTargetGroup: { targetGroupIdentifier: ids.targetGroupIdentifier, healthCheck: { enabled: true } },
    DeleteTargetGroup: { targetGroupIdentifier: ids.targetGroupIdentifier },
    RegisterTargets: { targetGroupIdentifier: ids.targetGroupIdentifier, targets: [{ id: "10.0.0.1" }] },
    DeregisterTargets: { targetGroupIdentifier: ids.targetGroupIdentifier, targets: [{ id: "10.0.0.1" }] },
    ListTargets: { targetGroupIdentifier: ids.targetGroupIdentifier },
  };
  const commands = L as unknown as Record<string, new (input: object) => Parameters<L.VPCLatticeClient["send"]>[0]>;
  const mc = client({ endpoint: motoEndpoint }, { maxAttempts: 1 });
  const fc = client(f, { maxAttempts: 1 });
  const nowImplemented: string[] = [];
  for (const op of MOTO_LACKS) {
    t.true(OPERATIONS.includes(op), op);
    const Cmd = commands[`${op}Command`]!;
    // The fake answers with a modeled error (the ids do not exist).
    const fe = await t.throwsAsync(fc.send(new Cmd(inputs[op])));
    t.true(fe instanceof L.ResourceNotFoundException, `fake ${op}: ${fe?.name}`);
    // moto answers with something that is not a Lattice response at all.
    try {
      await mc.send(new Cmd(inputs[op]));
      nowImplemented.push(op);
    } catch (e) {
      if (e instanceof L.VPCLatticeServiceException && e.name !== "VPCLatticeServiceException") nowImplemented.push(op);
    }
  }
  if (nowImplemented.length) t.log(`moto now implements: ${nowImplemented.join(", ")} — extend the scenario and the README`);
  t.deepEqual(nowImplemented, []);
});
