// The test cluster's network on this host: a Linux bridge `gh-br<i>` with a /20 of
// 10.244.0.0/16 (slot i of 16), the nodes' addresses on it, and the per-pod network
// namespaces and veths the process kubelets make (named `gh<i>n<node>p…`). A slot is
// owned through a lock directory /run/gatehouse/cluster-<i> holding the owner's pid; a
// slot whose owner is dead is cleaned up and reused, so a crashed run leaves nothing for
// long. Needs root and iproute2 (`ip`).
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);
const LOCK_ROOT = "/run/gatehouse";
const SLOTS = 16;

export interface ClusterNetwork {
  slot: number;
  bridge: string;
  /** 10.244.<16·slot>.0/20: the bridge's segment (every pod and node address is in it). */
  cidr: string;
  prefixLength: number;
  /** The bridge's own address: pods' default gateway, and node 0's InternalIP. */
  gateway: string;
  /** Prefix of every namespace and link of this cluster. */
  namePrefix: string;
  node(k: number): { ip: string; podCIDR: string; namePrefix: string };
  /** Adds node k's address to the bridge (node 0 has the bridge's). */
  addNode(k: number): Promise<void>;
  /** Deletes every namespace, veth and the bridge, and gives the slot back. Idempotent. */
  release(): void;
}

export const MAX_NODES = 15;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function ipQuiet(args: string[]): void {
  try {
    execFileSync("ip", args, { stdio: "ignore" });
  } catch {
    // already gone
  }
}

/** Synchronous, so it can run from a process 'exit' handler. */
export function cleanupSlot(slot: number): void {
  const prefix = `gh${slot}n`;
  let netns: string[] = [];
  try {
    netns = readdirSync("/run/netns");
  } catch {
    // no namespaces at all
  }
  for (const ns of netns) if (ns.startsWith(prefix)) ipQuiet(["netns", "delete", ns]);
  let links: string[] = [];
  try {
    links = readdirSync("/sys/class/net");
  } catch {
    // no sysfs: ask ip
  }
  for (const l of links) if (l.startsWith(prefix)) ipQuiet(["link", "delete", l]);
  ipQuiet(["link", "delete", `gh-br${slot}`]);
}

async function routesOverlap(cidr: string, bridge: string): Promise<boolean> {
  const { stdout } = await run("ip", ["-4", "-j", "route", "show", "table", "all"]);
  const routes = JSON.parse(stdout) as { dst?: string; dev?: string }[];
  const [base] = cidr.split("/");
  const lo = ipToInt(base!);
  const hi = lo + (1 << 12) - 1;
  return routes.some((r) => {
    if (!r.dst || r.dst === "default" || r.dev === bridge) return false;
    const [a, len] = r.dst.split("/");
    if (!a || !/^\d+\.\d+\.\d+\.\d+$/.test(a)) return false;
    const l = len === undefined ? 32 : Number(len);
    if (l === 0) return false;
    const start = ipToInt(a);
    const end = start + 2 ** (32 - l) - 1;
    return start <= hi && end >= lo;
  });
}

function ipToInt(ip: string): number {
  return ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
}

/** Takes a free slot, creates its bridge with the gateway address, and returns it. */
export async function allocateNetwork(): Promise<ClusterNetwork> {
  if (process.getuid?.() !== 0) throw new Error("test harness: startCluster needs root (network namespaces, veths, a bridge, bind mounts)");
  mkdirSync(LOCK_ROOT, { recursive: true });
  for (let slot = 0; slot < SLOTS; slot++) {
    const lock = `${LOCK_ROOT}/cluster-${slot}`;
    if (!takeLock(lock)) continue;
    const bridge = `gh-br${slot}`;
    const third = 16 * slot;
    const cidr = `10.244.${third}.0/20`;
    try {
      cleanupSlot(slot); // leftovers of a run that died without its lock
      if (await routesOverlap(cidr, bridge)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      const gateway = `10.244.${third}.1`;
      await run("ip", ["link", "add", bridge, "type", "bridge"]);
      await run("ip", ["addr", "add", `${gateway}/20`, "dev", bridge]);
      await run("ip", ["link", "set", bridge, "up"]);
    } catch (e) {
      cleanupSlot(slot);
      rmSync(lock, { recursive: true, force: true });
      throw e;
    }
    let released = false;
    const net: ClusterNetwork = {
      slot,
      bridge,
      cidr,
      prefixLength: 20,
      gateway: `10.244.${third}.1`,
      namePrefix: `gh${slot}n`,
      node: (k) => {
        if (k < 0 || k >= MAX_NODES) throw new Error(`test harness: node index ${k} out of 0..${MAX_NODES - 1}`);
        return { ip: `10.244.${third}.${k + 1}`, podCIDR: `10.244.${third + k + 1}.0/24`, namePrefix: `gh${slot}n${k}p` };
      },
      async addNode(k) {
        if (k === 0) return;
        await run("ip", ["addr", "add", `${net.node(k).ip}/20`, "dev", bridge]);
      },
      release() {
        if (released) return;
        released = true;
        cleanupSlot(slot);
        rmSync(lock, { recursive: true, force: true });
        process.off("exit", onExit);
      },
    };
    const onExit = () => net.release();
    process.on("exit", onExit);
    return net;
  }
  throw new Error(`test harness: all ${SLOTS} cluster network slots (10.244.0.0/16, bridges gh-br0..${SLOTS - 1}) are in use or overlap routes`);
}

/** mkdir is the atomic step; a dead owner's lock is renamed away (one winner) and retried. */
function takeLock(lock: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      mkdirSync(lock);
      writeFileSync(`${lock}/owner`, String(process.pid));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let owner = 0;
    try {
      owner = Number(readFileSync(`${lock}/owner`, "utf8").trim());
    } catch {
      // Being created right now, or its owner died between mkdir and write.
      try {
        if (Date.now() - statSync(lock).mtimeMs < 60_000) return false;
      } catch {
        continue; // gone meanwhile: try again
      }
    }
    if (owner > 0 && alive(owner)) return false;
    const tomb = `${lock}.stale-${process.pid}-${Date.now()}`;
    try {
      renameSync(lock, tomb);
    } catch {
      return false; // someone else is reclaiming it
    }
    rmSync(tomb, { recursive: true, force: true });
  }
  return false;
}
