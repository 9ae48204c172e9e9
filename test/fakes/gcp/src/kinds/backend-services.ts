import { invalidField } from "../errors.js";
import type { Json } from "../json.js";
import { arr, isObj, num } from "../json.js";
import { parseRef, regionOfZone, selfLink } from "../links.js";
import type { Stored } from "../store.js";
import { enumOf, intIn, refLink, stripOutputOnly } from "./common.js";
import type { KindSpec } from "./types.js";

const SCHEMES_GLOBAL = ["EXTERNAL", "EXTERNAL_MANAGED", "INTERNAL_SELF_MANAGED", "INTERNAL_MANAGED"];
const SCHEMES_REGIONAL = ["EXTERNAL", "EXTERNAL_MANAGED", "INTERNAL", "INTERNAL_MANAGED"];
const PROTOCOLS = ["HTTP", "HTTPS", "HTTP2", "H2C", "TCP", "SSL", "UDP", "GRPC", "UNSPECIFIED"];
/** Balancing modes a zonal GCE_VM_IP_PORT NEG backend accepts (UTILIZATION is for instance groups). */
const NEG_MODES = ["RATE", "CONNECTION", "IN_FLIGHT", "CUSTOM_METRICS"];

function pathOf(link: unknown): string | undefined {
  return typeof link === "string" ? parseRef(link, "")?.path : undefined;
}

/** backendServices / regionBackendServices with zonal NEG backends. */
export const backendServices: KindSpec = {
  collection: "backendServices",
  kind: "compute#backendService",
  noun: "backend_service",
  api: { global: "backendServices", region: "regionBackendServices" },
  aggregated: "backendServices",
  fingerprint: true,
  patch: ["global", "region"],
  update: ["global", "region"],
  custom: [],
  quota: { metric: "BACKEND_SERVICES", name: "backendServices" },
  prepare(ctx, input) {
    const body = stripOutputOnly(input, ["usedBy"]);
    enumOf(body, "loadBalancingScheme", "resource.loadBalancingScheme", ctx.scope.type === "global" ? SCHEMES_GLOBAL : SCHEMES_REGIONAL, "EXTERNAL");
    enumOf(body, "protocol", "resource.protocol", PROTOCOLS, "HTTP");
    intIn(body, "port", "resource.port", 1, 65535, 80);
    if (body["portName"] === undefined) body["portName"] = "http";
    intIn(body, "timeoutSec", "resource.timeoutSec", 1, 2_147_483_647, 30);
    enumOf(body, "sessionAffinity", "resource.sessionAffinity", ["NONE", "CLIENT_IP", "CLIENT_IP_PORT_PROTO", "CLIENT_IP_PROTO", "CLIENT_IP_NO_DESTINATION", "GENERATED_COOKIE", "HEADER_FIELD", "HTTP_COOKIE", "STRONG_COOKIE_AFFINITY"], "NONE");
    if (body["connectionDraining"] === undefined) body["connectionDraining"] = { drainingTimeoutSec: 0 };

    const hcs = arr(body["healthChecks"]);
    if (hcs.length > 1) throw invalidField("resource.healthChecks", hcs, "At most one health check can be specified.");
    body["healthChecks"] = hcs.map((h, i) => refLink(ctx, h, `resource.healthChecks[${i}]`, ["healthChecks"], { scope: ctx.scope }));

    const seen = new Set<string>();
    body["backends"] = arr(body["backends"]).map((raw, i) => {
      const f = `resource.backends[${i}]`;
      if (!isObj(raw)) throw invalidField(f, raw, "Must be a backend.");
      const b: Json = { ...raw };
      const neg = ctx.ref(b["group"], `${f}.group`, ["networkEndpointGroups"]);
      if (ctx.scope.type === "region" && (neg.scope.type !== "zone" || regionOfZone(neg.scope.name) !== ctx.scope.name)) {
        throw invalidField(`${f}.group`, b["group"], `The network endpoint group must be in a zone of region ${ctx.scope.name}.`);
      }
      b["group"] = selfLink(neg.path);
      if (seen.has(neg.path)) throw invalidField(`${f}.group`, b["group"], "Duplicate backend group.");
      seen.add(neg.path);
      const mode = b["balancingMode"] ?? "UTILIZATION";
      if (typeof mode !== "string" || !NEG_MODES.includes(mode)) {
        throw invalidField(`${f}.balancingMode`, mode, `Balancing mode must be one of [${NEG_MODES.join(", ")}] for a network endpoint group backend.`);
      }
      b["balancingMode"] = mode;
      if (mode === "RATE" && num(b["maxRate"]) === undefined && num(b["maxRatePerEndpoint"]) === undefined && num(b["maxRatePerInstance"]) === undefined) {
        throw invalidField(f, "RATE", "The RATE balancing mode requires one of maxRate, maxRatePerEndpoint or maxRatePerInstance.");
      }
      if (b["capacityScaler"] === undefined) b["capacityScaler"] = 1;
      const cs = num(b["capacityScaler"]);
      if (cs === undefined || cs < 0 || cs > 1) throw invalidField(`${f}.capacityScaler`, b["capacityScaler"], "Must be between 0.0 and 1.0.");
      return b;
    });
    return { resource: body };
  },
  refs(s) {
    const out: string[] = [];
    for (const h of arr(s.resource["healthChecks"])) {
      const p = pathOf(h);
      if (p) out.push(p);
    }
    for (const b of arr(s.resource["backends"])) {
      const p = isObj(b) ? pathOf(b["group"]) : undefined;
      if (p) out.push(p);
    }
    return out;
  },
  render(stored: Stored, store) {
    const users = store.storedUsersOf(stored.path).filter((u) => u.spec.collection === "urlMaps");
    return users.length ? { usedBy: users.map((u) => ({ reference: selfLink(u.path) })) } : {};
  },
};
