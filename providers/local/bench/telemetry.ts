// Telemetry overhead: the same proxy (1 worker) with metrics + access logs at their defaults
// (metrics counted and scraped every 2 s; every request logged as a JSON line to stdout, a
// FIFO that `cat` copies into a file, as containerd and CRI-O do with a container's stdout)
// against the same proxy with both off. Rounds alternate which
// side goes first; each side's median req/s is reported with the load average.
import { execFileSync, fork, spawn, type ChildProcess } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { waitForPort } from "./net.js";
import { startUpstream } from "./nginx.js";
import { procCpuSeconds } from "./proc.js";
import { wrk, type WrkResult } from "./wrk.js";

const PROXY = { host: "127.0.20.5", port: 18085 };
const CHILD = fileURLToPath(new URL("./telemetry-proxy.js", import.meta.url));

interface Run extends WrkResult { logLines: number; counted: number; dropped: number; cpuUsPerReq?: number; readerUsPerReq?: number }

/**
 * The child's stdout: a named pipe that `cat` copies into a file, as a container runtime copies
 * a container's log FIFO into the node's log file. Lines are counted in the file afterwards,
 * so counting costs nothing during a run.
 */
function logFifo(): { writeFd: number; cat: ChildProcess; file: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-bench-log-"));
  const fifo = join(dir, "stdout");
  const file = join(dir, "stdout.log");
  execFileSync("mkfifo", [fifo]);
  const fileFd = openSync(file, "w");
  const cat = spawn("cat", [fifo], { stdio: ["ignore", fileFd, "inherit"] });
  closeSync(fileFd);
  // Read-write never waits for the other end; the child writes, cat reads until every writer closed.
  const writeFd = openSync(fifo, constants.O_RDWR);
  return { writeFd, cat, file, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Newlines in bytes [from, to) of a file. */
function linesBetween(file: string, from: number, to: number): number {
  const buf = Buffer.allocUnsafe(Math.max(0, to - from));
  const fd = openSync(file, "r");
  try {
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, from + got);
      if (n === 0) break;
      got += n;
    }
  } finally {
    closeSync(fd);
  }
  let lines = 0;
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) lines++;
  return lines;
}

interface Started { child: ChildProcess; cat: ChildProcess; file: string; done: () => void }

async function start(on: boolean, upstream: { host: string; port: number }): Promise<Started> {
  const log = logFifo();
  const child = fork(CHILD, [JSON.stringify({ on, address: PROXY.host, port: PROXY.port, upstream, workers: 1 })], { stdio: ["ignore", log.writeFd, "inherit", "ipc"] });
  closeSync(log.writeFd);
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`bench: the telemetry proxy exited (${code})`)));
    child.on("message", (m: { ready?: boolean }) => { if (m.ready) resolve(); });
  });
  await waitForPort(PROXY.host, PROXY.port, 10_000);
  return { child, cat: log.cat, file: log.file, done: log.done };
}

async function stop(child: ChildProcess): Promise<{ requests: number; dropped: number }> {
  const done = new Promise<{ requests: number; dropped: number }>((resolve) => {
    child.on("message", (m: { stopped?: boolean; requests?: number; dropped?: number }) => { if (m.stopped) resolve({ requests: m.requests ?? 0, dropped: m.dropped ?? 0 }); });
  });
  child.send("stop");
  const n = await done;
  await new Promise<void>((resolve) => { if (child.exitCode !== null) resolve(); else child.once("exit", () => resolve()); });
  return n;
}

async function measure(on: boolean, upstream: { host: string; port: number }, seconds: number, tag: string, pinned: boolean): Promise<Run> {
  const p = await start(on, upstream);
  if (pinned) pin(p.child.pid!, "1");
  const url = `http://${PROXY.host}:${PROXY.port}/`;
  await wrk({ url, threads: 1, connections: 50, durationSec: 2 });
  // Let the warm-up's last lines reach the file.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const size0 = statSync(p.file).size;
  const cpu0 = procCpuSeconds(p.child.pid!);
  const cat0 = procCpuSeconds(p.cat.pid!);
  const r = await wrk({ url, threads: 1, connections: 50, durationSec: seconds });
  const cpu1 = procCpuSeconds(p.child.pid!);
  const cat1 = procCpuSeconds(p.cat.pid!);
  // Let the last lines of the run reach the file before counting them.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const size1 = statSync(p.file).size;
  const { requests: counted, dropped } = await stop(p.child);
  await new Promise<void>((resolve) => { if (p.cat.exitCode !== null) resolve(); else p.cat.once("exit", () => resolve()); });
  const logLines = linesBetween(p.file, size0, size1);
  p.done();
  const per = (cpu: number) => (cpu * 1e6) / Math.max(1, r.requests);
  const run: Run = { ...r, logLines, counted, dropped, cpuUsPerReq: per(cpu1 - cpu0), readerUsPerReq: per(cat1 - cat0) };
  console.log(`${`gatehouse http, telemetry ${on ? "on " : "off"}${tag}`.padEnd(34)} ${r.requestsPerSec.toFixed(0).padStart(8)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  errors ${r.errors}  cpu ${run.cpuUsPerReq!.toFixed(1)} µs/req (log reader ${run.readerUsPerReq!.toFixed(1)})  log lines ${logLines}${on ? `  counted ${counted}  log lines dropped ${dropped}` : ""}  load ${loadavg()[0]!.toFixed(2)}`);
  return run;
}

