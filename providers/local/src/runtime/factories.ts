// Which PortFactory serves which protocol. The table is injectable: tests pass tiny
// factories of their own; the default table (default-factories.ts) loads the HTTP and L4
// servers lazily so a worker imports only what its ports need.
import type { BoundPort, PortFactory } from "./types.js";

export type PortProtocol = BoundPort["protocol"];

/** A factory imported on first use (keeps worker startup cheap). */
export interface LazyFactory { load(): Promise<PortFactory> }

export type FactoryTable = Partial<Record<PortProtocol, PortFactory | LazyFactory>>;

/**
 * Where workers get their factories. A table of functions cannot cross a thread boundary,
 * so worker threads need a module (URL or absolute path) exporting `factories: FactoryTable`.
 * A table given directly works only with workers: 0 (serving in the calling thread).
 */
export type FactorySource = FactoryTable | { module: string | URL };

export function isFactoryModule(s: FactorySource): s is { module: string | URL } {
  return typeof (s as { module?: unknown }).module === "string" || (s as { module?: unknown }).module instanceof URL;
}

/** The module specifier of a factory module, as a string `import()` and workerData accept. */
export function factoryModuleHref(m: string | URL): string {
  if (m instanceof URL) return m.href;
  return m.startsWith("/") ? new URL(`file://${m}`).href : m;
}

export async function importFactoryTable(href: string): Promise<FactoryTable> {
  const mod = (await import(href)) as { factories?: unknown };
  if (!mod.factories || typeof mod.factories !== "object") throw new Error(`${href} does not export a factories table`);
  return mod.factories as FactoryTable;
}

/**
 * The factories of the given protocols, loaded: a factory, or why there is none. Loaded
 * factories are cached; a failed load is retried with the next config.
 */
export async function resolveFactories(
  table: FactoryTable, protocols: Iterable<PortProtocol>, cache: Map<PortProtocol, PortFactory>,
): Promise<Map<PortProtocol, PortFactory | string>> {
  const out = new Map<PortProtocol, PortFactory | string>();
  for (const p of protocols) {
    if (out.has(p)) continue;
    const cached = cache.get(p);
    if (cached) { out.set(p, cached); continue; }
    const f = table[p];
    if (!f) { out.set(p, `no server for protocol ${p}`); continue; }
    try {
      const factory = typeof f === "function" ? f : await f.load();
      if (typeof factory !== "function") throw new Error("not a function");
      cache.set(p, factory);
      out.set(p, factory);
    } catch (e) {
      out.set(p, `loading the ${p} server failed: ${(e as Error).message}`);
    }
  }
  return out;
}
