// Shared by the test files: a fake on its own loopback address and a real SDK client for it.
import { VPCLatticeClient, type VPCLatticeClientConfig } from "@aws-sdk/client-vpc-lattice";
import type { ExecutionContext } from "ava";
import { startFakeLattice, type FakeLattice, type FakeLatticeOptions } from "../src/index.js";

/** A loopback address of its own per test file (127.0.<file>.<n>), so files never share one. */
export function loopback(file: number, n = 1): string {
  return `127.0.${file}.${n}`;
}

export async function fake(file: number, opts: FakeLatticeOptions = {}): Promise<FakeLattice> {
  return startFakeLattice({ host: loopback(file), seed: `test-${file}`, ...opts });
}

export function client(f: { endpoint: string }, extra: Partial<VPCLatticeClientConfig> = {}): VPCLatticeClient {
  return new VPCLatticeClient({
    endpoint: f.endpoint,
    region: "us-west-2",
    credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" },
    ...extra,
  });
}

/** Awaits a call that must fail with the given SDK exception class; returns the exception. */
export async function rejects<E extends Error>(
  t: ExecutionContext,
  p: Promise<unknown>,
  cls: new (...args: never[]) => E,
): Promise<E> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof cls)) {
      t.fail(`expected ${cls.name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      throw e;
    }
    t.pass(`${cls.name}: ${e.message}`);
    return e;
  }
  t.fail(`expected ${cls.name}, but the call succeeded`);
  throw new Error("unreachable");
}

export const VPC = "vpc-0123456789abcdef0";

export function ipTargetGroupConfig(port = 8080, protocol: "HTTP" | "HTTPS" | "TCP" = "HTTP") {
  return { port, protocol, vpcIdentifier: VPC } as const;
}

export function forward(...tgs: (string | [string, number])[]) {
  return {
    forward: {
      targetGroups: tgs.map((x) => (typeof x === "string" ? { targetGroupIdentifier: x, weight: 1 } : { targetGroupIdentifier: x[0], weight: x[1] })),
    },
  };
}