function median(runs: Run[]): Run {
  return [...runs].sort((a, b) => a.requestsPerSec - b.requestsPerSec)[Math.floor((runs.length - 1) / 2)]!;
}

export interface TelemetryFigures {
  telemetry_on_rps: number;
  telemetry_off_rps: number;
  telemetry_rps_ratio: number;
  telemetry_ratio_median_of_rounds: number;
  telemetry_on_cpu_us_per_req: number;
  /** CPU of the log reader (cat, standing in for the container runtime) per request, "on" runs. */
  telemetry_log_reader_cpu_us_per_req: number;
  telemetry_off_cpu_us_per_req: number;
  telemetry_rounds: number;
  telemetry_pinned: boolean;
}

const PINNED_UPSTREAM = { host: "127.0.20.6", port: 18086 };

/** Sets the CPUs of every thread of a process (taskset, util-linux). */
function pin(pid: number, cpus: string): void {
  execFileSync("taskset", ["-a", "-cp", cpus, String(pid)], { stdio: "ignore" });
}

/**
 * On vs off, `rounds` (at least 5: one round's ratio moves by ±10 % on a shared VM) alternating
 * rounds of `seconds` each. With 2 CPUs or more the proxy runs alone on CPU 1 and everything
 * else (wrk, its own upstream, the log reader, this process) on CPU 0: the ratio is then the
 * proxy's own cost, not who the scheduler put where.
 */
export async function telemetryBench(upstream: { host: string; port: number }, seconds: number, rounds: number): Promise<TelemetryFigures> {
  if (cpus().length < 2) return compare(upstream, seconds, rounds, false);
  const all = `0-${cpus().length - 1}`;
  // Children inherit this process's CPUs: the upstream, wrk and cat started from here stay on CPU 0.
  pin(process.pid, "0");
  const own = await startUpstream(PINNED_UPSTREAM.host, PINNED_UPSTREAM.port, 1);
  try {
    return await compare(PINNED_UPSTREAM, seconds, rounds, true);
  } finally {
    await own.stop();
    pin(process.pid, all);
  }
}

async function compare(upstream: { host: string; port: number }, seconds: number, rounds: number, pinned: boolean): Promise<TelemetryFigures> {
  console.log(pinned ? "telemetry: the proxy pinned to CPU 1; wrk, the upstream and the log reader on CPU 0" : "telemetry: not pinned (one CPU)");
  const n = Math.max(5, rounds);
  const on: Run[] = [];
  const off: Run[] = [];
  const ratios: number[] = [];
  for (let round = 1; round <= n; round++) {
    const tag = ` #${round}`;
    // Alternate which side goes first (the machine warms up, neighbours come and go).
    if (round % 2 === 1) {
      off.push(await measure(false, upstream, seconds, tag, pinned));
      on.push(await measure(true, upstream, seconds, tag, pinned));
    } else {
      on.push(await measure(true, upstream, seconds, tag, pinned));
      off.push(await measure(false, upstream, seconds, tag, pinned));
    }
    ratios.push(on[round - 1]!.requestsPerSec / off[round - 1]!.requestsPerSec);
    console.log(`  round ${round}: on/off ${ratios[round - 1]!.toFixed(3)}`);
  }
  const a = median(on);
  const b = median(off);
  const r2 = (x: number) => Math.round(x * 1000) / 1000;
  const figures: TelemetryFigures = {
    telemetry_on_rps: Math.round(a.requestsPerSec),
    telemetry_off_rps: Math.round(b.requestsPerSec),
    telemetry_rps_ratio: r2(a.requestsPerSec / b.requestsPerSec),
    telemetry_ratio_median_of_rounds: r2([...ratios].sort((x, y) => x - y)[Math.floor((ratios.length - 1) / 2)]!),
    telemetry_on_cpu_us_per_req: Math.round((a.cpuUsPerReq ?? 0) * 10) / 10,
    telemetry_log_reader_cpu_us_per_req: Math.round((a.readerUsPerReq ?? 0) * 100) / 100,
    telemetry_off_cpu_us_per_req: Math.round((b.cpuUsPerReq ?? 0) * 10) / 10,
    telemetry_rounds: n,
    telemetry_pinned: pinned,
  };
  console.log(`telemetry (metrics + access log, defaults) on vs off: ${figures.telemetry_on_rps} vs ${figures.telemetry_off_rps} req/s = ${figures.telemetry_rps_ratio}× (median of per-round ratios ${figures.telemetry_ratio_median_of_rounds}); cpu ${figures.telemetry_on_cpu_us_per_req} vs ${figures.telemetry_off_cpu_us_per_req} µs/req (log reader ${figures.telemetry_log_reader_cpu_us_per_req}); load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  return figures;
}
