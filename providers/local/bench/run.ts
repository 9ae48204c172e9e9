// Local backend vs nginx, same run, same upstream, same wrk settings:
//   HTTP with one worker each and with N workers each (req/s, p50/p99), TCP passthrough
//   (TCPRoute vs nginx stream), and config churn (500 route/endpoint changes under load).
// Prints the figures and a final JSON line. Needs nginx-light, libnginx-mod-stream and wrk
// (Debian packages). Run: `cd providers/local && pnpm bench` (env BENCH_SECONDS, default 10).
import { availableParallelism } from "node:os";
import { LocalProvider } from "../src/provider.js";
import { requireTools, startHttpProxy, startStreamProxy, startUpstream, type Nginx } from "./nginx.js";
import { wrk, type WrkResult } from "./wrk.js";
import { benchDesired, type BenchWorld } from "./world.js";
import { waitForPort } from "./net.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/**
 * HTTP pairs are measured this many times, alternating nginx and gatehouse; each side's median
 * run (by req/s) is reported. More than 1 steadies the ratios on a shared, noisy machine.
 */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
const N = availableParallelism();
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

async function measure(label: string, url: string, threads: number, connections: number): Promise<WrkResult> {
  await wrk({ url, threads, connections, durationSec: 2 }); // warm-up (JIT, pools)
  const r = await wrk({ url, threads, connections, durationSec: SECONDS });
  console.log(`${label.padEnd(34)} ${r.requestsPerSec.toFixed(0).padStart(8)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  errors ${r.errors}`);
  return r;
}

function median(runs: WrkResult[]): WrkResult {
  const sorted = [...runs].sort((a, b) => a.requestsPerSec - b.requestsPerSec);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

async function httpPair(workers: number): Promise<{ nginx: WrkResult; gatehouse: WrkResult }> {
  const threads = Math.min(workers, 2);
  const conns = 50 * workers;
  const nginxRuns: WrkResult[] = [];
  const ourRuns: WrkResult[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const tag = ROUNDS > 1 ? ` #${round}` : "";
    const ng: Nginx = await startHttpProxy(workers, NGINX, UP[0]!);
    nginxRuns.push(await measure(`nginx http, ${workers} worker(s)${tag}`, `http://${NGINX.host}:${NGINX.port}/`, threads, conns));
    await ng.stop();
    const gh = await gatehouse(workers, { address: GATEHOUSE.host, port: GATEHOUSE.port, kind: "HTTP", upstreams: [UP[0]!] });
    ourRuns.push(await measure(`gatehouse http, ${workers} worker(s)${tag}`, `http://${GATEHOUSE.host}:${GATEHOUSE.port}/`, threads, conns));
    await gh.close();
  }
  const nginx = median(nginxRuns);
  const ours = median(ourRuns);
  if (ROUNDS > 1) {
    console.log(`${`  median of ${ROUNDS}: nginx`.padEnd(34)} ${nginx.requestsPerSec.toFixed(0).padStart(8)} req/s  p99 ${nginx.p99Ms.toFixed(2)} ms; gatehouse ${ours.requestsPerSec.toFixed(0)} req/s  p99 ${ours.p99Ms.toFixed(2)} ms`);
  }
  return { nginx, gatehouse: ours };
}

async function tcpPair(): Promise<{ nginx: WrkResult; gatehouse: WrkResult }> {
  const ng = await startStreamProxy(1, NGINX, UP[0]!);
  const nginx = await measure("nginx stream (tcp), 1 worker", `http://${NGINX.host}:${NGINX.port}/`, 1, 50);
  await ng.stop();
  const gh = await gatehouse(1, { address: GATEHOUSE.host, port: GATEHOUSE.port, kind: "TCP", upstreams: [UP[0]!] });
  const ours = await measure("gatehouse tcproute, 1 worker", `http://${GATEHOUSE.host}:${GATEHOUSE.port}/`, 1, 50);
  await gh.close();
  return { nginx, gatehouse: ours };
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
  console.log(`local backend vs nginx; ${N} CPUs; wrk ${SECONDS}s per run after a 2s warm-up; same upstream (nginx, fixed 20-byte body)${ROUNDS > 1 ? `; HTTP: median of ${ROUNDS} alternating rounds` : ""}`);
  const upstream = await startUpstream(UP[0]!.host, UP[0]!.port, 1);
  const upstream2 = await startUpstream(UP[1]!.host, UP[1]!.port, 1);
  try {
    const one = await httpPair(1);
    const many = await httpPair(N);
    const tcp = await tcpPair();
    const ch = await churn();
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    const summary = {
      cpus: N,
      http1_rps_ratio: ratio(one.gatehouse.requestsPerSec, one.nginx.requestsPerSec),
      http1_p99_ratio: ratio(one.gatehouse.p99Ms, one.nginx.p99Ms),
      httpN_rps_ratio: ratio(many.gatehouse.requestsPerSec, many.nginx.requestsPerSec),
      httpN_p99_ratio: ratio(many.gatehouse.p99Ms, many.nginx.p99Ms),
      gatehouse_scaling: ratio(many.gatehouse.requestsPerSec, one.gatehouse.requestsPerSec),
      nginx_scaling: ratio(many.nginx.requestsPerSec, one.nginx.requestsPerSec),
      tcp_rps_ratio: ratio(tcp.gatehouse.requestsPerSec, tcp.nginx.requestsPerSec),
      gatehouse_http1_rps: Math.round(one.gatehouse.requestsPerSec),
      nginx_http1_rps: Math.round(one.nginx.requestsPerSec),
      churn_changes: ch.changes,
      churn_requests: ch.requests,
      churn_failed: ch.errors,
    };
    console.log(`http 1 worker: ${summary.http1_rps_ratio}× nginx req/s, p99 ${summary.http1_p99_ratio}× nginx`);
    console.log(`http ${N} workers: ${summary.httpN_rps_ratio}× nginx req/s, p99 ${summary.httpN_p99_ratio}×; scaling 1→${N}: gatehouse ${summary.gatehouse_scaling}×, nginx ${summary.nginx_scaling}×`);
    console.log(`tcp passthrough: ${summary.tcp_rps_ratio}× nginx stream`);
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
