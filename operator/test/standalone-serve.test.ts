// `gatehouse standalone` as a process: serves traffic from a manifest directory, prints
// statuses, hot-reloads on file changes, keeps the last good config on bad input, drains on
// SIGTERM. Each test has its own 127.252.<n>.0/24 block.
import test from "ava";
import { rmSync } from "node:fs";
import { join } from "node:path";
import {
  backendYaml, gatewayYaml, get, getUntil, portOffset, routeYaml, spawnStandalone, startEcho, tempDir, write,
} from "./standalone-harness.js";

test("serves a directory on the listener port + --port-offset and prints each object's status", async (t) => {
  const echo = await startEcho("echo-a", "127.252.1.10");
  t.teardown(() => echo.close());
  const dir = tempDir();
  const offset = portOffset(1);
  write(dir, "gateway.yaml", gatewayYaml({ address: "127.252.1.1" }));
  write(dir, "backend.yaml", backendYaml("a", echo));
  write(dir, "route.yaml", routeYaml("a", "/", "a"));
  const g = spawnStandalone(["--config", dir, "--port-offset", String(offset), "--workers", "1"]);
  t.teardown(() => g.stop());

  await g.waitFor(/^Gateway default\/gw: Programmed=True \(Programmed\), addresses 127\.252\.1\.1$/m);
  const r = await getUntil(`http://127.252.1.1:${80 + offset}/hello`, (x) => x.status === 200);
  t.is(r.body, "echo-a /hello");

  const out = g.stdout();
  t.regex(out, /^GatewayClass local: Accepted=True \(Accepted\)$/m);
  t.regex(out, new RegExp(`^  listener http \\(HTTP 80, served on ${80 + offset}\\): Programmed=True \\(Programmed\\), 1 route$`, "m"));
  t.regex(out, /^HTTPRoute default\/a\n  parent Gateway default\/gw: Accepted=True \(Accepted\), ResolvedRefs=True \(ResolvedRefs\)$/m);
  t.is(g.stderr(), "", "no problems, no logs at the default level");
});

test("a new route file is served without a restart; a removed one stops matching", async (t) => {
  const a = await startEcho("echo-a", "127.252.2.10");
  const b = await startEcho("echo-b", "127.252.2.11");
  t.teardown(() => Promise.all([a.close(), b.close()]));
  const dir = tempDir();
  const offset = portOffset(2);
  write(dir, "gateway.yaml", gatewayYaml({ address: "127.252.2.1" }));
  write(dir, "backends.yaml", `${backendYaml("a", a)}---\n${backendYaml("b", b)}`);
  write(dir, "route-a.yaml", routeYaml("a", "/a", "a"));
  const g = spawnStandalone(["--config", dir, "--port-offset", String(offset), "--workers", "1"]);
  t.teardown(() => g.stop());
  const base = `http://127.252.2.1:${80 + offset}`;
  await g.waitFor(/^Gateway default\/gw: Programmed=True/m);
  await getUntil(`${base}/a`, (r) => r.status === 200);
  t.is((await get(`${base}/b`)).status, 404, "no route for /b yet");

  const pid = g.proc.pid;
  write(dir, "route-b.yaml", routeYaml("b", "/b", "b"));
  await g.waitFor(/^reloaded: \+ HTTPRoute default\/b$/m);
  const rb = await getUntil(`${base}/b/x`, (r) => r.status === 200);
  t.is(rb.body, "echo-b /b/x");
  t.is((await get(`${base}/a`)).body, "echo-a /a", "the first route still serves");
  t.regex(g.stdout(), /^HTTPRoute default\/b\n  parent Gateway default\/gw: Accepted=True/m);
  t.is(g.proc.pid, pid);
  t.is(g.proc.exitCode, null, "same process, no restart");

  rmSync(join(dir, "route-b.yaml"));
  await g.waitFor(/^reloaded: - HTTPRoute default\/b$/m);
  await getUntil(`${base}/b`, (r) => r.status === 404);
  t.pass();
});

