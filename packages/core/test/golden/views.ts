// Hook for the IR views (route-centric for Lattice, gateway-centric for GCP). They live in
// @gatehouse/ir; the lookup is by export name so the golden runner builds before the views
// exist and starts emitting them as soon as they land.
import * as ir from "@gatehouse/ir";
import type { DesiredState } from "@gatehouse/ir";
import type { ViewName } from "./case.js";

const CANDIDATES: Record<ViewName, string[]> = {
  lattice: ["latticeView", "buildLatticeView", "routeCentricView", "buildRouteCentricView"],
  gcp: ["gcpView", "buildGcpView", "buildGCPView", "gatewayCentricView", "buildGatewayCentricView"],
};

type ViewFn = (desired: DesiredState, controllerName?: string) => unknown;

export function viewFunction(name: ViewName): ViewFn | undefined {
  const mod = ir as unknown as Record<string, unknown>;
  for (const c of CANDIDATES[name]) if (typeof mod[c] === "function") return mod[c] as ViewFn;
  return undefined;
}

/** The view of `desired`, or a marker saying it is not implemented yet. */
export function renderView(name: ViewName, desired: DesiredState): unknown {
  const fn = viewFunction(name);
  return fn ? fn(desired) : `<${name} view not implemented in @gatehouse/ir>`;
}
