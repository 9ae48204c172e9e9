import "reflect-metadata";
import test from "ava";
import { Container } from "inversify";
import type { Capabilities } from "@gatehouse/model";
import {
  ProviderRegistry, TOKENS, emptyResults, findGatewayResult, findRouteError, providerApiModule, routeResultKey,
  type Plan, type Provider, type ProviderResults,
} from "../src/index.js";

function caps(controllerName: string): Capabilities {
  return { controllerName, protocols: ["HTTP"], tlsModes: [], routeKinds: ["HTTPRoute"], features: [], limits: {} };
}

// The smallest Provider that satisfies the contract: plans nothing, reports no gateways.
class FakeProvider implements Provider {
  readonly capabilities: Capabilities;
  readonly needsFinalizer = false;
  constructor(controllerName: string) { this.capabilities = caps(controllerName); }
  async plan(): Promise<Plan> { return { controllerName: this.capabilities.controllerName, changes: [] }; }
  async apply(): Promise<ProviderResults> { return emptyResults(this.capabilities.controllerName); }
  async finalize() { return { done: true, message: "nothing to remove" }; }
  async close() {}
}

test("container with two providers: registry maps controllerName → provider, sorted", async (t) => {
  const c = new Container();
  const b = new FakeProvider("example.com/zeta");
  const a = new FakeProvider("example.com/alpha");
  c.bind<Provider>(TOKENS.Provider).toConstantValue(b);
  c.bind<Provider>(TOKENS.Provider).toConstantValue(a);
  await c.load(providerApiModule);
  const reg = c.get<ProviderRegistry>(TOKENS.ProviderRegistry);
  t.true(reg instanceof ProviderRegistry);
  t.is(reg.size, 2);
  t.is(reg.get("example.com/alpha"), a);
  t.is(reg.require("example.com/zeta"), b);
  t.is(reg.get("example.com/other"), undefined);
  t.deepEqual(reg.controllerNames(), ["example.com/alpha", "example.com/zeta"]);
  t.deepEqual(reg.capabilities().map((x) => x.controllerName), ["example.com/alpha", "example.com/zeta"]);
  t.is(c.get(TOKENS.ProviderRegistry), reg, "singleton");
  const plan = await reg.require("example.com/alpha").plan({} as never);
  t.deepEqual(plan, { controllerName: "example.com/alpha", changes: [] });
});

test("container with two providers of one controllerName is rejected with a clear error", async (t) => {
  const c = new Container();
  c.bind<Provider>(TOKENS.Provider).toConstantValue(new FakeProvider("example.com/dup"));
  c.bind<Provider>(TOKENS.Provider).toConstantValue(new FakeProvider("example.com/dup"));
  await c.load(providerApiModule);
  const err = t.throws(() => c.get(TOKENS.ProviderRegistry));
  t.regex(String(err?.message ?? err), /two providers are bound for controllerName "example\.com\/dup"/);
});

test("a provider without a controllerName is rejected", (t) => {
  const bad = { ...new FakeProvider("x"), capabilities: { ...caps("") } } as Provider;
  t.throws(() => new ProviderRegistry([bad]), { message: /no capabilities\.controllerName/ });
});

test("no providers bound: empty registry; require names the missing controller", async (t) => {
  const c = new Container();
  await c.load(providerApiModule);
  const reg = c.get<ProviderRegistry>(TOKENS.ProviderRegistry);
  t.is(reg.size, 0);
  t.throws(() => reg.require("example.com/x"), { message: /no provider for controllerName "example\.com\/x" \(bound: none\)/ });
});

test("result lookups: by controller, gateway key and route key", (t) => {
  const results: ProviderResults[] = [
    { controllerName: "a", gateways: [{ key: "ns/gw", programmed: true, reason: "Programmed", message: "", addresses: [], listeners: [] }],
      routes: [{ route: routeResultKey("HTTPRoute", "ns", "r"), gatewayKey: "ns/gw", error: { reason: "NoResources", message: "quota" } }] },
    { controllerName: "b", gateways: [], routes: [] },
  ];
  t.is(routeResultKey("HTTPRoute", "ns", "r"), "httproute/ns/r");
  t.is(findGatewayResult(results, "a", "ns/gw")?.programmed, true);
  t.is(findGatewayResult(results, "b", "ns/gw"), undefined, "only the owning controller's result counts");
  t.deepEqual(findRouteError(results, "a", "httproute/ns/r", "ns/gw"), { reason: "NoResources", message: "quota" });
  t.is(findRouteError(results, "a", "httproute/ns/r", "ns/other"), undefined);
  t.is(findRouteError(results, "b", "httproute/ns/r", "ns/gw"), undefined);
});
