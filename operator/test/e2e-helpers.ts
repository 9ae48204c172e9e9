// Helpers for end-to-end tests: a real control plane (test/harness), the operator in-process
// through its container, and a raw JSON client to create objects and read statuses.
import { threadId } from "node:worker_threads";
import type { Container } from "inversify";
import { pino, type Logger } from "pino";
import { parseAllDocuments } from "yaml";
import test from "ava";
import { startControlPlane, type ControlPlane } from "@gatehouse/test-harness";
import { CORE_RESOURCES, GATEHOUSE_RESOURCES, KubeClient, GATEWAY_RESOURCES, resourcePath, type ResourceType } from "../src/kube/client.js";
import { OPERATOR_TOKENS } from "../src/ports.js";
import { buildContainer, type ContainerOptions } from "../src/run/container.js";
import type { Metrics } from "../src/run/metrics.js";
import type { Operator } from "../src/run/operator.js";
import { defaultSettings, type Settings } from "../src/run/settings.js";
import { RUN_TOKENS } from "../src/run/tokens.js";

export type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: unknown }; spec?: any; status?: any; [k: string]: unknown };

const RESOURCES: Record<string, ResourceType> = { ...GATEWAY_RESOURCES, ...CORE_RESOURCES, ...GATEHOUSE_RESOURCES };

export interface RunningOperator {
  op: Operator;
  container: Container;
  metrics: Metrics;
  settings: Settings;
  stop(): Promise<void>;
}

let pools = 0;

/**
 * A loopback address pool of its own (127.a.b.0/24) for each operator a test starts: test
 * files run in parallel (and two replicas run in one file), and each Gateway binds its
 * listener ports on its pool address, so pools must not overlap.
 */
export function testAddressPool(): string {
  const a = 2 + ((process.pid * 31 + threadId) % 250);
  return `127.${a}.${pools++ % 256}.0/24`;
}

/**
 * The operator as `gatehouse run` assembles it, on the control plane's kubeconfig; HTTP on
 * free loopback ports; the local proxy in loopback mode on a pool of its own, serving in the
 * test's thread.
 */
export async function startOperator(cp: ControlPlane, settings: Partial<Settings> = {}, opts: Partial<ContainerOptions> = {}): Promise<RunningOperator> {
  const s = defaultSettings({
    kubeconfig: cp.kubeconfigPath,
    metricsAddress: { host: "127.0.0.1", port: 0 },
    healthAddress: { host: "127.0.0.1", port: 0 },
    leaderElect: false,
    localAddresses: "loopback",
    addressPool: [testAddressPool()],
    proxyWorkers: 0,
    ...settings,
  });
  const logger: Logger = opts.logger ?? testLogger();
  const c = buildContainer(s, { ...opts, logger });
  const op = c.get<Operator>(RUN_TOKENS.Operator);
  await op.start();
  return { op, container: c, metrics: c.get<Metrics>(OPERATOR_TOKENS.Metrics), settings: s, stop: () => op.stop() };
}

/** Silent unless GATEHOUSE_TEST_LOGS is set (then JSON logs on stderr). */
export function testLogger(name = "gatehouse"): Logger {
  return pino({ name, level: process.env["GATEHOUSE_TEST_LOGS"] ? "debug" : "silent" });
}

export class Kube {
  readonly client: KubeClient;
  constructor(cp: ControlPlane) { this.client = new KubeClient(cp.kubeConfig, { userAgent: "gatehouse-e2e" }); }

  static path(kind: string, namespace: string | undefined, name?: string, subresource?: string): string {
    const t = RESOURCES[kind];
    if (!t) throw new Error(`e2e: unknown kind ${kind}`);
    return resourcePath(t, { ...(namespace ? { namespace } : {}), ...(name !== undefined ? { name } : {}), ...(subresource ? { subresource } : {}) });
  }

  /** Creates an object; throws with the server's status code and message on failure. */
  async create(o: Obj): Promise<Obj> {
    const r = await this.client.post<Obj & { message?: string }>(Kube.path(o.kind, o.metadata.namespace), o);
    if (r.status !== 201 && r.status !== 200) throw new ApiError(r.status, r.body?.message ?? JSON.stringify(r.body));
    return r.body;
  }

  /** Creates every document of a YAML text in `namespace` (cluster-scoped kinds ignore it). */
  async apply(yamlText: string, namespace: string): Promise<Obj[]> {
    const out: Obj[] = [];
    for (const d of parseAllDocuments(yamlText)) {
      const o = d.toJS() as Obj | null;
      if (!o) continue;
      if (RESOURCES[o.kind]?.namespaced) o.metadata.namespace ??= namespace;
      out.push(await this.create(o));
    }
    return out;
  }

  async get(kind: string, namespace: string | undefined, name: string): Promise<Obj | undefined> {
    const r = await this.client.get<Obj>(Kube.path(kind, namespace, name));
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw new ApiError(r.status, JSON.stringify(r.body));
    return r.body;
  }

