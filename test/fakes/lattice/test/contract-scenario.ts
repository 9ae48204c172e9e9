// One scenario, run the same way against the fake and against moto's server: each step's
// outcome (success or error code), the members it must have, and chosen values with ids
// compared structurally (same as the one created earlier), never literally.
import * as L from "@aws-sdk/client-vpc-lattice";

export type Json = Record<string, unknown>;

export interface Observation {
  step: string;
  ok: boolean;
  error?: string;
  httpStatus?: number;
  /** Required members missing from the response. */
  missing: string[];
  values: Json;
}

interface Ctx {
  sn: L.CreateServiceNetworkCommandOutput;
  svc: L.CreateServiceCommandOutput;
  tg: L.CreateTargetGroupCommandOutput;
  listener: L.CreateListenerCommandOutput;
}

interface Step {
  name: string;
  /** Members the response must have (the API model's members every implementation returns). */
  keys?: string[];
  run(c: L.VPCLatticeClient, ctx: Partial<Ctx>): Promise<unknown>;
  pick?(r: Json, ctx: Partial<Ctx>): Json;
}

const VPC = "vpc-0123456789abcdef0";
const MISSING = { svc: "svc-0123456789abcdef0", sn: "sn-0123456789abcdef0", tg: "tg-0123456789abcdef0", listener: "listener-0123456789abcdef0" };
const POLICY = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "vpc-lattice-svcs:Invoke", Resource: "*" }] });

type Item = Json & { id?: string; name?: string; status?: string };
const items = (r: Json) => (r["items"] as Item[] | undefined) ?? [];

