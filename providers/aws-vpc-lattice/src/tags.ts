// Ownership tags on every resource gatehouse creates: which cluster, which object, which
// controller. A resource is ours when cluster and controller match.
import { sha } from "./hash.js";

export const TAG = {
  cluster: "gatehouse.dev/cluster",
  owner: "gatehouse.dev/owner",
  controller: "gatehouse.dev/controller",
} as const;

/** Tag values are at most 256 characters; a longer owner keeps a readable head and a hash. */
function fit(v: string): string {
  return v.length <= 256 ? v : `${v.slice(0, 256 - 17)}#${sha(v, 16)}`;
}

export function ownershipTags(cluster: string, owner: string, controller: string, user: Record<string, string>): Record<string, string> {
  return { ...user, [TAG.cluster]: fit(cluster), [TAG.owner]: fit(owner), [TAG.controller]: fit(controller) };
}

export type Ownership = "ours" | "untagged" | "foreign";

export function ownershipOf(tags: Record<string, string> | undefined, cluster: string, controller: string): Ownership {
  const t = tags ?? {};
  if (t[TAG.cluster] === undefined && t[TAG.controller] === undefined) return "untagged";
  return t[TAG.cluster] === fit(cluster) && t[TAG.controller] === fit(controller) ? "ours" : "foreign";
}
