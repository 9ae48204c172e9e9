// Local backend vs nginx, same run, same upstream, same wrk settings:
//   HTTP with one worker each and with N workers each (req/s, p50/p99), TCP passthrough
//   (TCPRoute vs nginx stream), and config churn (500 route/endpoint changes under load).
// Prints the figures and a final JSON line. Needs nginx-light, libnginx-mod-stream and wrk
// (Debian packages). Run: `cd providers/local && pnpm bench` (env BENCH_SECONDS, default 10;
// BENCH_ROUNDS, default 1; BENCH_ONLY=tcp,http1,httpN,churn,telemetry runs only those parts;
// telemetry: bench/telemetry.ts, metrics + access logs on vs off; BENCH_MAX_OTHERS=<% of a
// core>: rounds during which other processes were that busy are measured again). Each run
// prints the proxy's CPU per request and what wrk, the upstream and other processes took.
import { availableParallelism, loadavg } from "node:os";
import { LocalProvider } from "../src/provider.js";
import { requireTools, startHttpProxy, startStreamProxy, startUpstream, type Nginx } from "./nginx.js";
import { wrk, type WrkResult } from "./wrk.js";
import { benchDesired, type BenchWorld } from "./world.js";
import { waitForPort } from "./net.js";
import { machineBusySeconds } from "./proc.js";
import { telemetryBench } from "./telemetry.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/**
 * Each pair (nginx, gatehouse) is measured this many times, alternating which goes first; each
 * side's median run (by req/s) and the median of the rounds' ratios are reported. More than 1
 * steadies the ratios on a shared, noisy machine.
 */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
/** If set: rounds during which other processes took more than this % of a core are run again (see pairRounds). */
const MAX_OTHERS = process.env.BENCH_MAX_OTHERS !== undefined ? Number(process.env.BENCH_MAX_OTHERS) : undefined;
const N = availableParallelism();
const PARTS = ["http1", "httpN", "tcp", "churn", "telemetry"] as const;
type Part = (typeof PARTS)[number];
const ONLY = new Set((process.env.BENCH_ONLY ?? PARTS.join(",")).split(",").map((p) => p.trim()).filter((p) => p !== ""));
for (const p of ONLY) if (!(PARTS as readonly string[]).includes(p)) throw new Error(`BENCH_ONLY: unknown part ${p} (parts: ${PARTS.join(", ")})`);
const runs = (p: Part): boolean => ONLY.has(p);
const UP = [{ host: "127.0.20.1", port: 18080 }, { host: "127.0.20.4", port: 18080 }];
const NGINX = { host: "127.0.20.2", port: 18081 };
const GATEHOUSE = { host: "127.0.20.3", port: 18082 };

async function gatehouse(workers: number, w: BenchWorld): Promise<LocalProvider> {
  const p = new LocalProvider({ workers, logger: () => {} });
  const desired = benchDesired(w);
  const res = await p.apply(await p.plan(desired), desired);
  const g = res.gateways[0];
  if (!g?.programmed) throw new Error(`bench: gateway not programmed: ${g?.reason}: ${g?.message}`);
  await waitForPort(w.address, w.port, 10_000);
  return p;
}

/** CPU seconds the proxy under test used so far (undefined: unknown). */
type CpuMeter = () => number | undefined;
/** This process (the gatehouse workers are its threads; the main thread waits for wrk meanwhile). */
const ownCpu: CpuMeter = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

interface Measured extends WrkResult {
  /** Proxy CPU per request, µs (the machine's cores are shared by wrk, the upstream and the proxy). */
  cpuUsPerReq?: number;
  /** CPU other processes used during the run, % of one core. */
  othersCorePct?: number;
}

/** The shared upstreams' workers (set in main). */
let upstreams: Nginx[] = [];
function upstreamCpu(): number | undefined {
  let sum = 0;
  for (const u of upstreams) {
    const c = u.cpuSeconds();
    if (c === undefined) return undefined;
    sum += c;
  }
  return sum;
}

/**
 * One wrk run after a warm-up. Besides wrk's figures: the proxy's CPU per request, and the CPU
 * that processes other than wrk, the upstream and the proxy took meanwhile ("others"): the
 * machine is shared, and a run with busy neighbours says little.
 */
