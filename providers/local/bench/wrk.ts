// Runs wrk (Debian package) and parses its --latency report.
import { execFile } from "node:child_process";
import { procCpuSeconds } from "./proc.js";

export interface WrkResult {
  requestsPerSec: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  /** Socket errors (connect, read, write, timeout) plus non-2xx/3xx responses. */
  errors: number;
  /** What the errors were, e.g. `timeout 12, non-2xx 3` (empty without errors). */
  errorKinds: string;
  /** CPU seconds wrk itself used (sampled from /proc every 100 ms; undefined off Linux). */
  wrkCpuSeconds?: number;
}

export interface WrkOptions {
  url: string;
  threads: number;
  connections: number;
  durationSec: number;
  /** Extra request headers, e.g. `Host: bench.example`. */
  headers?: string[];
}

export async function wrk(o: WrkOptions): Promise<WrkResult> {
  const args = ["-t", String(o.threads), "-c", String(o.connections), "-d", `${o.durationSec}s`, "--latency"];
  for (const h of o.headers ?? []) args.push("-H", h);
  args.push(o.url);
  let cpu: number | undefined;
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = execFile("wrk", args, { timeout: (o.durationSec + 30) * 1000 }, (err, out) => {
      clearInterval(poll);
      if (err) reject(err);
      else resolve(out);
    });
    const poll = setInterval(() => {
      try {
        if (child.pid !== undefined) cpu = procCpuSeconds(child.pid);
      } catch {
        // exited, or no /proc
      }
    }, 100);
  });
  const r = parseWrk(stdout);
  if (cpu !== undefined) r.wrkCpuSeconds = cpu;
  return r;
}


/** Parses wrk's text output (exported for tests). */
export function parseWrk(out: string): WrkResult {
  const num = (re: RegExp): number | undefined => {
    const m = re.exec(out);
    return m ? Number(m[1]) : undefined;
  };
  const latency = (pct: string): number => {
    const m = new RegExp(`^\\s*${pct}%\\s+([\\d.]+)(us|ms|s)\\s*$`, "m").exec(out);
    if (!m) throw new Error(`wrk output has no ${pct}% latency line:\n${out}`);
    const v = Number(m[1]);
    return m[2] === "us" ? v / 1000 : m[2] === "s" ? v * 1000 : v;
  };
  const rps = num(/^Requests\/sec:\s+([\d.]+)/m);
  const requests = num(/^\s*(\d+) requests in /m);
  if (rps === undefined || requests === undefined) throw new Error(`cannot parse wrk output:\n${out}`);
  const non2xx = num(/Non-2xx or 3xx responses:\s+(\d+)/) ?? 0;
  let errors = non2xx;
  const kinds: string[] = [];
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  if (sock) {
    ["connect", "read", "write", "timeout"].forEach((k, i) => {
      const n = Number(sock[i + 1]);
      errors += n;
      if (n > 0) kinds.push(`${k} ${n}`);
    });
  }
  if (non2xx > 0) kinds.push(`non-2xx ${non2xx}`);
  return { requestsPerSec: rps, requests, p50Ms: latency("50"), p99Ms: latency("99"), errors, errorKinds: kinds.join(", ") };
}
