// The IR views a case asks for (GoldenConfig.views): the route-centric view VPC Lattice
// needs and the gateway-centric view GCP needs, each for its preset's controllerName.
import { gatewayCentricView, routeCentricView, type DesiredState } from "@gatehouse/ir";
import { PRESETS } from "../presets.js";
import type { ViewName } from "./case.js";

export function renderView(name: ViewName, desired: DesiredState): unknown {
  const controllerName = PRESETS[name]!.controllerName;
  return name === "lattice" ? routeCentricView(desired, controllerName) : gatewayCentricView(desired, controllerName);
}
