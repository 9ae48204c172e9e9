import { ApiError, invalidField, required } from "../errors.js";
import type { Json } from "../json.js";
import { arr, isObj } from "../json.js";
import { GLOBAL } from "../links.js";
import { checkCidr, enumOf, foreignLink, intIn, stripOutputOnly } from "./common.js";
import type { KindSpec } from "./types.js";

const PROTOCOLS = /^(tcp|udp|icmp|esp|ah|sctp|ipip|all|\d{1,3})$/;
const PORT = /^\d{1,5}(-\d{1,5})?$/;

function rules(v: unknown, field: string): Json[] {
  return arr(v).map((r, i) => {
    const f = `${field}[${i}]`;
    if (!isObj(r)) throw invalidField(f, r, "Must be a firewall rule.");
    const proto = r["IPProtocol"];
    if (typeof proto !== "string" || proto === "") throw required(`${f}.IPProtocol`);
    if (!PROTOCOLS.test(proto.toLowerCase())) throw invalidField(`${f}.IPProtocol`, proto, "Must be a protocol name or number.");
    const ports = arr(r["ports"]);
    ports.forEach((p, k) => {
      if (typeof p !== "string" || !PORT.test(p)) throw invalidField(`${f}.ports[${k}]`, p, "Must be a port or a port range.");
    });
    if (ports.length && !["tcp", "udp", "sctp", "6", "17", "132"].includes(proto.toLowerCase())) {
      throw invalidField(`${f}.ports`, ports, "Ports can only be specified for TCP, UDP and SCTP.");
    }
    const out: Json = { IPProtocol: proto };
    if (ports.length) out["ports"] = ports;
    return out;
  });
}

/** firewalls (global only). */
export const firewalls: KindSpec = {
  collection: "firewalls",
  kind: "compute#firewall",
  noun: "firewall",
  api: { global: "firewalls" },
  fingerprint: false,
  patch: ["global"],
  update: ["global"],
  custom: [],
  quota: { metric: "FIREWALLS", name: "firewalls" },
  prepare(ctx, input) {
    const body = stripOutputOnly(input);
    body["network"] = foreignLink(ctx, body["network"] ?? "global/networks/default", "resource.network", "networks", GLOBAL);
    const direction = enumOf(body, "direction", "resource.direction", ["INGRESS", "EGRESS"], "INGRESS");
    intIn(body, "priority", "resource.priority", 0, 65535, 1000);
    const allowed = rules(body["allowed"], "resource.allowed");
    const denied = rules(body["denied"], "resource.denied");
    if (allowed.length && denied.length) throw new ApiError(400, "Invalid value for field 'resource': only one of allowed or denied can be set.", "invalid");
    if (!allowed.length && !denied.length) throw required("resource.allowed");
    if (allowed.length) body["allowed"] = allowed;
    if (denied.length) body["denied"] = denied;
    for (const key of ["sourceRanges", "destinationRanges"]) {
      if (body[key] !== undefined) body[key] = arr(body[key]).map((c, i) => checkCidr(c, `resource.${key}[${i}]`));
    }
    if (direction === "EGRESS" && (body["sourceTags"] !== undefined || body["sourceServiceAccounts"] !== undefined)) {
      throw invalidField("resource.sourceTags", body["sourceTags"] ?? body["sourceServiceAccounts"], "Source tags and service accounts apply to INGRESS rules only.");
    }
    if (body["disabled"] === undefined) body["disabled"] = false;
    if (body["logConfig"] === undefined) body["logConfig"] = { enable: false };
    return { resource: body };
  },
  refs: () => [],
};
