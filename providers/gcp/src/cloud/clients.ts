// The @google-cloud/compute clients per collection and scope, and the request field names
// each method takes (`urlMap` / `urlMapResource`, …). Method ids in call counts follow the
// Discovery document (`regionUrlMaps.update`).
import compute from "@google-cloud/compute";
import type { Collection } from "./paths.js";

interface KindClients {
  /** Discovery collection names (call counts) by scope. */
  api: { global?: string; region?: string; zone?: string };
  ctor: { global?: string; region?: string; zone?: string };
  /** Request field naming the resource, and the one carrying its body. */
  param: string;
  body: string;
}

export const KINDS: Record<Collection, KindClients> = {
  firewalls: { api: { global: "firewalls" }, ctor: { global: "FirewallsClient" }, param: "firewall", body: "firewallResource" },
  healthChecks: {
    api: { global: "healthChecks", region: "regionHealthChecks" }, ctor: { global: "HealthChecksClient", region: "RegionHealthChecksClient" },
    param: "healthCheck", body: "healthCheckResource",
  },
  networkEndpointGroups: {
    api: { zone: "networkEndpointGroups" }, ctor: { zone: "NetworkEndpointGroupsClient" },
    param: "networkEndpointGroup", body: "networkEndpointGroupResource",
  },
  backendServices: {
    api: { global: "backendServices", region: "regionBackendServices" }, ctor: { global: "BackendServicesClient", region: "RegionBackendServicesClient" },
    param: "backendService", body: "backendServiceResource",
  },
  urlMaps: {
    api: { global: "urlMaps", region: "regionUrlMaps" }, ctor: { global: "UrlMapsClient", region: "RegionUrlMapsClient" },
    param: "urlMap", body: "urlMapResource",
  },
  sslCertificates: {
    api: { global: "sslCertificates", region: "regionSslCertificates" }, ctor: { global: "SslCertificatesClient", region: "RegionSslCertificatesClient" },
    param: "sslCertificate", body: "sslCertificateResource",
  },
  targetHttpProxies: {
    api: { global: "targetHttpProxies", region: "regionTargetHttpProxies" },
    ctor: { global: "TargetHttpProxiesClient", region: "RegionTargetHttpProxiesClient" },
    param: "targetHttpProxy", body: "targetHttpProxyResource",
  },
  targetHttpsProxies: {
    api: { global: "targetHttpsProxies", region: "regionTargetHttpsProxies" },
    ctor: { global: "TargetHttpsProxiesClient", region: "RegionTargetHttpsProxiesClient" },
    param: "targetHttpsProxy", body: "targetHttpsProxyResource",
  },
  addresses: {
    api: { global: "globalAddresses", region: "addresses" }, ctor: { global: "GlobalAddressesClient", region: "AddressesClient" },
    param: "address", body: "addressResource",
  },
  forwardingRules: {
    api: { global: "globalForwardingRules", region: "forwardingRules" },
    ctor: { global: "GlobalForwardingRulesClient", region: "ForwardingRulesClient" },
    param: "forwardingRule", body: "forwardingRuleResource",
  },
};

/** The body field of a custom method's request, by method and scope. */
export const CUSTOM_BODY: Record<string, { global: string; region: string; zone: string }> = {
  setUrlMap: { global: "urlMapReferenceResource", region: "urlMapReferenceResource", zone: "" },
  setSslCertificates: {
    global: "targetHttpsProxiesSetSslCertificatesRequestResource",
    region: "regionTargetHttpsProxiesSetSslCertificatesRequestResource", zone: "",
  },
  setTarget: { global: "targetReferenceResource", region: "targetReferenceResource", zone: "" },
  attachNetworkEndpoints: { global: "", region: "", zone: "networkEndpointGroupsAttachEndpointsRequestResource" },
  detachNetworkEndpoints: { global: "", region: "", zone: "networkEndpointGroupsDetachEndpointsRequestResource" },
  listNetworkEndpoints: { global: "", region: "", zone: "networkEndpointGroupsListEndpointsRequestResource" },
};

/** Any generated client: methods called by name with a request and call options. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyClient = Record<string, any>;

/** Lazily built clients, one per constructor name, all with the same options. */
export class ClientPool {
  private readonly made = new Map<string, AnyClient>();

  constructor(private readonly options: Record<string, unknown>) {}

  get(ctor: string): AnyClient {
    let c = this.made.get(ctor);
    if (!c) {
      const Ctor = (compute as unknown as Record<string, new (o: Record<string, unknown>) => AnyClient>)[ctor];
      if (!Ctor) throw new Error(`@google-cloud/compute has no ${ctor}`);
      c = new Ctor({ ...this.options });
      this.made.set(ctor, c);
    }
    return c;
  }

  async close(): Promise<void> {
    const all = [...this.made.values()];
    this.made.clear();
    await Promise.all(all.map(async (c) => { try { await c["close"]?.(); } catch { /* closing anyway */ } }));
  }
}
