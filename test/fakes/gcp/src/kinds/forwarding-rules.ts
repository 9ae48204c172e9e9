import { isIPv4 } from "node:net";
import { invalidField, required } from "../errors.js";
import type { Json } from "../json.js";
import { GLOBAL, parseRef, selfLink } from "../links.js";
import type { Stored } from "../store.js";
import { addressWithIp, allocateIp } from "./addresses.js";
import { enumOf, foreignLink, stripOutputOnly } from "./common.js";
import type { CustomMethod, KindSpec, PrepareCtx } from "./types.js";
import { urlMapScheme } from "./url-maps.js";

const SCHEMES = ["EXTERNAL", "EXTERNAL_MANAGED", "INTERNAL_MANAGED", "INTERNAL_SELF_MANAGED"];
/** Fields PATCH may not change (setTarget changes the target). */
const IMMUTABLE = ["IPAddress", "IPProtocol", "portRange", "target", "loadBalancingScheme", "network", "subnetwork"];

/** "80" or "80-80" → "80-80"; target proxies take a single port. */
function portRange(v: unknown): string {
  const m = typeof v === "string" ? /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(v) : typeof v === "number" ? [String(v), String(v)] : null;
  if (!m) throw invalidField("resource.portRange", v ?? "", "Must be a port or a port range 'low-high'.");
  const lo = Number(m[1]);
  const hi = Number(m[2] ?? m[1]);
  if (lo < 1 || hi > 65535 || lo > hi) throw invalidField("resource.portRange", v, "Ports must be between 1 and 65535.");
  if (lo !== hi) throw invalidField("resource.portRange", v, "A forwarding rule whose target is a target HTTP(S) proxy takes a single port.");
  return `${lo}-${hi}`;
}

/** The target proxy, checked against the rule's scheme through its URL map's backend services. */
function targetOf(ctx: PrepareCtx, value: unknown, scheme: string): Stored {
  if (value === undefined || value === "") throw required("resource.target");
  const proxy = ctx.ref(value, "resource.target", ["targetHttpProxies", "targetHttpsProxies"], { scope: ctx.scope });
  const mapPath = typeof proxy.resource["urlMap"] === "string" ? parseRef(proxy.resource["urlMap"], ctx.project)?.path : undefined;
  const map = mapPath ? ctx.store.get(mapPath) : undefined;
  const mapScheme = map ? urlMapScheme(map, (p) => ctx.store.get(p)) : undefined;
  if (mapScheme !== undefined && mapScheme !== scheme) {
    throw invalidField("resource.loadBalancingScheme", scheme, `Must match the loadBalancingScheme of the backend services behind the target (${mapScheme}).`);
  }
  return proxy;
}

const setTarget: CustomMethod = {
  verb: "setTarget",
  method: "setTarget",
  scopes: ["global", "region"],
  mutating: true,
  newFingerprint: true,
  apply(ctx, body) {
    const scheme = String(ctx.existing!.resource["loadBalancingScheme"] ?? "EXTERNAL");
    const proxy = targetOf(ctx, body["target"], scheme);
    return (current) => ({ resource: { ...current.resource, target: selfLink(proxy.path) }, hidden: current.hidden });
  },
};

/** globalForwardingRules / forwardingRules pointing at target HTTP(S) proxies. */
export const forwardingRules: KindSpec = {
  collection: "forwardingRules",
  kind: "compute#forwardingRule",
  noun: "forwarding_rule",
  api: { global: "globalForwardingRules", region: "forwardingRules" },
  aggregated: "forwardingRules",
  fingerprint: true,
  patch: ["global", "region"],
  update: [],
  custom: [setTarget],
  quota: { metric: "FORWARDING_RULES", name: "forwardingRules" },
  prepare(ctx, input) {
    const body = stripOutputOnly(input, ["labelFingerprint", "selfLinkWithId"]);
    const scheme = enumOf(body, "loadBalancingScheme", "resource.loadBalancingScheme", SCHEMES, "EXTERNAL")!;
    enumOf(body, "IPProtocol", "resource.IPProtocol", ["TCP"], "TCP");
    const proxy = targetOf(ctx, body["target"], scheme);
    body["target"] = selfLink(proxy.path);
    if (body["portRange"] === undefined) throw required("resource.portRange");
    body["portRange"] = portRange(body["portRange"]);
    const internal = scheme === "INTERNAL_MANAGED" || scheme === "INTERNAL_SELF_MANAGED";
    if (!internal) enumOf(body, "networkTier", "resource.networkTier", ["PREMIUM", "STANDARD"], "PREMIUM");
    if (scheme === "INTERNAL_MANAGED") {
      if (body["network"] === undefined) throw required("resource.network");
      if (body["subnetwork"] === undefined && ctx.scope.type === "region") throw required("resource.subnetwork");
    }
    if (body["network"] !== undefined) body["network"] = foreignLink(ctx, body["network"], "resource.network", "networks", GLOBAL);
    if (body["subnetwork"] !== undefined) {
      body["subnetwork"] = foreignLink(ctx, body["subnetwork"], "resource.subnetwork", "subnetworks", ctx.scope.type === "region" ? ctx.scope : GLOBAL);
    }
    enumOf(body, "ipVersion", "resource.ipVersion", ["IPV4"], "IPV4");

    // IPAddress: a literal (bound to the reserved address holding it, if any), a reference to an address, or ephemeral
    const hidden: Json = {};
    const raw = body["IPAddress"];
    if (raw !== undefined && raw !== "") {
      if (typeof raw === "string" && isIPv4(raw)) {
        const addr = addressWithIp(ctx.store, ctx.project, ctx.scope, raw);
        if (addr) hidden["address"] = addr.path;
      } else {
        const addr = ctx.ref(raw, "resource.IPAddress", ["addresses"], { scope: ctx.scope });
        body["IPAddress"] = String(addr.resource["address"]);
        hidden["address"] = addr.path;
      }
    } else {
      body["IPAddress"] = ctx.existing ? ctx.existing.resource["IPAddress"] : allocateIp(ctx.store, ctx.scope, internal);
    }
    for (const other of ctx.store.list(ctx.project, ctx.scope, "forwardingRules")) {
      if (other.path !== ctx.path && other.resource["IPAddress"] === body["IPAddress"] && other.resource["portRange"] === body["portRange"]) {
        throw invalidField("resource.IPAddress", body["IPAddress"], `Specified IP address and port are in use by '${other.path}' and would result in a conflict.`);
      }
    }
    if (ctx.existing) {
      for (const k of IMMUTABLE) {
        if (JSON.stringify(ctx.existing.resource[k]) !== JSON.stringify(body[k])) throw invalidField(`resource.${k}`, body[k] ?? "", "This field cannot be patched.");
      }
    }
    return { resource: body, hidden };
  },
  refs(s) {
    const out: string[] = [];
    const t = typeof s.resource["target"] === "string" ? parseRef(s.resource["target"], "")?.path : undefined;
    if (t) out.push(t);
    if (typeof s.hidden["address"] === "string") out.push(s.hidden["address"]);
    return out;
  },
};
