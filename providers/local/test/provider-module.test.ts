// localProviderModule: TOKENS.Provider → LocalProvider from the container's options; the registry finds it.
import "reflect-metadata";
import test from "ava";
import { Container } from "inversify";
import { TOKENS } from "@gatehouse/model";
import { providerApiModule, type ProviderRegistry, type Provider } from "@gatehouse/provider-api";
import { LOCAL_PROVIDER_TOKENS, LocalProvider, localProviderModule, localProviderModuleWith, type LocalProviderOptions } from "../src/index.js";
import { factories } from "./fixtures/runtime-factories.js";
import { recorder } from "./fixtures/runtime-util.js";

test("the module builds one LocalProvider from the bound options", async (t) => {
  const c = new Container();
  const opts: LocalProviderOptions = { workers: 0, logger: recorder().log, factories, controllerName: "example.com/local" };
  c.bind(LOCAL_PROVIDER_TOKENS.Options).toConstantValue(opts);
  await c.load(localProviderModule, providerApiModule);
  const p = c.get<Provider>(TOKENS.Provider);
  t.true(p instanceof LocalProvider);
  t.is(c.get<Provider>(TOKENS.Provider), p, "a singleton");
  const registry = c.get<ProviderRegistry>(TOKENS.ProviderRegistry);
  t.is(registry.get("example.com/local"), p);
  await p.close();
});

test("localProviderModuleWith takes the options directly", async (t) => {
  const c = new Container();
  await c.load(localProviderModuleWith({ workers: 0, logger: recorder().log, factories }));
  const p = c.get<Provider>(TOKENS.Provider);
  t.is(p.capabilities.controllerName, "gatehouse.dev/local");
  await p.close();
});
