// LocalProvider in a cluster: internal ports on 0.0.0.0 and the Exposer (the operator's side).
// The factories here record instead of binding (no 0.0.0.0 sockets in tests).
import test from "ava";
import type { BoundPort, PortFactory } from "../src/runtime/types.js";
import type { FactoryTable } from "../src/runtime/factories.js";
import type { ExposureResult, Exposer, GatewayExposure } from "../src/addresses/types.js";
import { LocalProvider } from "../src/provider.js";
import { desiredOf, docs, gateway, gatewayClass, http, programmedOf, proxyConfig } from "./fixtures/provider-world.js";
import { recorder } from "./fixtures/runtime-util.js";

function recordingFactories(): { table: FactoryTable; bound: BoundPort[] } {
  const bound: BoundPort[] = [];
  const f: PortFactory = (port) => ({
    protocol: port.protocol,
    listen: async () => { bound.push(port); },
    update: () => undefined,
    drain: async () => undefined,
  });
  return { bound, table: { HTTP: f, HTTPS: f, TLS: f, TCP: f, UDP: f } };
}

class FakeExposer implements Exposer {
  calls: GatewayExposure[][] = [];
  constructor(private readonly answer: (g: GatewayExposure) => ExposureResult) {}
  async expose(gateways: GatewayExposure[]): Promise<ExposureResult[]> {
    this.calls.push(gateways);
    return gateways.map(this.answer);
  }
}

const world = docs(
  gatewayClass("local", "svc"),
  proxyConfig("svc", `{ service: { type: NodePort, labels: { team: edge, tier: class }, annotations: { a: from-class } } }`),
  gateway("a", `[${http("web", 80)}, { name: dns, port: 53, protocol: UDP }, { name: dnstcp, port: 53, protocol: TCP }]`, {
    extra: `  infrastructure: { labels: { tier: gateway }, annotations: { b: from-gateway } }`,
  }),
  gateway("b", `[${http("web", 80)}]`),
);

test("every replica binds 0.0.0.0 on the same internal ports; the Exposer gets the Service shape and gives the addresses", async (t) => {
  const exposer = new FakeExposer((g) => g.name === "a"
    ? { gateway: g.gateway, addresses: [{ type: "IPAddress", value: "203.0.113.7" }], ready: true, message: "" }
    : { gateway: g.gateway, addresses: [], ready: false, message: "waiting for a load balancer address" });
  const replicas = [recordingFactories(), recordingFactories()];
  const providers = replicas.map((f) => new LocalProvider({
    workers: 0, inCluster: { exposer, portRange: { from: 30000, to: 30099 } }, logger: recorder().log, factories: f.table,
  }));
  t.teardown(() => Promise.all(providers.map((p) => p.close())));
  const desired = desiredOf(world);
  // The second replica sees the Gateways in another order: same ports anyway.
  const results = [
    await providers[0]!.apply(await providers[0]!.plan(desired), desired),
    await providers[1]!.apply({ controllerName: "gatehouse.dev/local", changes: [] }, { gateways: [...desired.gateways].reverse() }),
  ];
  const ports = replicas.map((f) => f.bound.map((p) => `${p.gateway} ${p.protocol} ${p.listenerPort} → ${p.id}`).sort());
  t.deepEqual(ports[0], ports[1]);
  t.is(ports[0]!.length, 4);
  for (const p of replicas[0]!.bound) {
    t.is(p.host, "0.0.0.0");
    t.true(p.port >= 30000 && p.port <= 30099);
  }
  const internal = (gw: string, port: number) => replicas[0]!.bound.find((p) => p.gateway === gw && p.listenerPort === port)!.port;
  t.not(internal("default/a", 80), internal("default/b", 80), "two Gateways on port 80, two internal ports");
  t.is(internal("default/a", 53), replicas[0]!.bound.find((p) => p.gateway === "default/a" && p.protocol === "UDP")!.port, "TCP and UDP 53 share one target port");

  const exposure = exposer.calls[0]!;
  t.deepEqual(exposure.map((g) => g.gateway), ["default/a", "default/b"]);
  t.deepEqual(exposure[0], {
    gateway: "default/a", namespace: "default", name: "a", serviceType: "NodePort",
    ports: [
      { port: 53, protocol: "TCP", targetPort: internal("default/a", 53) },
      { port: 53, protocol: "UDP", targetPort: internal("default/a", 53) },
      { port: 80, protocol: "TCP", targetPort: internal("default/a", 80) },
    ],
    labels: { team: "edge", tier: "gateway" },
    annotations: { a: "from-class", b: "from-gateway" },
  });

  for (const r of results) {
    t.like(r.gateways[0], { key: "default/a", programmed: true, addresses: [{ type: "IPAddress", value: "203.0.113.7" }] });
    t.like(r.gateways[1], { key: "default/b", programmed: false, reason: "AddressNotAssigned", message: "waiting for a load balancer address" });
  }
  t.like(programmedOf(world, results[0]!, "default/b"), { status: "False", reason: "AddressNotAssigned", message: "waiting for a load balancer address" });
});

test("no exposer, or a failing one: AddressNotAssigned, the ports still served", async (t) => {
  const f = recordingFactories();
  const none = new LocalProvider({ workers: 0, inCluster: {}, logger: recorder().log, factories: f.table });
  t.teardown(() => none.close());
  const r = await none.apply({ controllerName: "gatehouse.dev/local", changes: [] }, desiredOf(world));
  t.like(r.gateways[0], { programmed: false, reason: "AddressNotAssigned" });
  t.true(f.bound.every((p) => p.port >= 20000 && p.port <= 29999), "default range 20000-29999");
  t.is(f.bound.length, 4);

  const failing: Exposer = { expose: async () => { throw new Error("services is forbidden"); } };
  const g = recordingFactories();
  const p = new LocalProvider({ workers: 0, inCluster: { exposer: failing }, logger: recorder().log, factories: g.table });
  t.teardown(() => p.close());
  const r2 = await p.apply({ controllerName: "gatehouse.dev/local", changes: [] }, desiredOf(world));
  t.like(r2.gateways[1], { programmed: false, reason: "AddressNotAssigned", message: "exposing the Gateway failed: services is forbidden" });
});
