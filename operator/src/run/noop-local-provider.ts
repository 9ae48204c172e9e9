// PLACEHOLDER until the local-proxy provider lands (it replaces this class): declares the
// local capabilities, plans nothing, and reports every Gateway of its controllerName
// Programmed=True with no addresses. It programs no data plane at all.
import { injectable } from "inversify";
import type { FinalizeResult, Plan, Provider, ProviderResults } from "@gatehouse/provider-api";
import type { Capabilities } from "@gatehouse/model";

type DesiredState = Parameters<Provider["apply"]>[1];
import { capabilitiesFor } from "../local-capabilities.js";

@injectable()
export class NoopLocalProvider implements Provider {
  readonly capabilities: Capabilities;
  readonly needsFinalizer = false;
  /** Serves traffic in every operator process (issue 3: every replica serves for the local backend). */
  readonly everyReplica = true;

  constructor(controllerName: string) {
    this.capabilities = capabilitiesFor(controllerName);
  }

  async plan(): Promise<Plan> {
    return { controllerName: this.capabilities.controllerName, changes: [] };
  }

  async apply(_plan: Plan, desired: DesiredState): Promise<ProviderResults> {
    const name = this.capabilities.controllerName;
    const gateways = desired.gateways
      .filter((g) => g.controllerName === name)
      .map((g) => ({
        key: g.key, programmed: true, reason: "Programmed",
        message: "placeholder provider: nothing is programmed yet", addresses: [], listeners: [],
      }));
    return { controllerName: name, gateways, routes: [] };
  }

  async finalize(): Promise<FinalizeResult> {
    return { done: true, message: "nothing to remove" };
  }

  async close(): Promise<void> {}
}
