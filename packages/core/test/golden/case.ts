// Reads one golden case: `<case>.in.yaml`, a multi-document YAML of Kubernetes objects with
// an optional first document `kind: GoldenConfig` that chooses controllers, provider
// results and IR views.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import type { Capabilities } from "@gatehouse/model";
import type { ProviderResults } from "@gatehouse/provider-api";
import { preset } from "../presets.js";

export const GOLDEN_API_VERSION = "test.gatehouse.dev/v1";
export const VIEW_NAMES = ["lattice", "gcp"] as const;
export type ViewName = (typeof VIEW_NAMES)[number];

export interface GoldenCase {
  objects: unknown[];
  controllers: Capabilities[];
  providerResults: ProviderResults[];
  views: ViewName[];
}

/**
 * A controller entry is a preset name (`full`, `lattice`, `gcp`) or an object
 * `{preset, controllerName?, protocols?, tlsModes?, routeKinds?, features?, limits?}` whose
 * fields replace the preset's (limits are merged key by key).
 */
type ControllerEntry = string | ({ preset?: string; limits?: Record<string, unknown> } & Record<string, unknown>);

export function loadCase(path: string): GoldenCase {
  const docs = parseAllDocuments(readFileSync(path, "utf8"));
  const objects: unknown[] = [];
  for (const [i, d] of docs.entries()) {
    if (d.errors.length > 0) throw new Error(`${path}: document ${i}: ${d.errors[0]!.message}`);
    const v: unknown = d.toJS();
    if (v === null || v === undefined) continue; // empty document (e.g. trailing ---)
    objects.push(v);
  }
  let config: Record<string, unknown> = {};
  const first = objects[0] as { kind?: unknown; apiVersion?: unknown } | undefined;
  if (first && first.kind === "GoldenConfig") {
    if (first.apiVersion !== GOLDEN_API_VERSION) {
      throw new Error(`${path}: GoldenConfig apiVersion must be ${GOLDEN_API_VERSION}`);
    }
    config = objects.shift() as Record<string, unknown>;
  }
  for (const o of objects) {
    if ((o as { kind?: unknown }).kind === "GoldenConfig") throw new Error(`${path}: GoldenConfig must be the first document`);
  }
  const entries = (config.controllers ?? ["full"]) as ControllerEntry[];
  if (!Array.isArray(entries)) throw new Error(`${path}: GoldenConfig.controllers must be a list`);
  const views = (config.views ?? []) as ViewName[];
  for (const v of views) {
    if (!VIEW_NAMES.includes(v)) throw new Error(`${path}: unknown view ${JSON.stringify(v)} (known: ${VIEW_NAMES.join(", ")})`);
  }
  return {
    objects,
    controllers: entries.map((e) => controller(path, e)),
    providerResults: (config.providerResults ?? []) as ProviderResults[],
    views,
  };
}

function controller(path: string, e: ControllerEntry): Capabilities {
  const name = typeof e === "string" ? e : (e.preset ?? "full");
  const base = preset(name);
  if (!base) throw new Error(`${path}: unknown controller preset ${JSON.stringify(name)}`);
  if (typeof e === "string") return base;
  const { preset: _p, limits, ...rest } = e;
  return { ...base, ...rest, limits: { ...base.limits, ...(limits ?? {}) } } as Capabilities;
}