async function measure(label: string, url: string, threads: number, connections: number, cpu?: CpuMeter): Promise<Measured> {
  await wrk({ url, threads, connections, durationSec: 2 }); // warm-up (JIT, pools)
  const before = cpu?.();
  const upBefore = upstreamCpu();
  const busyBefore = machineBusySeconds();
  const r: Measured = await wrk({ url, threads, connections, durationSec: SECONDS });
  const after = cpu?.();
  const upAfter = upstreamCpu();
  const busyAfter = machineBusySeconds();
  let cpuText = "";
  if (before !== undefined && after !== undefined && r.requests > 0) {
    r.cpuUsPerReq = ((after - before) * 1e6) / r.requests;
    cpuText = `  cpu ${r.cpuUsPerReq.toFixed(1)} µs/req (${(((after - before) / SECONDS) * 100).toFixed(0)}% of a core)`;
    if (busyBefore !== undefined && busyAfter !== undefined && upBefore !== undefined && upAfter !== undefined && r.wrkCpuSeconds !== undefined) {
      const others = busyAfter - busyBefore - (after - before) - (upAfter - upBefore) - r.wrkCpuSeconds;
      r.othersCorePct = Math.max(0, Math.round((others / SECONDS) * 100));
      const pct = (sec: number): string => `${Math.round((sec / SECONDS) * 100)}%`;
      cpuText += `; wrk ${pct(r.wrkCpuSeconds)}, upstream ${pct(upAfter - upBefore)}, others ${r.othersCorePct}%`;
    }
  }
  console.log(`${label.padEnd(34)} ${r.requestsPerSec.toFixed(0).padStart(8)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  errors ${r.errors}${r.errors > 0 ? ` (${r.errorKinds})` : ""}${cpuText}  load ${loadavg()[0]!.toFixed(2)}`);
  return r;
}

