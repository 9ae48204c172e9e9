#!/usr/bin/env node
// The quick start (`./dev main`): starts the demo backends, generates a throwaway TLS
// certificate, starts the standalone gateway on examples/standalone.yaml with listener ports
// shifted by --port-offset (default 8000: 80 → 8080, 443 → 8443), shows a short
// demonstration (the 90/10 canary split over 100 requests, a header-routed request, a
// redirect, HTTPS, raw TCP), then keeps serving until Ctrl-C.
//
//   node examples/quickstart.mjs [--port-offset N] [other gatehouse standalone flags]
//
// Needs `./dev build` first (./dev main does it). Plain Node, no dependencies.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startDemoBackends } from "./demo-backends.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = join(here, "..");
const gatehouseMain = join(root, "operator/dist/src/main.js");
const tlsFile = join(here, "manifests/25-demo-tls.generated.yaml");
const READY_TRIES = 150; // × 100 ms
const SPLIT_REQUESTS = 100;

const args = process.argv.slice(2);
let portOffset = 8000;
const passThrough = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--port-offset") portOffset = Number(args[++i]);
  else if (a.startsWith("--port-offset=")) portOffset = Number(a.slice("--port-offset=".length));
  else passThrough.push(a);
}
if (!Number.isInteger(portOffset) || portOffset < 0 || portOffset > 65000) {
  console.error("quickstart: --port-offset: expected a whole number from 0 to 65000");
  process.exit(2);
}
const httpPort = 80 + portOffset;
const httpsPort = 443 + portOffset;
const tcpPort = 7000 + portOffset;

const say = (line = "") => process.stdout.write(`${line}\n`);

// 1. A fresh self-signed certificate for the HTTPS listener (the key never enters git).
const ca = generateTlsSecret();

// 2. The demo backends.
let backends;
try {
  backends = await startDemoBackends();
} catch (e) {
  console.error(`quickstart: ${e.message}`);
  process.exit(1);
}
say(`demo backends: ${backends.servers.map((s) => `${s.name} on ${s.host}:${s.port}`).join(", ")}`);

// 3. The standalone gateway, in its own process group so that Ctrl-C reaches it once, from us.
const child = spawn(process.execPath, [gatehouseMain, "standalone", "--config", join(here, "standalone.yaml"),
  "--port-offset", String(portOffset), ...passThrough], { cwd: root, stdio: ["ignore", "pipe", "inherit"], detached: true });
let address;
let programmed = false;
let notUsable = false;
let pending = "";
child.stdout.setEncoding("utf8");
child.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  pending += chunk;
  const lines = pending.split("\n");
  pending = lines.pop() ?? "";
  for (const line of lines) {
    const m = /^Gateway default\/demo: (.*)$/.exec(line);
    if (!m) continue;
    programmed = m[1].includes("Programmed=True");
    notUsable = m[1].includes("(AddressNotUsable)");
    const a = /addresses (\S+)/.exec(m[1]);
    if (a) address = a[1];
  }
});
let exited;
const childExit = new Promise((resolve) => child.on("exit", (code, signal) => {
  exited = { code, signal };
  resolve(exited);
}));
process.on("exit", () => { if (!exited) try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ } });

let stopping = false;
const stop = async () => {
  if (stopping) {
    try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ }
    process.exit(1);
  }
  stopping = true;
  if (!exited) try { process.kill(-child.pid, "SIGTERM"); } catch { /* gone */ }
  const { code } = await childExit;
  await backends.close();
  process.exit(notUsable ? 1 : code ?? 0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
childExit.then(async ({ code, signal }) => {
  if (stopping) return;
  console.error(`quickstart: gatehouse exited (${signal ?? `code ${code}`})`);
  await backends.close();
  process.exit(code || 1);
});

// 4. Wait until the Gateway is programmed and answers.
let ready = false;
for (let i = 0; i < READY_TRIES && !exited && !stopping && !notUsable; i++) {
  if (programmed && address) {
    const r = await get(`http://${address}:${httpPort}/`).catch(() => undefined);
    if (r?.status === 200) { ready = true; break; }
  }
  await sleep(100);
}
if (!ready) {
  if (notUsable) {
    console.error(`quickstart: the Gateway cannot bind its ports (see its status above); try other ones: ./dev main --port-offset ${portOffset + 1000}`);
    await stop();
  } else if (!exited && !stopping) {
    console.error(`quickstart: the gateway did not answer on ${address ?? "its address"}:${httpPort} within ${READY_TRIES / 10} s`);
    await stop();
  }
} else {
  await demo();
}

async function demo() {
  const base = `http://${address}:${httpPort}`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  say("");
  say("── demo ─────────────────────────────────────────────────────────────────");
  const counts = new Map();
  let failed = 0;
  for (let i = 0; i < SPLIT_REQUESTS; i++) {
    const r = await get(`${base}/`, { agent }).catch(() => undefined);
    if (r?.status !== 200) { failed++; continue; }
    const name = r.body.split("\n")[0];
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  agent.destroy();
  say(`${SPLIT_REQUESTS} requests to ${base}/ (route app, rule split: app-stable 90, app-canary 10):`);
  for (const [name, n] of [...counts].sort()) say(`  ${name.padEnd(10)} ${String(n).padStart(3)}  ${"#".repeat(Math.round(n / 2))}`);
  const stable = [...counts].filter(([n]) => n.startsWith("stable")).reduce((s, [, n]) => s + n, 0);
  say(`  stable ${stable} / canary ${counts.get("canary") ?? 0}${failed ? ` / failed ${failed}` : ""}`);

  const pinned = await get(`${base}/`, { headers: { "x-canary": "always" } }).catch((e) => ({ error: e }));
  say(`x-canary: always → ${pinned.error ? `error: ${pinned.error.message}` : `${pinned.status} from ${pinned.body.split("\n")[0]}`} (rule pinned-canary)`);

  const moved = await get(`${base}/old-docs/intro`).catch((e) => ({ error: e }));
  say(`GET /old-docs/intro → ${moved.error ? `error: ${moved.error.message}` : `${moved.status} Location: ${moved.headers.location}`} (route moved)`);

  if (ca) {
    const tls = await get(`https://${address}:${httpsPort}/`, { ca, servername: "localhost" }).catch((e) => ({ error: e }));
    say(`https://localhost:${httpsPort}/ → ${tls.error ? `error: ${tls.error.message}` : `${tls.status} from ${tls.body.split("\n")[0]} (TLS terminated by gatehouse)`}`);
  }
  const tcp = await tcpLine(address, tcpPort, "hello").catch((e) => `error: ${e.message}`);
  say(`tcp ${address}:${tcpPort} "hello" → "${tcp}" (TCPRoute echo)`);
  say("");
  say("Try it:");
  say(`  curl -i http://${address}:${httpPort}/`);
  say(`  curl -H 'x-canary: always' http://${address}:${httpPort}/`);
  say(`  curl -i http://${address}:${httpPort}/old-docs/intro`);
  if (ca) say(`  curl -k https://localhost:${httpsPort}/`);
  say(`  nc ${address} ${tcpPort}        # type a line: tcp-echo answers it`);
  say("Edit examples/manifests/40-routes.yaml (say, weights 50/50) and save: gatehouse reloads it and");
  say("prints the new status; a mistake is reported and the last good config keeps serving.");
  say("Ctrl-C stops.");
  say("─────────────────────────────────────────────────────────────────────────");
}

/** Writes the demo-tls Secret with a new self-signed certificate; returns the certificate (PEM), or undefined without openssl. */
function generateTlsSecret() {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-demo-tls-"));
  try {
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "30",
      "-subj", "/CN=gatehouse demo (self-signed)", "-addext", "subjectAltName=DNS:localhost,DNS:*.localhost,IP:127.0.0.1",
      "-keyout", join(dir, "tls.key"), "-out", join(dir, "tls.crt")], { stdio: "ignore" });
    const crt = readFileSync(join(dir, "tls.crt"));
    const key = readFileSync(join(dir, "tls.key"));
    writeFileSync(tlsFile, [
      "# Generated by examples/quickstart.mjs at start (self-signed, 30 days). Not in git.",
      "apiVersion: v1",
      "kind: Secret",
      "metadata:",
      "  name: demo-tls",
      "  namespace: default",
      "type: kubernetes.io/tls",
      "data:",
      `  tls.crt: ${crt.toString("base64")}`,
      `  tls.key: ${key.toString("base64")}`,
      "",
    ].join("\n"), { mode: 0o600 });
    return crt.toString("utf8");
  } catch {
    say("quickstart: openssl not found: the https listener stays without a certificate (ResolvedRefs=False)");
    rmSync(tlsFile, { force: true });
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function get(url, opts = {}) {
  const mod = url.startsWith("https:") ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { timeout: 5000, ...opts }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => { body += d; });
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
  });
}

/** Sends one line over TCP and resolves with the first line of the answer. */
function tcpLine(host, port, line) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let got = "";
    socket.setEncoding("utf8");
    socket.setTimeout(5000, () => socket.destroy(new Error("timed out")));
    socket.on("connect", () => socket.write(`${line}\n`));
    socket.on("data", (d) => {
      got += d;
      const i = got.indexOf("\n");
      if (i >= 0) {
        socket.end();
        resolve(got.slice(0, i));
      }
    });
    socket.on("error", reject);
    socket.on("close", () => reject(new Error("closed without an answer")));
  });
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