/** The scenario; steps that store into ctx run before the ones that use it. */
export const STEPS: Step[] = [
  {
    name: "CreateServiceNetwork",
    keys: ["id", "name", "arn"],
    run: async (c, ctx) => (ctx.sn = await c.send(new L.CreateServiceNetworkCommand({ name: "contract-net", authType: "NONE", tags: { owner: "contract" } }))),
    pick: (r) => ({ name: r["name"], authType: r["authType"], arnEndsWithId: String(r["arn"]).endsWith(`/${String(r["id"])}`) }),
  },
  {
    name: "GetServiceNetwork by id",
    keys: ["id", "name", "arn"],
    run: (c, ctx) => c.send(new L.GetServiceNetworkCommand({ serviceNetworkIdentifier: ctx.sn!.id })),
    pick: (r, ctx) => ({ sameId: r["id"] === ctx.sn!.id, name: r["name"], authType: r["authType"] }),
  },
  {
    name: "GetServiceNetwork by ARN",
    keys: ["id", "name", "arn"],
    run: (c, ctx) => c.send(new L.GetServiceNetworkCommand({ serviceNetworkIdentifier: ctx.sn!.arn })),
    pick: (r, ctx) => ({ sameId: r["id"] === ctx.sn!.id }),
  },
  {
    name: "ListServiceNetworks",
    keys: ["items"],
    run: (c) => c.send(new L.ListServiceNetworksCommand({})),
    pick: (r) => ({ names: items(r).map((i) => i.name) }),
  },
  {
    name: "CreateService",
    keys: ["id", "arn", "name", "status", "dnsEntry"],
    run: async (c, ctx) => (ctx.svc = await c.send(new L.CreateServiceCommand({ name: "contract-svc", customDomainName: "contract.example.com", authType: "NONE" }))),
    pick: (r) => ({
      name: r["name"],
      status: r["status"],
      customDomainName: r["customDomainName"],
      dnsEntryIsGenerated: (r["dnsEntry"] as Json | undefined)?.["domainName"] !== "contract.example.com",
    }),
  },
  {
    name: "GetService",
    keys: ["id", "name", "arn", "status", "dnsEntry", "createdAt"],
    run: (c, ctx) => c.send(new L.GetServiceCommand({ serviceIdentifier: ctx.svc!.id })),
    pick: (r, ctx) => ({ sameId: r["id"] === ctx.svc!.id, name: r["name"], status: r["status"], customDomainName: r["customDomainName"] }),
  },
  {
    name: "ListServices",
    keys: ["items"],
    run: (c) => c.send(new L.ListServicesCommand({ maxResults: 10 })),
    pick: (r) => ({ names: items(r).map((i) => i.name), statuses: items(r).map((i) => i.status) }),
  },
  {
    name: "CreateServiceNetworkVpcAssociation",
    keys: ["id", "status", "arn", "createdBy"],
    run: (c, ctx) => c.send(new L.CreateServiceNetworkVpcAssociationCommand({ serviceNetworkIdentifier: ctx.sn!.id, vpcIdentifier: VPC, securityGroupIds: ["sg-12345678"] })),
    pick: (r) => ({ status: r["status"], securityGroupIds: r["securityGroupIds"], createdBy: r["createdBy"] }),
  },
  {
    name: "ListServiceNetworkVpcAssociations",
    keys: ["items"],
    run: (c, ctx) => c.send(new L.ListServiceNetworkVpcAssociationsCommand({ serviceNetworkIdentifier: ctx.sn!.id })),
    pick: (r, ctx) => ({
      vpcIds: items(r).map((i) => i["vpcId"]),
      statuses: items(r).map((i) => i.status),
      sameNetwork: items(r).map((i) => i["serviceNetworkId"] === ctx.sn!.id && i["serviceNetworkName"] === "contract-net"),
    }),
  },
  {
    name: "CreateServiceNetworkServiceAssociation",
    keys: ["id", "status", "arn"],
    run: (c, ctx) => c.send(new L.CreateServiceNetworkServiceAssociationCommand({ serviceNetworkIdentifier: ctx.sn!.id, serviceIdentifier: ctx.svc!.id })),
    pick: (r) => ({ status: r["status"], customDomainName: r["customDomainName"] }),
  },
  {
    name: "ListServiceNetworkServiceAssociations",
    keys: ["items"],
    run: (c, ctx) => c.send(new L.ListServiceNetworkServiceAssociationsCommand({ serviceNetworkIdentifier: ctx.sn!.id })),
    pick: (r, ctx) => ({
      statuses: items(r).map((i) => i.status),
      links: items(r).map((i) => i["serviceId"] === ctx.svc!.id && i["serviceNetworkId"] === ctx.sn!.id),
    }),
  },
  {
    name: "GetServiceNetworkServiceAssociation",
    keys: ["id", "status", "arn", "serviceId", "serviceNetworkId", "createdAt"],
    run: async (c, ctx) => {
      const list = await c.send(new L.ListServiceNetworkServiceAssociationsCommand({ serviceIdentifier: ctx.svc!.id }));
      return c.send(new L.GetServiceNetworkServiceAssociationCommand({ serviceNetworkServiceAssociationIdentifier: list.items![0]!.id }));
    },
    pick: (r, ctx) => ({ status: r["status"], serviceId: r["serviceId"] === ctx.svc!.id, serviceNetworkId: r["serviceNetworkId"] === ctx.sn!.id }),
  },
  {
    name: "CreateTargetGroup",
    keys: ["id", "arn", "name", "type", "config", "status"],
    run: async (c, ctx) => (ctx.tg = await c.send(new L.CreateTargetGroupCommand({ name: "contract-tg", type: "IP", config: { port: 8080, protocol: "HTTP", vpcIdentifier: VPC } }))),
    pick: (r) => {
      const cfg = (r["config"] ?? {}) as Json;
      return { name: r["name"], type: r["type"], status: r["status"], port: cfg["port"], protocol: cfg["protocol"], vpcIdentifier: cfg["vpcIdentifier"] };
    },
  },
  {
    name: "GetTargetGroup",
    keys: ["id", "arn", "name", "type", "config", "status", "createdAt"],
    run: (c, ctx) => c.send(new L.GetTargetGroupCommand({ targetGroupIdentifier: ctx.tg!.id })),
    pick: (r, ctx) => ({ sameId: r["id"] === ctx.tg!.id, status: r["status"], port: (r["config"] as Json)["port"] }),
  },
  {
    name: "ListTargetGroups",
    keys: ["items"],
    run: (c) => c.send(new L.ListTargetGroupsCommand({})),
    pick: (r) => ({ names: items(r).map((i) => i.name), statuses: items(r).map((i) => i.status) }),
  },
  {
    name: "CreateListener",
    keys: ["arn", "id", "name", "protocol", "port", "serviceArn", "serviceId", "defaultAction"],
    run: async (c, ctx) =>
      (ctx.listener = await c.send(
        new L.CreateListenerCommand({ serviceIdentifier: ctx.svc!.id, name: "http", protocol: "HTTP", port: 80, defaultAction: { forward: { targetGroups: [{ targetGroupIdentifier: ctx.tg!.id, weight: 100 }] } } }),
      )),
    pick: (r, ctx) => ({ name: r["name"], protocol: r["protocol"], port: r["port"], serviceId: r["serviceId"] === ctx.svc!.id, defaultAction: normalizeAction(r["defaultAction"], ctx) }),
  },
  {
    name: "GetListener",
    keys: ["arn", "id", "name", "protocol", "port", "defaultAction", "createdAt"],
    run: (c, ctx) => c.send(new L.GetListenerCommand({ serviceIdentifier: ctx.svc!.id, listenerIdentifier: ctx.listener!.id })),
    pick: (r, ctx) => ({ sameId: r["id"] === ctx.listener!.id, port: r["port"], defaultAction: normalizeAction(r["defaultAction"], ctx) }),
  },
  {
    name: "ListListeners",
    keys: ["items"],
    run: (c, ctx) => c.send(new L.ListListenersCommand({ serviceIdentifier: ctx.svc!.id })),
    pick: (r) => ({ names: items(r).map((i) => i.name), ports: items(r).map((i) => i["port"]) }),
  },
  {
    name: "CreateRule",
    keys: ["arn", "id", "name", "match", "priority", "action"],
    run: (c, ctx) =>
      c.send(
        new L.CreateRuleCommand({
          serviceIdentifier: ctx.svc!.id,
          listenerIdentifier: ctx.listener!.id,
          name: "canary",
          priority: 7,
          match: { httpMatch: { method: "GET", pathMatch: { match: { prefix: "/api" }, caseSensitive: false }, headerMatches: [{ name: "x-canary", match: { exact: "1" } }] } },
          action: { forward: { targetGroups: [{ targetGroupIdentifier: ctx.tg!.id, weight: 10 }] } },
        }),
      ),
    pick: (r, ctx) => ({
      name: r["name"],
      priority: r["priority"],
      match: r["match"],
      action: normalizeAction(r["action"], ctx),
      arnUnderListener: String(r["arn"]).startsWith(`${ctx.listener!.arn}/rule/`),
    }),
  },
  {
    name: "TagResource + ListTagsForResource",
    keys: ["tags"],
    run: async (c, ctx) => {
      await c.send(new L.TagResourceCommand({ resourceArn: ctx.svc!.arn, tags: { a: "1", b: "2" } }));
      return c.send(new L.ListTagsForResourceCommand({ resourceArn: ctx.svc!.arn }));
    },
    pick: (r) => ({ tags: r["tags"] }),
  },
  {
    name: "UntagResource + ListTagsForResource",
    keys: ["tags"],
    run: async (c, ctx) => {
      await c.send(new L.UntagResourceCommand({ resourceArn: ctx.svc!.arn, tagKeys: ["a"] }));
      return c.send(new L.ListTagsForResourceCommand({ resourceArn: ctx.svc!.arn }));
    },
    pick: (r) => ({ tags: r["tags"] }),
  },
  {
    name: "ListTagsForResource (tags given at create)",
    keys: ["tags"],
    run: (c, ctx) => c.send(new L.ListTagsForResourceCommand({ resourceArn: ctx.sn!.arn })),
    pick: (r) => ({ tags: r["tags"] }),
  },
  {
    name: "PutAuthPolicy",
    keys: ["policy", "state"],
    run: (c, ctx) => c.send(new L.PutAuthPolicyCommand({ resourceIdentifier: ctx.svc!.id, policy: POLICY })),
    pick: (r) => ({ policy: r["policy"], state: r["state"] }),
  },
  {
    name: "GetAuthPolicy",
    keys: ["policy", "state", "createdAt"],
    run: (c, ctx) => c.send(new L.GetAuthPolicyCommand({ resourceIdentifier: ctx.svc!.arn })),
    pick: (r) => ({ policy: r["policy"], state: r["state"] }),
  },
  {
    name: "DeleteAuthPolicy, then GetAuthPolicy",
    run: async (c, ctx) => {
      await c.send(new L.DeleteAuthPolicyCommand({ resourceIdentifier: ctx.svc!.id }));
      return c.send(new L.GetAuthPolicyCommand({ resourceIdentifier: ctx.svc!.id }));
    },
  },
  { name: "GetService (unknown id)", run: (c) => c.send(new L.GetServiceCommand({ serviceIdentifier: MISSING.svc })) },
  { name: "GetServiceNetwork (unknown id)", run: (c) => c.send(new L.GetServiceNetworkCommand({ serviceNetworkIdentifier: MISSING.sn })) },
  { name: "GetTargetGroup (unknown id)", run: (c) => c.send(new L.GetTargetGroupCommand({ targetGroupIdentifier: MISSING.tg })) },
  { name: "GetListener (unknown id)", run: (c, ctx) => c.send(new L.GetListenerCommand({ serviceIdentifier: ctx.svc!.id, listenerIdentifier: MISSING.listener })) },
  {
    name: "CreateListener (unknown service)",
    run: (c) => c.send(new L.CreateListenerCommand({ serviceIdentifier: MISSING.svc, name: "http", protocol: "HTTP", defaultAction: { fixedResponse: { statusCode: 404 } } })),
  },
  {
    name: "CreateServiceNetworkServiceAssociation (unknown network)",
    run: (c, ctx) => c.send(new L.CreateServiceNetworkServiceAssociationCommand({ serviceNetworkIdentifier: MISSING.sn, serviceIdentifier: ctx.svc!.id })),
  },
  { name: "CreateService (invalid name)", run: (c) => c.send(new L.CreateServiceCommand({ name: "-bad--name-" })) },
];

