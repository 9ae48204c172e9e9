import "reflect-metadata";
import { injectable, multiInject, optional } from "inversify";
import { TOKENS, type Capabilities } from "@gatehouse/model";
import type { Provider } from "./contract.js";

/**
 * Every Provider bound to TOKENS.Provider, by controllerName. The operator asks it which
 * provider owns a GatewayClass; the graph builder gets `capabilities()` as its controllers.
 * Two providers claiming one controllerName is a wiring error: fail at start, loudly.
 */
@injectable()
export class ProviderRegistry {
  private readonly byName: ReadonlyMap<string, Provider>;

  // Explicit tokens: no reliance on emitted design:paramtypes metadata.
  constructor(@multiInject(TOKENS.Provider) @optional() providers: readonly Provider[] | undefined) {
    const byName = new Map<string, Provider>();
    for (const p of providers ?? []) {
      const name: unknown = p?.capabilities?.controllerName;
      if (typeof name !== "string" || name === "") {
        throw new Error("ProviderRegistry: a provider bound to TOKENS.Provider has no capabilities.controllerName");
      }
      if (byName.has(name)) {
        throw new Error(`ProviderRegistry: two providers are bound for controllerName "${name}"; each controllerName must have exactly one provider`);
      }
      byName.set(name, p);
    }
    // Sorted once, so every list below is deterministic.
    this.byName = new Map([...byName.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  }

  get size(): number { return this.byName.size; }

  has(controllerName: string): boolean { return this.byName.has(controllerName); }

  get(controllerName: string): Provider | undefined { return this.byName.get(controllerName); }

  /** Like get, for callers that already know the class is ours. */
  require(controllerName: string): Provider {
    const p = this.byName.get(controllerName);
    if (!p) {
      const known = [...this.byName.keys()].join(", ") || "none";
      throw new Error(`ProviderRegistry: no provider for controllerName "${controllerName}" (bound: ${known})`);
    }
    return p;
  }

  /** controllerNames, sorted. */
  controllerNames(): string[] { return [...this.byName.keys()]; }

  /** Providers, sorted by controllerName. */
  providers(): Provider[] { return [...this.byName.values()]; }

  /** What the graph builder takes as `controllers`, sorted by controllerName. */
  capabilities(): Capabilities[] { return this.providers().map((p) => p.capabilities); }
}
