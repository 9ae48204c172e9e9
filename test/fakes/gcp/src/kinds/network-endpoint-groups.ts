import { isIPv4 } from "node:net";
import { ApiError, invalidField } from "../errors.js";
import type { Json } from "../json.js";
import { arr, isObj, num } from "../json.js";
import { paginate } from "../list.js";
import { GLOBAL, parseRef, regionOfZone, selfLink } from "../links.js";
import type { Stored } from "../store.js";
import { enumOf, foreignLink, intIn, stripOutputOnly } from "./common.js";
import type { CustomMethod, KindSpec, PrepareCtx } from "./types.js";

/** The API's limit on endpoints per attach/detach call. */
export const MAX_ENDPOINTS_PER_CALL = 500;

function endpointsOf(s: { hidden: Json }): Json[] {
  return arr(s.hidden["endpoints"]).filter(isObj);
}

function endpointKey(e: Json): string {
  return `${String(e["instance"] ?? "")}|${String(e["ipAddress"] ?? "")}|${String(e["port"] ?? "")}`;
}

/** Validates a batch of GCE_VM_IP_PORT endpoints against the NEG they are for. */
function readEndpoints(ctx: PrepareCtx, body: Json, field: string): Json[] {
  const neg = ctx.existing!;
  const list = arr(body["networkEndpoints"]);
  if (list.length === 0) throw invalidField(`${field}.networkEndpoints`, "[]", "At least one network endpoint must be specified.");
  if (list.length > MAX_ENDPOINTS_PER_CALL) {
    throw invalidField(`${field}.networkEndpoints`, `${list.length} endpoints`, `At most ${MAX_ENDPOINTS_PER_CALL} network endpoints can be attached or detached in one request.`);
  }
  const zone = neg.scope.type === "zone" ? neg.scope.name : "";
  const defaultPort = num(neg.resource["defaultPort"]);
  return list.map((raw, i) => {
    const f = `${field}.networkEndpoints[${i}]`;
    if (!isObj(raw)) throw invalidField(f, raw, "Must be a network endpoint.");
    const e: Json = {};
    const inst = raw["instance"];
    if (typeof inst !== "string" || inst === "") throw new ApiError(400, `Required field '${f}.instance' not specified`, "required");
    const ref = parseRef(inst, ctx.project, { collection: "instances", scope: { type: "zone", name: zone } });
    if (!ref || ref.collection !== "instances") throw invalidField(`${f}.instance`, inst, "The URL is malformed.");
    if (ref.scope.type !== "zone" || ref.scope.name !== zone) {
      throw invalidField(`${f}.instance`, inst, `The instance must be in the same zone as the network endpoint group (${zone}).`);
    }
    e["instance"] = ref.name;
    if (raw["ipAddress"] !== undefined && raw["ipAddress"] !== "") {
      if (typeof raw["ipAddress"] !== "string" || !isIPv4(raw["ipAddress"])) throw invalidField(`${f}.ipAddress`, raw["ipAddress"], "Must be a valid IPv4 address.");
      e["ipAddress"] = raw["ipAddress"];
    }
    const port = raw["port"] !== undefined ? num(raw["port"]) : defaultPort;
    if (port === undefined) throw new ApiError(400, `Required field '${f}.port' not specified (the network endpoint group has no defaultPort)`, "required");
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalidField(`${f}.port`, raw["port"], "Must be between 1 and 65535.");
    e["port"] = port;
    if (isObj(raw["annotations"]) && Object.keys(raw["annotations"]).length) e["annotations"] = raw["annotations"];
    return e;
  });
}

const attach: CustomMethod = {
  verb: "attachNetworkEndpoints",
  method: "attachNetworkEndpoints",
  scopes: ["zone"],
  mutating: true,
  lock: false,
  apply(ctx, body) {
    const add = readEndpoints(ctx, body, "resource");
    return (current) => {
      const byKey = new Map(endpointsOf(current).map((e) => [endpointKey(e), e]));
      for (const e of add) byKey.set(endpointKey(e), e); // attaching an attached endpoint changes nothing
      return { resource: current.resource, hidden: { ...current.hidden, endpoints: sorted([...byKey.values()]) } };
    };
  },
};

const detach: CustomMethod = {
  verb: "detachNetworkEndpoints",
  method: "detachNetworkEndpoints",
  scopes: ["zone"],
  mutating: true,
  lock: false,
  apply(ctx, body) {
    const remove = new Set(readEndpoints(ctx, body, "resource").map(endpointKey));
    return (current) => ({
      resource: current.resource,
      hidden: { ...current.hidden, endpoints: endpointsOf(current).filter((e) => !remove.has(endpointKey(e))) },
    });
  },
};

const listEndpoints: CustomMethod = {
  verb: "listNetworkEndpoints",
  method: "listNetworkEndpoints",
  scopes: ["zone"],
  mutating: false,
  read(ctx, body, query) {
    const neg = ctx.existing!;
    const show = body["healthStatus"] === "SHOW";
    const users = ctx.store.storedUsersOf(neg.path).filter((u) => u.spec.collection === "backendServices");
    const items = endpointsOf(neg).map((e) => {
      const item: Json = { networkEndpoint: e };
      if (show) {
        item["healths"] = users.map((u) => ({
          backendService: { backendService: selfLink(u.path) },
          healthCheck: { healthCheck: String(arr(u.resource["healthChecks"])[0] ?? "") },
          healthState: "HEALTHY",
        }));
      }
      return item;
    });
    const page = paginate(items, query);
    const out: Json = { kind: "compute#networkEndpointGroupsListNetworkEndpoints" };
    if (page.items.length) out["items"] = page.items;
    if (page.nextPageToken) out["nextPageToken"] = page.nextPageToken;
    return out;
  },
};

function sorted(es: Json[]): Json[] {
  return es.sort((a, b) => (endpointKey(a) < endpointKey(b) ? -1 : endpointKey(a) > endpointKey(b) ? 1 : 0));
}

/** Zonal networkEndpointGroups of type GCE_VM_IP_PORT. */
export const networkEndpointGroups: KindSpec = {
  collection: "networkEndpointGroups",
  kind: "compute#networkEndpointGroup",
  noun: "network_endpoint_group",
  api: { zone: "networkEndpointGroups" },
  aggregated: "networkEndpointGroups",
  fingerprint: false,
  patch: [],
  update: [],
  custom: [attach, detach, listEndpoints],
  quota: { metric: "NETWORK_ENDPOINT_GROUPS", name: "networkEndpointGroups" },
  prepare(ctx, input) {
    const body = stripOutputOnly(input, ["size"]);
    enumOf(body, "networkEndpointType", "resource.networkEndpointType", ["GCE_VM_IP_PORT"], "GCE_VM_IP_PORT");
    body["network"] = foreignLink(ctx, body["network"] ?? "global/networks/default", "resource.network", "networks", GLOBAL);
    if (body["subnetwork"] !== undefined) {
      const region = ctx.scope.type === "zone" ? regionOfZone(ctx.scope.name) : "";
      body["subnetwork"] = foreignLink(ctx, body["subnetwork"], "resource.subnetwork", "subnetworks", { type: "region", name: region });
    }
    if (body["defaultPort"] !== undefined) intIn(body, "defaultPort", "resource.defaultPort", 1, 65535);
    return { resource: body, hidden: { endpoints: ctx.existing ? endpointsOf(ctx.existing) : [] } };
  },
  refs: () => [],
  render(stored: Stored) {
    return { size: endpointsOf(stored).length };
  },
};
