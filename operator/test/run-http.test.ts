// /metrics, /healthz, /readyz on one or two node:http servers.
import test from "ava";
import { createServer } from "node:net";
import { pino } from "pino";
import { HttpServers } from "../src/run/health.js";
import { Metrics } from "../src/run/metrics.js";

test("readyz is 503 until ready; healthz 200; metrics from the process's own registry", async (t) => {
  let ready = false;
  const metrics = new Metrics();
  metrics.reconciles.inc({ result: "success" });
  const servers = new HttpServers({ metrics: { host: "127.0.0.1", port: 0 }, health: { host: "127.0.0.1", port: 0 } }, metrics, { ready: () => ready }, pino({ level: "silent" }));
  await servers.start();
  const h = servers.port("health")!, m = servers.port("metrics")!;
  t.not(h, m, "port 0 twice: two servers");
  t.is((await fetch(`http://127.0.0.1:${h}/healthz`)).status, 200);
  t.is((await fetch(`http://127.0.0.1:${h}/readyz`)).status, 503);
  ready = true;
  t.is((await fetch(`http://127.0.0.1:${h}/readyz`)).status, 200);
  t.is((await fetch(`http://127.0.0.1:${h}/metrics`)).status, 404, "metrics only on the metrics address");
  const body = await (await fetch(`http://127.0.0.1:${m}/metrics`)).text();
  t.regex(body, /gatehouse_reconcile_total\{result="success"\} 1/);
  t.regex(body, /gatehouse_process_cpu_seconds_total/);
  await servers.stop();

  const again = new Metrics();
  t.is(await again.value("gatehouse_reconcile_total"), 0, "a Registry per Metrics, not the global one");
});

test("one address for both: a single server answers all paths", async (t) => {
  const probe = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
  const addr = { host: "127.0.0.1", port: probe };
  const servers = new HttpServers({ metrics: addr, health: addr }, new Metrics(), { ready: () => true }, pino({ level: "silent" }));
  await servers.start();
  t.is(servers.port("health"), servers.port("metrics"));
  t.is((await fetch(`http://127.0.0.1:${probe}/metrics`)).status, 200);
  t.is((await fetch(`http://127.0.0.1:${probe}/readyz`)).status, 200);
  await servers.stop();
});
