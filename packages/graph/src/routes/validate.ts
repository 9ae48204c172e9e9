import type { Capabilities } from "@gatehouse/model";
import { REASON } from "@gatehouse/model";

/** Why a rule is dropped; thrown inside rule validation and caught per rule. */
export class RuleInvalid extends Error {
  constructor(readonly reason: string, message: string) { super(message); }
}

/** Throws UnsupportedValue with `path: message`. */
export function fail(path: string, message: string, reason: string = REASON.UnsupportedValue): never {
  throw new RuleInvalid(reason, `${path}: ${message}`);
}

/**
 * Capabilities of every class the route is attached through. A route may reference
 * Gateways of several of our classes; a rule is kept only if every one can program it
 * (RuleNodes are shared by all parents), and the message names the first class that
 * cannot.
 */
export class Caps {
  constructor(readonly list: readonly Capabilities[]) {}

  /** The first class (by controllerName) lacking the feature. */
  lacking(feature: string): Capabilities | undefined {
    return this.list.find((c) => !c.features.includes(feature));
  }

  /** Fails with `path: <what> are not supported by <controller>` unless all classes have it. */
  need(feature: string, path: string, what: string): void {
    const c = this.lacking(feature);
    if (c) fail(path, `${what} are not supported by ${c.controllerName}`);
  }

  /** Fails unless every class can program this filter type at all (Capabilities.filters). */
  needFilter(type: string, path: string): void {
    const c = this.list.find((x) => x.filters !== undefined && !x.filters.includes(type));
    if (c) fail(path, `${type} filters are not supported by ${c.controllerName}`);
  }

  /** Smallest limit any class declares (undefined: unlimited), with the class declaring it. */
  limit(key: Exclude<keyof Capabilities["limits"], "ports">): { value: number; controller: string } | undefined {
    let best: { value: number; controller: string } | undefined;
    for (const c of this.list) {
      const v = c.limits?.[key];
      if (typeof v === "number" && (!best || v < best.value)) best = { value: v, controller: c.controllerName };
    }
    return best;
  }
}
