// Starts nginx (Debian package) with a generated config in a temp dir, as the peer the
// local backend is compared with in the same run, and as the shared upstream.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitForPort } from "./net.js";
import { childrenCpuSeconds } from "./proc.js";

const STREAM_MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so";

export interface Nginx {
  stop(): Promise<void>;
  /** CPU seconds (user + system) the worker processes used so far (undefined: /proc not readable). */
  cpuSeconds(): number | undefined;
}

export function requireTools(): void {
  const missing: string[] = [];
  for (const bin of ["nginx", "wrk"]) {
    try {
      execFileSync("sh", ["-c", `command -v ${bin}`], { stdio: "ignore" });
    } catch {
      missing.push(bin);
    }
  }
  if (!existsSync(STREAM_MODULE)) missing.push("libnginx-mod-stream");
  if (missing.length) {
    throw new Error(`bench: missing ${missing.join(", ")}: apt-get install -y nginx-light libnginx-mod-stream wrk`);
  }
}

/** Body is the `events`/`http`/`stream` blocks; workers and paths are filled in. */
async function startNginx(workers: number, body: string, probe: { host: string; port: number }): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-bench-nginx-"));
  const conf = `load_module ${STREAM_MODULE};
worker_processes ${workers};
daemon off;
master_process on;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
${body}
`;
  writeFileSync(join(dir, "nginx.conf"), conf);
  const child: ChildProcess = spawn("nginx", ["-p", dir, "-c", join(dir, "nginx.conf")], { stdio: ["ignore", "ignore", "inherit"] });
  await waitForPort(probe.host, probe.port, 10_000);
  return {
    cpuSeconds: () => childrenCpuSeconds(child.pid),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGQUIT");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const HTTP_COMMON = `access_log off; keepalive_requests 1000000; keepalive_timeout 75s;
  client_body_temp_path /tmp; proxy_temp_path /tmp; fastcgi_temp_path /tmp; uwsgi_temp_path /tmp; scgi_temp_path /tmp;`;

/** The upstream both proxies forward to: a fixed small response. */
export function startUpstream(host: string, port: number, workers = 1): Promise<Nginx> {
  return startNginx(workers, `http { ${HTTP_COMMON}
  server { listen ${host}:${port} reuseport; location / { default_type text/plain; return 200 "hello from upstream\\n"; } }
}`, { host, port });
}

/** nginx as an HTTP reverse proxy with upstream keepalive (the equivalent of one HTTPRoute). */
export function startHttpProxy(workers: number, listen: { host: string; port: number }, upstream: { host: string; port: number }): Promise<Nginx> {
  return startNginx(workers, `http { ${HTTP_COMMON}
  upstream backend { server ${upstream.host}:${upstream.port}; keepalive 256; }
  server {
    listen ${listen.host}:${listen.port} reuseport;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_buffering off;
    }
  }
}`, listen);
}

/** nginx stream proxy (the equivalent of one TCPRoute). */
export function startStreamProxy(workers: number, listen: { host: string; port: number }, upstream: { host: string; port: number }): Promise<Nginx> {
  return startNginx(workers, `stream {
  server { listen ${listen.host}:${listen.port} reuseport; proxy_pass ${upstream.host}:${upstream.port}; proxy_buffer_size 16k; tcp_nodelay on; }
}`, listen);
}