test("bad input is reported with file, object and field; the last good config keeps serving", async (t) => {
  const a = await startEcho("echo-a", "127.252.3.10");
  const b = await startEcho("echo-b", "127.252.3.11");
  t.teardown(() => Promise.all([a.close(), b.close()]));
  const dir = tempDir();
  const offset = portOffset(3);
  write(dir, "gateway.yaml", gatewayYaml({ address: "127.252.3.1" }));
  write(dir, "backends.yaml", `${backendYaml("a", a)}---\n${backendYaml("b", b)}`);
  write(dir, "route.yaml", routeYaml("a", "/", "a"));
  const g = spawnStandalone(["--config", dir, "--port-offset", String(offset), "--workers", "1"]);
  t.teardown(() => g.stop());
  const url = `http://127.252.3.1:${80 + offset}/`;
  await g.waitFor(/^Gateway default\/gw: Programmed=True/m);
  await getUntil(url, (r) => r.status === 200);

  // Invalid YAML, in the file that holds the route: the error names the file and the line.
  write(dir, "route.yaml", "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n  metadata: [\n");
  const yamlError = await g.waitFor(/^gatehouse: (\S*route\.yaml): line \d+, column \d+: .*\(not reloaded: still serving the last good config\)$/m, "stderr");
  t.is(yamlError[1], join(dir, "route.yaml"));
  t.is((await get(url)).body, "echo-a /", "old config still serves");

  // A wrong-typed field: file, line, object and field path.
  write(dir, "route.yaml", routeYaml("a", "/", "b").replace("port: 80", "port: eighty"));
  await g.waitFor(/^gatehouse: \S*route\.yaml:1: HTTPRoute default\/a: spec\.rules\[0\]\.backendRefs\[0\]\.port: expected an integer, got a string "eighty" \(not reloaded/m, "stderr");
  // An object without metadata.name.
  write(dir, "extra.yaml", "apiVersion: v1\nkind: Service\nmetadata: { namespace: default }\n");
  await g.waitFor(/^gatehouse: \S*extra\.yaml:1: Service: metadata\.name: missing/m, "stderr");
  t.is((await get(url)).body, "echo-a /", "still the last good config (route to a)");
  t.notRegex(g.stdout(), /reloaded/);

  // Fixed: the change applies.
  rmSync(join(dir, "extra.yaml"));
  write(dir, "route.yaml", routeYaml("a", "/", "b"));
  await g.waitFor(/^reloaded: ~ HTTPRoute default\/a$/m);
  const r = await getUntil(url, (x) => x.body === "echo-b /");
  t.is(r.status, 200);
});

test("objects the graph finds invalid are reported through their status conditions", async (t) => {
  const dir = tempDir();
  const offset = portOffset(4);
  write(dir, "gateway.yaml", gatewayYaml({ address: "127.252.4.1" }));
  write(dir, "route.yaml", routeYaml("a", "/", "missing"));
  const g = spawnStandalone(["--config", dir, "--port-offset", String(offset), "--workers", "1"]);
  t.teardown(() => g.stop());
  await g.waitFor(/^HTTPRoute default\/a\n  parent Gateway default\/gw: Accepted=True \(Accepted\), ResolvedRefs=False \(BackendNotFound\)\n      ResolvedRefs: spec\.rules\[0\]\.backendRefs\[0\]: .*missing/m);
  // A rule whose backends are all invalid answers 500.
  const r = await getUntil(`http://127.252.4.1:${80 + offset}/`, (x) => x.status !== 0);
  t.is(r.status, 500);
});

test("--address-pool: a Gateway without spec.addresses serves on the pool's first address", async (t) => {
  const echo = await startEcho("echo-a", "127.252.5.10");
  t.teardown(() => echo.close());
  const dir = tempDir();
  const offset = portOffset(5);
  write(dir, "all.yaml", `${gatewayYaml()}---\n${backendYaml("a", echo)}---\n${routeYaml("a", "/", "a")}`);
  const g = spawnStandalone(["--config", dir, "--port-offset", String(offset), "--workers", "1", "--address-pool", "127.252.5.0/29"]);
  t.teardown(() => g.stop());
  const m = await g.waitFor(/^Gateway default\/gw: Programmed=True \(Programmed\), addresses (\S+)$/m);
  t.true(m[1]!.startsWith("127.252.5."), m[1]);
  const r = await getUntil(`http://${m[1]}:${80 + offset}/`, (x) => x.status === 200);
  t.is(r.body, "echo-a /");
});

test("a config file (controllerName + manifests) is watched too; SIGTERM drains and exits 0", async (t) => {
  const echo = await startEcho("echo-a", "127.252.6.10");
  t.teardown(() => echo.close());
  const dir = tempDir();
  const offset = portOffset(6);
  write(dir, "one.yaml", `${gatewayYaml({ address: "127.252.6.1" })}---\n${backendYaml("a", echo)}`);
  write(dir, "two.yaml", routeYaml("a", "/", "a"));
  write(dir, "standalone.yaml", "controllerName: gatehouse.dev/local\nmanifests: [one.yaml]\n");
  const g = spawnStandalone(["--config", join(dir, "standalone.yaml"), "--port-offset", String(offset), "--workers", "1"]);
  const url = `http://127.252.6.1:${80 + offset}/`;
  await g.waitFor(/^Gateway default\/gw: Programmed=True/m);
  t.is((await getUntil(url, (r) => r.status !== 0)).status, 404, "no route: two.yaml is not listed");

  write(dir, "standalone.yaml", "controllerName: gatehouse.dev/local\nmanifests: [one.yaml, two.yaml]\n");
  await g.waitFor(/^reloaded: \+ HTTPRoute default\/a$/m);
  t.is((await getUntil(url, (r) => r.status === 200)).body, "echo-a /");

  write(dir, "standalone.yaml", "controllerName: gatehouse.dev/local\nmanifests: [one.yaml, nope.yaml]\n");
  await g.waitFor(/^gatehouse: \S*standalone\.yaml: manifests\[1\]: no such file: .*nope\.yaml \(not reloaded/m, "stderr");
  t.is((await get(url)).status, 200, "still serving");

  t.is(await g.stop(), 0);
  t.regex(g.stdout(), /^stopping: draining connections$/m);
});
