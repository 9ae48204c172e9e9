// Helpers for the standalone tests: echo backends on loopback addresses, manifest
// directories, and `node dist/src/main.js standalone` as a child process whose output a test
// can wait for. Addresses: 127.252.0.0/14-ish blocks, one /24 per test (other operator tests
// use 127.2–251.x), so parallel test files never collide. Waits are bounded (liveness only).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
export const MAIN = join(root, "operator/dist/src/main.js");
const WAIT_MS = 60_000;

export interface Echo { name: string; host: string; port: number; close(): Promise<void> }

/** An HTTP server on host (free port) answering every request with `<name> <path>`. */
export async function startEcho(name: string, host: string): Promise<Echo> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => res.end(`${name} ${req.url}`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    name, host, port,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

export function tempDir(prefix = "gatehouse-standalone-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function write(dir: string, file: string, text: string): void {
  writeFileSync(join(dir, file), text);
}

/** GatewayClass + a Gateway (HTTP listener on `port`, optionally pinned to `address`). */
export function gatewayYaml(opts: { address?: string; port?: number; name?: string } = {}): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: local }
spec: { controllerName: gatehouse.dev/local }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: ${opts.name ?? "gw"}, namespace: default }
spec:
  gatewayClassName: local
${opts.address ? `  addresses: [{ type: IPAddress, value: ${opts.address} }]\n` : ""}  listeners:
    - { name: http, port: ${opts.port ?? 80}, protocol: HTTP }
`;
}

/** A Service named `name` with an EndpointSlice pointing at the echo server. */
export function backendYaml(name: string, echo: Echo): string {
  return `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: default }
spec:
  ports: [{ name: http, port: 80, targetPort: ${echo.port} }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${name}-local
  namespace: default
  labels: { kubernetes.io/service-name: ${name} }
addressType: IPv4
ports: [{ name: http, port: ${echo.port}, protocol: TCP }]
endpoints:
  - addresses: ["${echo.host}"]
    conditions: { ready: true }
`;
}

/** An HTTPRoute on Gateway gw: PathPrefix `path` → Service `backend`. */
export function routeYaml(name: string, path: string, backend: string): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  rules:
    - matches: [{ path: { type: PathPrefix, value: ${path} } }]
      backendRefs: [{ name: ${backend}, port: 80 }]
`;
}

export interface Gatehouse {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match in stdout (or stderr) at or after `from` (an offset of that stream). */
  waitFor(re: RegExp, stream?: "stdout" | "stderr", from?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Spawns `gatehouse standalone <args>` the way users run it. */
export function spawnStandalone(args: string[]): Gatehouse {
  const proc = spawn(process.execPath, [MAIN, "standalone", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const out = { stdout: "", stderr: "" };
  const waiters = new Set<() => void>();
  for (const s of ["stdout", "stderr"] as const) {
    proc[s]!.setEncoding("utf8");
    proc[s]!.on("data", (d: string) => {
      out[s] += d;
      for (const w of [...waiters]) w();
    });
  }
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => {
    for (const w of [...waiters]) w();
    resolve(code);
  }));
  const waitFor = (re: RegExp, stream: "stdout" | "stderr" = "stdout", from = 0) => new Promise<RegExpMatchArray>((resolve, reject) => {
    const check = () => {
      const m = out[stream].slice(from).match(re);
      if (m) return done(() => resolve(m));
      if (proc.exitCode !== null) done(() => reject(new Error(`gatehouse exited (${proc.exitCode}) before ${re} in ${stream}:\n${out.stdout}\n--- stderr:\n${out.stderr}`)));
    };
    const timer = setTimeout(() => done(() => reject(new Error(`no ${re} in ${stream} within ${WAIT_MS} ms:\n${out.stdout}\n--- stderr:\n${out.stderr}`))), WAIT_MS);
    const done = (f: () => void) => { clearTimeout(timer); waiters.delete(check); f(); };
    waiters.add(check);
    check();
  });
  return {
    proc, exited, waitFor,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    stop: async () => {
      if (proc.exitCode === null) proc.kill("SIGTERM");
      return exited;
    },
  };
}

export interface Response { status: number; body: string; headers: http.IncomingHttpHeaders }

/** One request on a fresh connection (no keep-alive: nothing left for a drain to wait on). */
export function get(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { connection: "close", ...headers }, timeout: 10_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => { body += d; });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
  });
}

/** Repeats `get` until `ok` holds (bounded: liveness only); resolves with the last response. */
export async function getUntil(url: string, ok: (r: Response) => boolean, tries = 200): Promise<Response> {
  let last: Response | undefined;
  let error: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      last = await get(url);
      if (ok(last)) return last;
    } catch (e) {
      error = e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no good answer from ${url} after ${tries} tries: ${last ? `${last.status} ${last.body}` : String(error)}`);
}

/** A port offset for this test: listener port 80 + offset lands in 20000–39999. */
export function portOffset(seed: number): number {
  return 20000 + ((process.pid * 7919 + seed * 104729) % 20000) - 80;
}
