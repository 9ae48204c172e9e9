import { invalidField } from "../errors.js";
import type { Json } from "../json.js";
import { GLOBAL, type Scope, sameScope, selfLink } from "../links.js";
import type { Store, Stored } from "../store.js";
import { checkIPv4, enumOf, foreignLink, intIn, stripOutputOnly } from "./common.js";
import type { KindSpec } from "./types.js";

/** Every IP a stored address or forwarding rule holds in a scope. */
function usedIps(store: Store, scope: Scope): Set<string> {
  const out = new Set<string>();
  for (const r of store.all()) {
    if (!sameScope(r.scope, scope)) continue;
    const ip = r.spec.collection === "addresses" ? r.resource["address"] : r.spec.collection === "forwardingRules" ? r.resource["IPAddress"] : undefined;
    if (typeof ip === "string") out.add(ip);
  }
  for (const c of store.pending.values()) {
    const a = c.after;
    if (!a || !sameScope(a.scope, scope)) continue;
    const ip = a.spec.collection === "addresses" ? a.resource["address"] : a.spec.collection === "forwardingRules" ? a.resource["IPAddress"] : undefined;
    if (typeof ip === "string") out.add(ip);
  }
  return out;
}

/** A free IP: external addresses from 34.120.0.0/16 (global) or 35.200.0.0/16, internal ones from 10.128.0.0/16. */
export function allocateIp(store: Store, scope: Scope, internal: boolean): string {
  const used = usedIps(store, scope);
  const [a, b] = internal ? [10, 128] : scope.type === "global" ? [34, 120] : [35, 200];
  for (let i = 2; i < 65_000; i++) {
    const ip = `${a}.${b}.${Math.floor(i / 256)}.${i % 256}`;
    if (i % 256 !== 0 && i % 256 !== 255 && !used.has(ip)) return ip;
  }
  throw invalidField("resource.address", "", "No free address in the fake's pool.");
}

/** The reserved address in `scope` holding `ip`, if any. */
export function addressWithIp(store: Store, project: string, scope: Scope, ip: string): Stored | undefined {
  return store.list(project, scope, "addresses").find((a) => a.resource["address"] === ip);
}

/** globalAddresses / addresses. */
export const addresses: KindSpec = {
  collection: "addresses",
  kind: "compute#address",
  noun: "address",
  api: { global: "globalAddresses", region: "addresses" },
  aggregated: "addresses",
  fingerprint: false,
  patch: [],
  update: [],
  custom: [],
  quota: { metric: "STATIC_ADDRESSES", name: "addresses" },
  prepare(ctx, input) {
    const body = stripOutputOnly(input, ["status", "users"]);
    const type = enumOf(body, "addressType", "resource.addressType", ["EXTERNAL", "INTERNAL"], "EXTERNAL");
    enumOf(body, "ipVersion", "resource.ipVersion", ["IPV4"], "IPV4");
    if (type === "EXTERNAL") enumOf(body, "networkTier", "resource.networkTier", ["PREMIUM", "STANDARD"], "PREMIUM");
    if (type === "INTERNAL") {
      if (ctx.scope.type === "region") {
        if (body["subnetwork"] === undefined) throw invalidField("resource.subnetwork", "", "An internal address needs a subnetwork.");
        body["subnetwork"] = foreignLink(ctx, body["subnetwork"], "resource.subnetwork", "subnetworks", ctx.scope);
      }
      if (body["purpose"] === undefined) body["purpose"] = "GCE_ENDPOINT";
    }
    if (body["network"] !== undefined) body["network"] = foreignLink(ctx, body["network"], "resource.network", "networks", GLOBAL);
    if (body["prefixLength"] !== undefined) intIn(body, "prefixLength", "resource.prefixLength", 8, 32);
    if (body["address"] !== undefined && body["address"] !== "") {
      const ip = checkIPv4(body["address"], "resource.address");
      const holder = addressWithIp(ctx.store, ctx.project, ctx.scope, ip);
      if (holder && holder.path !== ctx.path) throw invalidField("resource.address", ip, `IP address is already reserved by '${holder.path}'.`);
    } else {
      body["address"] = allocateIp(ctx.store, ctx.scope, type === "INTERNAL");
    }
    return { resource: body };
  },
  refs: () => [],
  render(stored, store) {
    const users = store.storedUsersOf(stored.path).map((u) => selfLink(u.path));
    const out: Json = { status: users.length ? "IN_USE" : "RESERVED" };
    if (users.length) out["users"] = users;
    return out;
  },
};
