// /metrics, /healthz and /readyz over node:http. When --metrics-address and --health-address
// are the same, one server answers all three.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { Metrics } from "./metrics.js";
import type { ListenAddress } from "./settings.js";

export interface Probes {
  /** true after the first successful reconcile, until shutdown starts. */
  ready(): boolean;
  /** Why not ready, when known (e.g. missing CRDs). */
  reason?(): string | undefined;
}

type Route = "metrics" | "health";

export class HttpServers {
  private readonly servers: { server: Server; routes: Set<Route>; bound?: AddressInfo }[] = [];

  constructor(
    private readonly opts: { metrics?: ListenAddress | undefined; health?: ListenAddress | undefined },
    private readonly metrics: Metrics,
    private readonly probes: Probes,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const wanted = new Map<string, { addr: ListenAddress; routes: Set<Route> }>();
    const add = (addr: ListenAddress | undefined, route: Route) => {
      if (!addr) return;
      // Port 0 asks for a free port: two such addresses are two servers.
      const key = addr.port === 0 ? `${addr.host}:0:${route}` : `${addr.host}:${addr.port}`;
      const w = wanted.get(key) ?? { addr, routes: new Set<Route>() };
      w.routes.add(route);
      wanted.set(key, w);
    };
    add(this.opts.metrics, "metrics");
    add(this.opts.health, "health");
    for (const { addr, routes } of wanted.values()) {
      const server = createServer((req, res) => void this.handle(routes, req.url ?? "/", res));
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(addr.port, addr.host || undefined, () => { server.off("error", reject); resolve(); });
      });
      const bound = server.address() as AddressInfo;
      this.servers.push({ server, routes, bound });
      this.log.info({ address: `${bound.address}:${bound.port}`, serves: [...routes] }, "http server listening");
    }
  }

  /** Bound port of the server serving `route` (tests use port 0). */
  port(route: Route): number | undefined {
    return this.servers.find((s) => s.routes.has(route))?.bound?.port;
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map(({ server }) => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    })));
    this.servers.length = 0;
  }

  private async handle(routes: Set<Route>, url: string, res: import("node:http").ServerResponse): Promise<void> {
    const path = url.split("?")[0];
    const text = (code: number, body: string, type = "text/plain; charset=utf-8") => {
      res.writeHead(code, { "content-type": type });
      res.end(body);
    };
    try {
      if (routes.has("metrics") && path === "/metrics") {
        return text(200, await this.metrics.registry.metrics(), this.metrics.registry.contentType);
      }
      if (routes.has("health") && (path === "/healthz" || path === "/livez")) {
        return text(200, "ok\n"); // the process answers: it is alive
      }
      if (routes.has("health") && path === "/readyz") {
        return this.probes.ready() ? text(200, "ok\n") : text(503, `not ready: ${this.probes.reason?.() ?? "no successful reconcile yet"}\n`);
      }
      text(404, "not found\n");
    } catch (e) {
      text(500, `${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
}