function median<T extends WrkResult>(runs: T[]): T {
  const sorted = [...runs].sort((a, b) => a.requestsPerSec - b.requestsPerSec);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** nginx and gatehouse figures of one pair of runs, their medians over the rounds kept. */
interface Pair {
  nginx: Measured;
  gatehouse: Measured;
  /** Median of the rounds' gatehouse/nginx req/s ratios. */
  pairedRatio: number;
  /** Median of the rounds' gatehouse/nginx CPU-per-request ratios (when measured). */
  cpuRatio?: number;
  /** Rounds measured again because other processes were busy (BENCH_MAX_OTHERS). */
  discarded: number;
}

/**
 * Runs nginx and gatehouse ROUNDS times each, alternating which goes first (a neighbour's load
 * drifting over the run falls on both). With BENCH_MAX_OTHERS set, a round in which other
 * processes took more than that % of a core during either run is printed, not counted, and
 * measured again (at most 3·ROUNDS attempts; then the busy rounds count too, said so).
 */
async function pairRounds(name: string, runNginx: (tag: string) => Promise<Measured>, runOurs: (tag: string) => Promise<Measured>): Promise<Pair> {
  const kept: { ng: Measured; ours: Measured }[] = [];
  const busy: { ng: Measured; ours: Measured }[] = [];
  const maxAttempts = MAX_OTHERS === undefined ? ROUNDS : 3 * ROUNDS;
  for (let attempt = 1; attempt <= maxAttempts && kept.length < ROUNDS; attempt++) {
    const tag = ROUNDS > 1 || MAX_OTHERS !== undefined ? ` #${attempt}` : "";
    let ng: Measured;
    let ours: Measured;
    if (attempt % 2 === 1) {
      ng = await runNginx(tag);
      ours = await runOurs(tag);
    } else {
      ours = await runOurs(tag);
      ng = await runNginx(tag);
    }
    const others = Math.max(ng.othersCorePct ?? 0, ours.othersCorePct ?? 0);
    const quiet = MAX_OTHERS === undefined || others <= MAX_OTHERS;
    (quiet ? kept : busy).push({ ng, ours });
    if (ROUNDS > 1 || !quiet) {
      console.log(`  ${name} round ${attempt}: ${(ours.requestsPerSec / ng.requestsPerSec).toFixed(2)}× nginx req/s${quiet ? "" : ` — not counted: others took ${others}% of a core (BENCH_MAX_OTHERS ${MAX_OTHERS})`}`);
    }
  }
  if (kept.length < ROUNDS) {
    console.log(`  ${name}: only ${kept.length} quiet round(s) of ${ROUNDS}; busy ones count too`);
    kept.push(...busy.splice(0, ROUNDS - kept.length));
  }
  const discarded = busy.length;
  const nginx = median(kept.map((k) => k.ng));
  const ours = median(kept.map((k) => k.ours));
  const pairedRatio = medianOf(kept.map((k) => k.ours.requestsPerSec / k.ng.requestsPerSec));
  const cpu = kept.filter((k) => k.ours.cpuUsPerReq !== undefined && k.ng.cpuUsPerReq !== undefined).map((k) => k.ours.cpuUsPerReq! / k.ng.cpuUsPerReq!);
  if (kept.length > 1) {
    console.log(`${`  median of ${kept.length}: nginx`.padEnd(34)} ${nginx.requestsPerSec.toFixed(0).padStart(8)} req/s  p99 ${nginx.p99Ms.toFixed(2)} ms; gatehouse ${ours.requestsPerSec.toFixed(0)} req/s  p99 ${ours.p99Ms.toFixed(2)} ms; median round ratio ${pairedRatio.toFixed(2)}×`);
  }
  return { nginx, gatehouse: ours, pairedRatio, ...(cpu.length === kept.length ? { cpuRatio: medianOf(cpu) } : {}), discarded };
}

/** HTTP: one HTTPRoute vs nginx proxy_pass with upstream keepalive, `workers` workers each, 50 connections per worker. */
function httpPair(workers: number): Promise<Pair> {
  const threads = Math.min(workers, 2);
  const conns = 50 * workers;
  return pairRounds(`http ${workers}w`, async (tag) => {
    const ng: Nginx = await startHttpProxy(workers, NGINX, UP[0]!);
    try {
      return await measure(`nginx http, ${workers} worker(s)${tag}`, `http://${NGINX.host}:${NGINX.port}/`, threads, conns, () => ng.cpuSeconds());
    } finally {
      await ng.stop();
    }
  }, async (tag) => {
    const gh = await gatehouse(workers, { address: GATEHOUSE.host, port: GATEHOUSE.port, kind: "HTTP", upstreams: [UP[0]!] });
    try {
      return await measure(`gatehouse http, ${workers} worker(s)${tag}`, `http://${GATEHOUSE.host}:${GATEHOUSE.port}/`, threads, conns, ownCpu);
    } finally {
      await gh.close();
    }
  });
}

/** TCP passthrough: wrk's HTTP/1.1 keep-alive requests relayed as raw bytes (50 connections, one worker each). */
function tcpPair(): Promise<Pair> {
  return pairRounds("tcp", async (tag) => {
    const ng = await startStreamProxy(1, NGINX, UP[0]!);
    try {
      return await measure(`nginx stream (tcp), 1 worker${tag}`, `http://${NGINX.host}:${NGINX.port}/`, 1, 50, () => ng.cpuSeconds());
    } finally {
      await ng.stop();
    }
  }, async (tag) => {
    const gh = await gatehouse(1, { address: GATEHOUSE.host, port: GATEHOUSE.port, kind: "TCP", upstreams: [UP[0]!] });
    try {
      return await measure(`gatehouse tcproute, 1 worker${tag}`, `http://${GATEHOUSE.host}:${GATEHOUSE.port}/`, 1, 50, ownCpu);
    } finally {
      await gh.close();
    }
  });
}

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** 500 changes (a route added/removed, the endpoint set changed) while wrk runs: every request must succeed. */
async function churn(): Promise<{ changes: number; requests: number; errors: number }> {
  const workers = N;
  const base: BenchWorld = { address: GATEHOUSE.host, port: GATEHOUSE.port, kind: "HTTP", upstreams: [UP[0]!] };
  const p = await gatehouse(workers, base);
  const load = wrk({ url: `http://${GATEHOUSE.host}:${GATEHOUSE.port}/`, threads: 1, connections: 20, durationSec: Math.max(SECONDS, 10) });
  let changes = 0;
  const deadline = Date.now() + Math.max(SECONDS, 10) * 1000 - 1000;
  for (let i = 0; i < 500 && Date.now() < deadline; i++) {
    const w: BenchWorld = {
      ...base,
      upstreams: i % 2 === 0 ? [UP[0]!, UP[1]!] : [UP[i % 4 === 1 ? 1 : 0]!],
      extraRoutes: Array.from({ length: i % 7 }, (_, k) => k + (i % 3)),
    };
    const d = benchDesired(w);
    await p.apply(await p.plan(d), d);
    changes++;
  }
  const r = await load;
  await p.close();
  console.log(`${"config churn under load".padEnd(34)} ${changes} changes, ${r.requests} requests, ${r.errors} failed`);
  return { changes, requests: r.requests, errors: r.errors };
}

async function main(): Promise<void> {
  requireTools();
  console.log(`local backend vs nginx; ${N} CPUs; wrk ${SECONDS}s per run after a 2s warm-up; same upstream (nginx, fixed 20-byte body)${ROUNDS > 1 ? `; median of ${ROUNDS} alternating rounds` : ""}; parts ${[...ONLY].join(",")}; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  const upstream = await startUpstream(UP[0]!.host, UP[0]!.port, 1);
  const upstream2 = await startUpstream(UP[1]!.host, UP[1]!.port, 1);
  upstreams = [upstream, upstream2];
  try {
    const one = runs("http1") ? await httpPair(1) : undefined;
    const many = runs("httpN") ? await httpPair(N) : undefined;
    const tcp = runs("tcp") ? await tcpPair() : undefined;
    const ch = runs("churn") ? await churn() : undefined;
    const tel = runs("telemetry") ? await telemetryBench(UP[0]!, SECONDS, ROUNDS) : undefined;
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    const discarded = (one?.discarded ?? 0) + (many?.discarded ?? 0) + (tcp?.discarded ?? 0);
    const summary = {
      cpus: N,
      loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
      ...(MAX_OTHERS !== undefined ? { max_others_core_pct: MAX_OTHERS, busy_rounds_discarded: discarded } : {}),
      ...(one ? {
        http1_rps_ratio: ratio(one.gatehouse.requestsPerSec, one.nginx.requestsPerSec),
        http1_rps_ratio_median_of_rounds: Math.round(one.pairedRatio * 100) / 100,
        http1_p99_ratio: ratio(one.gatehouse.p99Ms, one.nginx.p99Ms),
        gatehouse_http1_rps: Math.round(one.gatehouse.requestsPerSec),
        nginx_http1_rps: Math.round(one.nginx.requestsPerSec),
        ...(one.gatehouse.cpuUsPerReq !== undefined && one.nginx.cpuUsPerReq !== undefined ? {
          gatehouse_http1_cpu_us_per_req: Math.round(one.gatehouse.cpuUsPerReq * 10) / 10,
          nginx_http1_cpu_us_per_req: Math.round(one.nginx.cpuUsPerReq * 10) / 10,
        } : {}),
      } : {}),
      ...(many ? {
        httpN_rps_ratio: ratio(many.gatehouse.requestsPerSec, many.nginx.requestsPerSec),
        httpN_rps_ratio_median_of_rounds: Math.round(many.pairedRatio * 100) / 100,
        httpN_p99_ratio: ratio(many.gatehouse.p99Ms, many.nginx.p99Ms),
      } : {}),
      ...(one && many ? {
        gatehouse_scaling: ratio(many.gatehouse.requestsPerSec, one.gatehouse.requestsPerSec),
        nginx_scaling: ratio(many.nginx.requestsPerSec, one.nginx.requestsPerSec),
      } : {}),
      ...(tcp ? {
        tcp_rps_ratio: ratio(tcp.gatehouse.requestsPerSec, tcp.nginx.requestsPerSec),
        tcp_rps_ratio_median_of_rounds: Math.round(tcp.pairedRatio * 100) / 100,
        ...(tcp.cpuRatio !== undefined ? { tcp_cpu_per_req_ratio: Math.round(tcp.cpuRatio * 100) / 100 } : {}),
        tcp_p99_ratio: ratio(tcp.gatehouse.p99Ms, tcp.nginx.p99Ms),
        gatehouse_tcp_rps: Math.round(tcp.gatehouse.requestsPerSec),
        nginx_tcp_rps: Math.round(tcp.nginx.requestsPerSec),
        ...(tcp.gatehouse.cpuUsPerReq !== undefined && tcp.nginx.cpuUsPerReq !== undefined ? {
          gatehouse_tcp_cpu_us_per_req: Math.round(tcp.gatehouse.cpuUsPerReq * 10) / 10,
          nginx_tcp_cpu_us_per_req: Math.round(tcp.nginx.cpuUsPerReq * 10) / 10,
        } : {}),
        ...(tcp.gatehouse.othersCorePct !== undefined && tcp.nginx.othersCorePct !== undefined ? {
          tcp_others_core_pct: [tcp.nginx.othersCorePct, tcp.gatehouse.othersCorePct],
        } : {}),
      } : {}),
      ...(ch ? { churn_changes: ch.changes, churn_requests: ch.requests, churn_failed: ch.errors } : {}),
      ...(tel ?? {}),
    };
    if (one) console.log(`http 1 worker: ${summary.http1_rps_ratio}× nginx req/s, p99 ${summary.http1_p99_ratio}× nginx`);
    if (many) console.log(`http ${N} workers: ${summary.httpN_rps_ratio}× nginx req/s, p99 ${summary.httpN_p99_ratio}×${one ? `; scaling 1→${N}: gatehouse ${summary.gatehouse_scaling}×, nginx ${summary.nginx_scaling}×` : ""}`);
    if (tcp) console.log(`tcp passthrough: ${summary.tcp_rps_ratio}× nginx stream (median of round ratios ${summary.tcp_rps_ratio_median_of_rounds}×), p99 ${summary.tcp_p99_ratio}×${summary.tcp_cpu_per_req_ratio !== undefined ? `, CPU per request ${summary.tcp_cpu_per_req_ratio}× nginx's` : ""}`);
    console.log(`load average at the end: ${summary.loadavg.join(" ")}`);
    console.log(JSON.stringify(summary));
  } finally {
    await upstream.stop();
    await upstream2.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