function normalizeAction(a: unknown, ctx: Partial<Ctx>): unknown {
  const fwd = (a as Json | undefined)?.["forward"] as Json | undefined;
  if (!fwd) return a;
  return {
    forward: {
      targetGroups: ((fwd["targetGroups"] as Json[]) ?? []).map((t) => ({
        targetGroup: t["targetGroupIdentifier"] === ctx.tg?.id || t["targetGroupIdentifier"] === ctx.tg?.arn ? "contract-tg" : t["targetGroupIdentifier"],
        weight: t["weight"],
      })),
    },
  };
}

export async function runScenario(c: L.VPCLatticeClient): Promise<Observation[]> {
  const ctx: Partial<Ctx> = {};
  const out: Observation[] = [];
  for (const step of STEPS) {
    try {
      const r = (await step.run(c, ctx)) as Json;
      const missing = (step.keys ?? []).filter((k) => r[k] === undefined || r[k] === null);
      out.push({ step: step.name, ok: true, missing, values: step.pick ? step.pick(r, ctx) : {} });
    } catch (e) {
      const err = e as Error & { $metadata?: { httpStatusCode?: number } };
      out.push({ step: step.name, ok: false, error: err.name, ...(err.$metadata?.httpStatusCode ? { httpStatus: err.$metadata.httpStatusCode } : {}), missing: [], values: {} });
    }
  }
  return out;
}