  /** GET, change, PUT (retried on 409). */
  async update(kind: string, namespace: string | undefined, name: string, change: (o: Obj) => void, subresource?: string): Promise<Obj> {
    for (;;) {
      const o = await this.get(kind, namespace, name);
      if (!o) throw new Error(`e2e: ${kind} ${namespace}/${name} not found`);
      change(o);
      const r = await this.client.put<Obj>(Kube.path(kind, namespace, name, subresource), o);
      if (r.status === 200) return r.body;
      if (r.status !== 409) throw new ApiError(r.status, JSON.stringify(r.body));
    }
  }

  async delete(kind: string, namespace: string | undefined, name: string): Promise<void> {
    await this.client.delete(Kube.path(kind, namespace, name));
  }

  /** Polls until `pred` holds for the object (generous timeout; never a timing assertion). */
  async waitFor(kind: string, namespace: string | undefined, name: string, pred: (o: Obj) => boolean, what: string, timeoutMs = 60_000): Promise<Obj> {
    const deadline = Date.now() + timeoutMs;
    let last: Obj | undefined;
    for (;;) {
      last = await this.get(kind, namespace, name).catch(() => undefined);
      if (last && pred(last)) return last;
      if (Date.now() > deadline) {
        throw new Error(`e2e: timed out waiting for ${kind} ${namespace ?? ""}/${name}: ${what}; last status: ${JSON.stringify(last?.status)}`);
      }
      await sleep(100);
    }
  }

  close(): void { this.client.close(); }
}

export class ApiError extends Error {
  constructor(readonly status: number, message: string) { super(`${status}: ${message}`); }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Cond = { type: string; status: string; reason: string; message: string; observedGeneration?: number };

export function condition(o: Obj | undefined, type: string): Cond | undefined {
  return (o?.status?.conditions as Cond[] | undefined)?.find((c) => c.type === type);
}

/** Our entries in a route's status.parents. */
export function parents(o: Obj | undefined, controllerName: string): { parentRef: { name: string; sectionName?: string; namespace?: string }; conditions: Cond[] }[] {
  return ((o?.status?.parents ?? []) as { controllerName: string; parentRef: any; conditions: Cond[] }[]).filter((p) => p.controllerName === controllerName);
}

export function parentCondition(o: Obj | undefined, controllerName: string, type: string, parentName?: string): Cond | undefined {
  const ps = parents(o, controllerName).filter((p) => parentName === undefined || p.parentRef.name === parentName);
  return ps[0]?.conditions.find((c) => c.type === type);
}

/** Polls a condition until it is met. */
export async function eventually(cond: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`e2e: timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Unique controllerName per test file, so tests sharing a control plane never see each other's classes. */
export function controllerFor(file: string): string {
  return `gatehouse.dev/e2e-${file}`;
}

/** An object's annotations (empty when it has none). */
export const annotationsOf = (o: Obj | undefined): Record<string, string> => (o?.metadata["annotations"] ?? {}) as Record<string, string>;

/** A GatewayClass + Gateway (HTTP listener on 80 for *.example.com, routes from the same namespace). */
export function gatewayYaml(className: string, controllerName: string, gateway = "gw"): string {
  return `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: ${className} }
spec: { controllerName: ${controllerName} }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: ${gateway} }
spec:
  gatewayClassName: ${className}
  listeners:
  - { name: http, port: 80, protocol: HTTP, hostname: "*.example.com" }
`;
}

export function routeYaml(name: string, opts: { parent?: string; section?: string; hostname?: string; backend?: string; backendNamespace?: string; path?: string } = {}): string {
  return `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name} }
spec:
  parentRefs: [{ name: ${opts.parent ?? "gw"}${opts.section ? `, sectionName: ${opts.section}` : ""} }]
  hostnames: ["${opts.hostname ?? "app.example.com"}"]
  rules:
  - matches: [{ path: { type: PathPrefix, value: "${opts.path ?? "/"}" } }]
    backendRefs: [{ name: ${opts.backend ?? "svc"}, port: 80${opts.backendNamespace ? `, namespace: ${opts.backendNamespace}` : ""} }]
`;
}

export function serviceYaml(name = "svc"): string {
  return `
apiVersion: v1
kind: Service
metadata: { name: ${name} }
spec: { ports: [{ port: 80, targetPort: 8080 }] }
`;
}

/** GET an HTTP path of the operator's servers: status code and body. */
export async function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: r.status, body: await r.text() };
}

export interface OperatorSuite { cp: ControlPlane; kube: Kube; run: RunningOperator }

/** One control plane and one operator serving `controllerName` per test file: started before its tests, stopped after. */
export function useOperator(controllerName: string): OperatorSuite {
  const env = {} as OperatorSuite;
  test.before(async () => {
    env.cp = await startControlPlane();
    env.kube = new Kube(env.cp);
    env.run = await startOperator(env.cp, { controllerNames: [controllerName] });
  });
  test.after.always(async () => {
    await env.run?.stop();
    env.kube?.close();
    await env.cp?.stop();
  });
  return env;
}

/**
 * 100 internal ports of a test file's own (every replica binds them on 0.0.0.0, and test files
 * run in parallel), within [base, base + 5000). Keep base + 5000 below 32768, where the kernel's
 * ephemeral range starts: an outgoing connection elsewhere could otherwise hold one (EADDRINUSE).
 */
export function ownInternalPorts(base: number): { from: number; to: number } {
  const from = base + ((process.pid * 31 + threadId) % 50) * 100;
  return { from, to: from + 99 };
}
