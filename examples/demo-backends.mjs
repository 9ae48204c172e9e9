#!/usr/bin/env node
// Small echo servers for the examples (plain Node, no dependencies). Each HTTP one answers
// every request with its name on the first line, then the request it received (method, path,
// headers), so you can see what the gateway sent: X-Forwarded-For, rewritten paths, ...
// The TCP one answers each line it reads with `<name>: <line>`.
//
//   node examples/demo-backends.mjs                       # the backends examples/manifests use
//   node examples/demo-backends.mjs web=127.0.0.21:5678   # your own HTTP ones: name=host:port ...
//
// Also a module: `startDemoBackends(list)` (examples/quickstart.mjs and tests use it).
import { createServer } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { fileURLToPath } from "node:url";

/** The backends of examples/manifests/30-backends.yaml. */
export const DEMO_BACKENDS = [
  { name: "stable-1", host: "127.0.0.11", port: 5678 },
  { name: "stable-2", host: "127.0.0.12", port: 5678 },
  { name: "canary", host: "127.0.0.13", port: 5678 },
  { name: "tcp-echo", host: "127.0.0.14", port: 5679, protocol: "tcp" },
];

/** Starts one echo server per entry; resolves to { servers, close() } once all listen. */
export async function startDemoBackends(list = DEMO_BACKENDS) {
  const servers = [];
  try {
    for (const b of list) servers.push(await listen(b));
  } catch (e) {
    await Promise.all(servers.map(closeServer));
    throw e;
  }
  return {
    servers: servers.map((s, i) => ({ ...list[i], port: s.address().port })),
    close: () => Promise.all(servers.map(closeServer)).then(() => undefined),
  };
}

function listen({ name, host, port, protocol }) {
  const server = protocol === "tcp" ? tcpEcho(name) : createServer((req, res) => {
    // Drain the body (so keep-alive works), then answer.
    req.resume();
    req.on("end", () => {
      const lines = [name, `${req.method} ${req.url} HTTP/${req.httpVersion}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i].toLowerCase()}: ${req.rawHeaders[i + 1]}`);
      const body = `${lines.join("\n")}\n`;
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body), "x-backend": name });
      res.end(body);
    });
  });
  if (protocol !== "tcp") server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once("error", (e) => reject(new Error(`demo backend ${name} on ${host}:${port}: ${e.code === "EADDRINUSE" ? "address in use" : e.message}`)));
    server.listen(port, host, () => resolve(server));
  });
}

function tcpEcho(name) {
  const server = createTcpServer((socket) => {
    let pending = "";
    socket.setEncoding("utf8");
    socket.on("data", (d) => {
      pending += d;
      let i;
      while ((i = pending.indexOf("\n")) >= 0) {
        socket.write(`${name}: ${pending.slice(0, i)}\n`);
        pending = pending.slice(i + 1);
      }
    });
    socket.on("error", () => socket.destroy());
  });
  // net.Server has no closeAllConnections(): track sockets to end them on close.
  const sockets = new Set();
  server.on("connection", (s) => { sockets.add(s); s.on("close", () => sockets.delete(s)); });
  server.closeAllConnections = () => { for (const s of sockets) s.destroy(); };
  return server;
}

function closeServer(server) {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function parseArgs(args) {
  return args.map((a) => {
    const m = /^([\w.-]+)=([\d.]+):(\d+)$/.exec(a);
    if (!m) {
      process.stderr.write(`demo-backends: ${JSON.stringify(a)} is not name=host:port\n`);
      process.exit(2);
    }
    return { name: m[1], host: m[2], port: Number(m[3]) };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const list = process.argv.length > 2 ? parseArgs(process.argv.slice(2)) : DEMO_BACKENDS;
  try {
    const running = await startDemoBackends(list);
    for (const s of running.servers) process.stdout.write(`demo backend ${s.name} on ${s.protocol ?? "http"}://${s.host}:${s.port}\n`);
    const stop = () => running.close().then(() => process.exit(0));
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  } catch (e) {
    process.stderr.write(`demo-backends: ${e.message}\n`);
    process.exit(1);
  }
}
