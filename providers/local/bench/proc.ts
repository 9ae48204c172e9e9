// CPU accounting from Linux /proc: a process's CPU time and the whole machine's busy time. The
// bench machine is shared (wrk, the upstream and the proxy on the same cores, and whatever
// else runs there), so each run reports what it cost and what else was running.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process, in seconds (throws when it is gone or there is no /proc). */
export function procCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND;
}

/** CPU seconds of a process's children (e.g. nginx workers under their master); undefined if unknown. */
export function childrenCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    return kids.reduce((sum, k) => sum + procCpuSeconds(k), 0);
  } catch {
    return undefined;
  }
}

/** Busy CPU seconds of the whole machine so far, all cores (undefined without /proc/stat). */
export function machineBusySeconds(): number | undefined {
  try {
    const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait
    return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
