// Telemetry overhead: the same proxy (1 worker) with metrics + access logs at their defaults
// (metrics counted and scraped every 2 s; every request logged as a JSON line to stdout, a
// pipe this process drains) against the same proxy with both off. Rounds alternate which
// side goes first; each side's median req/s is reported with the load average.
import { fork, type ChildProcess } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { waitForPort } from "./net.js";
import { procCpuSeconds } from "./proc.js";
import { wrk, type WrkResult } from "./wrk.js";

const PROXY = { host: "127.0.20.5", port: 18085 };
const CHILD = fileURLToPath(new URL("./telemetry-proxy.js", import.meta.url));

interface Run extends WrkResult { logLines: number; counted: number; dropped: number; cpuUsPerReq?: number }

async function start(on: boolean, upstream: { host: string; port: number }): Promise<{ child: ChildProcess; lines: () => number }> {
  const child = fork(CHILD, [JSON.stringify({ on, address: PROXY.host, port: PROXY.port, upstream, workers: 1 })], { stdio: ["ignore", "pipe", "inherit", "ipc"] });
  let lines = 0;
  child.stdout!.on("data", (c: Buffer) => {
    for (let i = c.indexOf(10); i >= 0; i = c.indexOf(10, i + 1)) lines++;
  });
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`bench: the telemetry proxy exited (${code})`)));
    child.on("message", (m: { ready?: boolean }) => { if (m.ready) resolve(); });
  });
  await waitForPort(PROXY.host, PROXY.port, 10_000);
  return { child, lines: () => lines };
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

async function measure(on: boolean, upstream: { host: string; port: number }, seconds: number, tag: string): Promise<Run> {
  const p = await start(on, upstream);
  const url = `http://${PROXY.host}:${PROXY.port}/`;
  await wrk({ url, threads: 1, connections: 50, durationSec: 2 });
  const lines0 = p.lines();
  const cpu0 = procCpuSeconds(p.child.pid!);
  const r = await wrk({ url, threads: 1, connections: 50, durationSec: seconds });
  const cpu1 = procCpuSeconds(p.child.pid!);
  // Let the last lines of the run reach the pipe before counting them.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const logLines = p.lines() - lines0;
  const { requests: counted, dropped } = await stop(p.child);
  const run: Run = { ...r, logLines, counted, dropped, cpuUsPerReq: ((cpu1 - cpu0) * 1e6) / Math.max(1, r.requests) };
  console.log(`${`gatehouse http, telemetry ${on ? "on " : "off"}${tag}`.padEnd(34)} ${r.requestsPerSec.toFixed(0).padStart(8)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  errors ${r.errors}  cpu ${run.cpuUsPerReq!.toFixed(1)} µs/req  log lines ${logLines}${on ? `  counted ${counted}  log lines dropped ${dropped}` : ""}  load ${loadavg()[0]!.toFixed(2)}`);
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
  telemetry_off_cpu_us_per_req: number;
  telemetry_rounds: number;
}

/** On vs off, `rounds` (at least 3) alternating rounds of `seconds` each. */
export async function telemetryBench(upstream: { host: string; port: number }, seconds: number, rounds: number): Promise<TelemetryFigures> {
  const n = Math.max(3, rounds);
  const on: Run[] = [];
  const off: Run[] = [];
  const ratios: number[] = [];
  for (let round = 1; round <= n; round++) {
    const tag = ` #${round}`;
    // Alternate which side goes first (the machine warms up, neighbours come and go).
    if (round % 2 === 1) {
      off.push(await measure(false, upstream, seconds, tag));
      on.push(await measure(true, upstream, seconds, tag));
    } else {
      on.push(await measure(true, upstream, seconds, tag));
      off.push(await measure(false, upstream, seconds, tag));
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
    telemetry_off_cpu_us_per_req: Math.round((b.cpuUsPerReq ?? 0) * 10) / 10,
    telemetry_rounds: n,
  };
  console.log(`telemetry (metrics + access log, defaults) on vs off: ${figures.telemetry_on_rps} vs ${figures.telemetry_off_rps} req/s = ${figures.telemetry_rps_ratio}× (median of per-round ratios ${figures.telemetry_ratio_median_of_rounds}); cpu ${figures.telemetry_on_cpu_us_per_req} vs ${figures.telemetry_off_cpu_us_per_req} µs/req; load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  return figures;
}