/** Field-level differences between two observations of the same step. */
export function differences(a: Observation, b: Observation): string[] {
  const d: string[] = [];
  if (a.ok !== b.ok || a.error !== b.error) d.push(`outcome: fake=${a.ok ? "ok" : a.error}, moto=${b.ok ? "ok" : b.error}`);
  if (a.httpStatus !== b.httpStatus) d.push(`httpStatus: fake=${a.httpStatus}, moto=${b.httpStatus}`);
  for (const k of b.missing) d.push(`moto lacks member ${k}`);
  for (const k of a.missing) d.push(`fake lacks member ${k}`);
  for (const k of new Set([...Object.keys(a.values), ...Object.keys(b.values)])) {
    const x = JSON.stringify(a.values[k]);
    const y = JSON.stringify(b.values[k]);
    if (x !== y) d.push(`${k}: fake=${x}, moto=${y}`);
  }
  return d;
}

/**
 * Operations moto's server does not implement (checked against it in the contract test);
 * the fake is the only implementation the provider's tests have for them.
 */
export const MOTO_LACKS = [
  "UpdateServiceNetwork",
  "DeleteServiceNetwork",
  "GetServiceNetworkVpcAssociation",
  "UpdateServiceNetworkVpcAssociation",
  "DeleteServiceNetworkVpcAssociation",
  "DeleteServiceNetworkServiceAssociation",
  "UpdateService",
  "DeleteService",
  "UpdateListener",
  "DeleteListener",
  "GetRule",
  "ListRules",
  "UpdateRule",
  "DeleteRule",
  "BatchUpdateRule",
  "UpdateTargetGroup",
  "DeleteTargetGroup",
  "RegisterTargets",
  "DeregisterTargets",
  "ListTargets",
] as const;
