import compute from "@google-cloud/compute";
import type { FakeCompute } from "../src/index.js";

export const PROJECT = "gatehouse-test";
export const REGION = "us-central1";
export const ZONE = "us-central1-a";

/** gRPC status codes google-gax puts on errors (from HTTP status). */
export const CODE = {
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

/** The clients a provider would use, all pointed at one fake. */
export function clients(fake: FakeCompute) {
  const o = () => fake.clientOptions();
  return {
    healthChecks: new compute.HealthChecksClient(o()),
    regionHealthChecks: new compute.RegionHealthChecksClient(o()),
    negs: new compute.NetworkEndpointGroupsClient(o()),
    backendServices: new compute.BackendServicesClient(o()),
    regionBackendServices: new compute.RegionBackendServicesClient(o()),
    urlMaps: new compute.UrlMapsClient(o()),
    regionUrlMaps: new compute.RegionUrlMapsClient(o()),
    httpProxies: new compute.TargetHttpProxiesClient(o()),
    regionHttpProxies: new compute.RegionTargetHttpProxiesClient(o()),
    httpsProxies: new compute.TargetHttpsProxiesClient(o()),
    regionHttpsProxies: new compute.RegionTargetHttpsProxiesClient(o()),
    sslCertificates: new compute.SslCertificatesClient(o()),
    regionSslCertificates: new compute.RegionSslCertificatesClient(o()),
    globalAddresses: new compute.GlobalAddressesClient(o()),
    addresses: new compute.AddressesClient(o()),
    globalForwardingRules: new compute.GlobalForwardingRulesClient(o()),
    forwardingRules: new compute.ForwardingRulesClient(o()),
    firewalls: new compute.FirewallsClient(o()),
    globalOperations: new compute.GlobalOperationsClient(o()),
    regionOperations: new compute.RegionOperationsClient(o()),
    zoneOperations: new compute.ZoneOperationsClient(o()),
  };
}

export type Clients = ReturnType<typeof clients>;

export async function closeAll(c: Clients): Promise<void> {
  await Promise.all(Object.values(c).map((x) => x.close()));
}

type Op = { name?: string | null; status?: unknown; zone?: string | null; region?: string | null; error?: unknown };

/**
 * The provider's loop: `wait` returns before DONE when the operation takes long, so call it
 * again until DONE (bounded), then throw if the operation failed.
 */
export async function waitDone(c: Clients, op: Op, maxWaits = 50): Promise<Op> {
  let cur: Op = op;
  for (let i = 0; i < maxWaits && cur.status !== "DONE"; i++) {
    const name = String(cur.name);
    if (cur.zone) [cur] = await c.zoneOperations.wait({ project: PROJECT, zone: String(cur.zone).split("/").pop()!, operation: name });
    else if (cur.region) [cur] = await c.regionOperations.wait({ project: PROJECT, region: String(cur.region).split("/").pop()!, operation: name });
    else [cur] = await c.globalOperations.wait({ project: PROJECT, operation: name });
  }
  if (cur.status !== "DONE") throw new Error(`operation ${String(cur.name)} not DONE after ${maxWaits} waits`);
  return cur;
}

/** Runs a mutating call and waits for its operation; returns the DONE operation. */
export async function run(c: Clients, call: Promise<[{ latestResponse: unknown }, ...unknown[]]>): Promise<Op> {
  const [lro] = await call;
  const done = await waitDone(c, lro.latestResponse as Op);
  if (done.error) throw new Error(`operation failed: ${JSON.stringify(done.error)}`);
  return done;
}

/** Rejection of a client call, with its gRPC code, HTTP status and the API's errors[0].reason. */
export async function failure(p: Promise<unknown>): Promise<{ code: number; httpStatusCode: number; message: string; reason: string | undefined }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code: number; httpStatusCode: number; message: string } & Record<symbol, unknown>;
    const raw = err[Symbol.for("google-gax.rawHttpResponsePayload")];
    let reason: string | undefined;
    if (typeof raw === "string") {
      try {
        reason = (JSON.parse(raw) as { error?: { errors?: Array<{ reason?: string }> } }).error?.errors?.[0]?.reason;
      } catch {
        reason = undefined;
      }
    }
    return { code: err.code, httpStatusCode: err.httpStatusCode, message: err.message, reason };
  }
  throw new Error("expected the call to fail");
}

export const link = (path: string): string => `https://www.googleapis.com/compute/v1/projects/${PROJECT}/${path}`;

/** A global external chain's pieces, created in dependency order; returns the names. */
export async function globalChain(c: Clients, p = "gh"): Promise<Record<string, string>> {
  const n = { hc: `${p}-hc`, neg: `${p}-neg`, bs: `${p}-bs`, um: `${p}-um`, proxy: `${p}-proxy`, fr: `${p}-fr` };
  await run(c, c.healthChecks.insert({ project: PROJECT, healthCheckResource: { name: n.hc, type: "HTTP", httpHealthCheck: { portSpecification: "USE_SERVING_PORT", requestPath: "/healthz" } } }));
  await run(c, c.negs.insert({ project: PROJECT, zone: ZONE, networkEndpointGroupResource: { name: n.neg, networkEndpointType: "GCE_VM_IP_PORT", network: "global/networks/default", defaultPort: 8080 } }));
  await run(
    c,
    c.negs.attachNetworkEndpoints({
      project: PROJECT,
      zone: ZONE,
      networkEndpointGroup: n.neg,
      networkEndpointGroupsAttachEndpointsRequestResource: { networkEndpoints: [{ instance: "node-1", ipAddress: "10.0.0.11", port: 8080 }, { instance: "node-2", ipAddress: "10.0.0.12" }] },
    }),
  );
  await run(
    c,
    c.backendServices.insert({
      project: PROJECT,
      backendServiceResource: {
        name: n.bs,
        loadBalancingScheme: "EXTERNAL_MANAGED",
        protocol: "HTTP",
        healthChecks: [`global/healthChecks/${n.hc}`],
        backends: [{ group: `zones/${ZONE}/networkEndpointGroups/${n.neg}`, balancingMode: "RATE", maxRatePerEndpoint: 100 }],
      },
    }),
  );
  await run(c, c.urlMaps.insert({ project: PROJECT, urlMapResource: { name: n.um, defaultService: `global/backendServices/${n.bs}` } }));
  await run(c, c.httpProxies.insert({ project: PROJECT, targetHttpProxyResource: { name: n.proxy, urlMap: `global/urlMaps/${n.um}` } }));
  await run(
    c,
    c.globalForwardingRules.insert({
      project: PROJECT,
      forwardingRuleResource: { name: n.fr, loadBalancingScheme: "EXTERNAL_MANAGED", portRange: "80", target: `global/targetHttpProxies/${n.proxy}` },
    }),
  );
  return n;
}
