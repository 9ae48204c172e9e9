import test from "ava";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeCompute, startFakeCompute } from "../src/index.js";
import { type Clients, PROJECT, REGION, ZONE, clients, closeAll, globalChain, link, run } from "./helpers.js";

let fake: FakeCompute;
let c: Clients;
let certDir: string;

test.before(async () => {
  fake = await startFakeCompute({ project: PROJECT, host: "127.41.0.1" });
  c = clients(fake);
  certDir = mkdtempSync(join(tmpdir(), "fake-gcp-cert-"));
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(certDir, "key.pem"), "-out", join(certDir, "cert.pem"), "-days", "2", "-subj", "/CN=internal.example.com", "-addext", "subjectAltName=DNS:internal.example.com,DNS:*.internal.example.com"], { stdio: "ignore" });
});

test.after.always(async () => {
  await closeAll(c);
  await fake.close();
  rmSync(certDir, { recursive: true, force: true });
});

test.serial("global external chain: HC → NEG + endpoints → backend service → URL map → proxy → forwarding rule, read back", async (t) => {
  const n = await globalChain(c, "ext");

  const [hc] = await c.healthChecks.get({ project: PROJECT, healthCheck: n.hc! });
  t.is(hc.type, "HTTP");
  t.is(hc.httpHealthCheck?.requestPath, "/healthz");
  t.is(hc.checkIntervalSec, 5);
  t.is(hc.selfLink, link(`global/healthChecks/${n.hc}`));
  t.regex(String(hc.id), /^\d+$/);

  const [neg] = await c.negs.get({ project: PROJECT, zone: ZONE, networkEndpointGroup: n.neg! });
  t.is(neg.size, 2);
  t.is(neg.zone, link(`zones/${ZONE}`));
  t.is(neg.network, link("global/networks/default"));
  const [eps] = await c.negs.listNetworkEndpoints({ project: PROJECT, zone: ZONE, networkEndpointGroup: n.neg!, networkEndpointGroupsListEndpointsRequestResource: {} });
  t.deepEqual(
    eps.map((e) => [e.networkEndpoint?.instance, e.networkEndpoint?.ipAddress, e.networkEndpoint?.port]),
    [
      ["node-1", "10.0.0.11", 8080],
      ["node-2", "10.0.0.12", 8080], // defaultPort
    ],
  );

  const [bs] = await c.backendServices.get({ project: PROJECT, backendService: n.bs! });
  t.is(bs.loadBalancingScheme, "EXTERNAL_MANAGED");
  t.deepEqual(bs.healthChecks, [link(`global/healthChecks/${n.hc}`)]);
  t.is(bs.backends?.[0]?.group, link(`zones/${ZONE}/networkEndpointGroups/${n.neg}`));
  t.is(bs.backends?.[0]?.maxRatePerEndpoint, 100);
  t.truthy(bs.fingerprint);
  t.deepEqual(bs.usedBy?.map((u) => u.reference), [link(`global/urlMaps/${n.um}`)]);

  const [um] = await c.urlMaps.get({ project: PROJECT, urlMap: n.um! });
  t.is(um.defaultService, link(`global/backendServices/${n.bs}`));
  t.truthy(um.fingerprint);

  const [proxy] = await c.httpProxies.get({ project: PROJECT, targetHttpProxy: n.proxy! });
  t.is(proxy.urlMap, link(`global/urlMaps/${n.um}`));

  const [fr] = await c.globalForwardingRules.get({ project: PROJECT, forwardingRule: n.fr! });
  t.is(fr.target, link(`global/targetHttpProxies/${n.proxy}`));
  t.is(fr.portRange, "80-80");
  t.regex(String(fr.IPAddress), /^\d+\.\d+\.\d+\.\d+$/);
  t.is(fr.IPProtocol, "TCP");

  t.deepEqual(fake.state.paths(), [
    `projects/${PROJECT}/global/backendServices/${n.bs}`,
    `projects/${PROJECT}/global/forwardingRules/${n.fr}`,
    `projects/${PROJECT}/global/healthChecks/${n.hc}`,
    `projects/${PROJECT}/global/targetHttpProxies/${n.proxy}`,
    `projects/${PROJECT}/global/urlMaps/${n.um}`,
    `projects/${PROJECT}/zones/${ZONE}/networkEndpointGroups/${n.neg}`,
  ]);
  t.deepEqual(fake.internalErrors, []);

  // reverse order deletes everything
  await run(c, c.globalForwardingRules.delete({ project: PROJECT, forwardingRule: n.fr! }));
  await run(c, c.httpProxies.delete({ project: PROJECT, targetHttpProxy: n.proxy! }));
  await run(c, c.urlMaps.delete({ project: PROJECT, urlMap: n.um! }));
  await run(c, c.backendServices.delete({ project: PROJECT, backendService: n.bs! }));
  await run(c, c.negs.delete({ project: PROJECT, zone: ZONE, networkEndpointGroup: n.neg! }));
  await run(c, c.healthChecks.delete({ project: PROJECT, healthCheck: n.hc! }));
  t.deepEqual(fake.state.paths(), []);
});

test.serial("a URL map with every routing feature round-trips (global EXTERNAL_MANAGED)", async (t) => {
  const n = await globalChain(c, "rich");
  await run(c, c.backendServices.insert({ project: PROJECT, backendServiceResource: { name: "rich-bs2", loadBalancingScheme: "EXTERNAL_MANAGED", healthChecks: [`global/healthChecks/${n.hc}`] } }));
  const bs1 = `global/backendServices/${n.bs}`;
  const bs2 = "projects/gatehouse-test/global/backendServices/rich-bs2";
  const [before] = await c.urlMaps.get({ project: PROJECT, urlMap: n.um! });
  await run(
    c,
    c.urlMaps.update({
      project: PROJECT,
      urlMap: n.um!,
      urlMapResource: {
        name: n.um,
        fingerprint: before.fingerprint,
        defaultService: bs1,
        hostRules: [{ hosts: ["example.com", "*.example.com"], pathMatcher: "pm-example" }],
        pathMatchers: [
          {
            name: "pm-example",
            defaultService: bs1,
            routeRules: [
              {
                priority: 1,
                matchRules: [{ fullPathMatch: "/exact", headerMatches: [{ headerName: ":method", exactMatch: "GET" }] }],
                service: bs1,
                headerAction: { requestHeadersToAdd: [{ headerName: "x-route", headerValue: "exact", replace: true }], responseHeadersToRemove: ["server"] },
              },
              {
                priority: 2,
                matchRules: [
                  { prefixMatch: "/api/", queryParameterMatches: [{ name: "v", exactMatch: "2" }], headerMatches: [{ headerName: "x-canary", presentMatch: true }] },
                  { fullPathMatch: "/api" },
                ],
                routeAction: {
                  weightedBackendServices: [
                    { backendService: bs1, weight: 90 },
                    { backendService: bs2, weight: 10, headerAction: { requestHeadersToAdd: [{ headerName: "x-split", headerValue: "b" }] } },
                  ],
                  urlRewrite: { pathPrefixRewrite: "/v2/", hostRewrite: "backend.internal" },
                  timeout: { seconds: 15 },
                  retryPolicy: { numRetries: 3, retryConditions: ["5xx", "connect-failure"], perTryTimeout: { seconds: 5 } },
                  requestMirrorPolicy: { backendService: bs2 },
                },
              },
              { priority: 10, matchRules: [{ prefixMatch: "/old/" }], urlRedirect: { prefixRedirect: "/new/", redirectResponseCode: "FOUND", stripQuery: true } },
            ],
          },
        ],
      },
    }),
  );
  const [um] = await c.urlMaps.get({ project: PROJECT, urlMap: n.um! });
  t.not(um.fingerprint, before.fingerprint);
  const pm = um.pathMatchers?.[0];
  t.deepEqual(um.hostRules?.[0]?.hosts, ["example.com", "*.example.com"]);
  t.deepEqual(pm?.routeRules?.map((r) => r.priority), [1, 2, 10]);
  const split = pm?.routeRules?.[1]?.routeAction;
  t.deepEqual(split?.weightedBackendServices?.map((w) => [w.backendService, w.weight]), [
    [link(`global/backendServices/${n.bs}`), 90],
    [link("global/backendServices/rich-bs2"), 10],
  ]);
  t.is(split?.urlRewrite?.pathPrefixRewrite, "/v2/");
  t.is(String(split?.timeout?.seconds), "15");
  t.deepEqual(split?.retryPolicy?.retryConditions, ["5xx", "connect-failure"]);
  t.is(split?.requestMirrorPolicy?.backendService, link("global/backendServices/rich-bs2"));
  t.is(pm?.routeRules?.[0]?.headerAction?.requestHeadersToAdd?.[0]?.headerName, "x-route");
  t.is(pm?.routeRules?.[0]?.matchRules?.[0]?.headerMatches?.[0]?.headerName, ":method");
  const redirect = pm?.routeRules?.[2]?.urlRedirect;
  t.is(redirect?.prefixRedirect, "/new/");
  t.is(redirect?.redirectResponseCode, "FOUND");
  t.is(redirect?.stripQuery, true);
  // the mirror and the split both make rich-bs2 "used by" the map
  const [bs2r] = await c.backendServices.get({ project: PROJECT, backendService: "rich-bs2" });
  t.deepEqual(bs2r.usedBy?.map((u) => u.reference), [link(`global/urlMaps/${n.um}`)]);
  fake.reset();
});

test.serial("regional internal chain (INTERNAL_MANAGED): regional HC, BS, URL map with regex, HTTPS proxy with a self-managed cert, static internal address", async (t) => {
  const sub = `regions/${REGION}/subnetworks/clients`;
  await run(c, c.regionHealthChecks.insert({ project: PROJECT, region: REGION, healthCheckResource: { name: "int-hc", type: "HTTP", httpHealthCheck: { port: 8080 } } }));
  await run(c, c.negs.insert({ project: PROJECT, zone: ZONE, networkEndpointGroupResource: { name: "int-neg", defaultPort: 8080 } }));
  await run(
    c,
    c.regionBackendServices.insert({
      project: PROJECT,
      region: REGION,
      backendServiceResource: {
        name: "int-bs",
        loadBalancingScheme: "INTERNAL_MANAGED",
        healthChecks: [`regions/${REGION}/healthChecks/int-hc`],
        backends: [{ group: `zones/${ZONE}/networkEndpointGroups/int-neg`, balancingMode: "RATE", maxRatePerEndpoint: 50 }],
      },
    }),
  );
  const bs = `regions/${REGION}/backendServices/int-bs`;
  await run(
    c,
    c.regionUrlMaps.insert({
      project: PROJECT,
      region: REGION,
      urlMapResource: {
        name: "int-um",
        defaultService: bs,
        hostRules: [{ hosts: ["*"], pathMatcher: "all" }],
        pathMatchers: [{ name: "all", defaultService: bs, routeRules: [{ priority: 0, matchRules: [{ regexMatch: "^/items/[0-9]+$", headerMatches: [{ headerName: "x-id", regexMatch: "[a-f0-9]+" }] }], service: bs }] }],
      },
    }),
  );
  const certificate = readFileSync(join(certDir, "cert.pem"), "utf8");
  const privateKey = readFileSync(join(certDir, "key.pem"), "utf8");
  await run(c, c.regionSslCertificates.insert({ project: PROJECT, region: REGION, sslCertificateResource: { name: "int-cert", certificate, privateKey } }));
  await run(
    c,
    c.regionHttpsProxies.insert({
      project: PROJECT,
      region: REGION,
      targetHttpsProxyResource: { name: "int-proxy", urlMap: `regions/${REGION}/urlMaps/int-um`, sslCertificates: [`regions/${REGION}/sslCertificates/int-cert`] },
    }),
  );
  await run(c, c.addresses.insert({ project: PROJECT, region: REGION, addressResource: { name: "int-ip", addressType: "INTERNAL", subnetwork: sub, address: "10.1.2.3" } }));
  await run(
    c,
    c.forwardingRules.insert({
      project: PROJECT,
      region: REGION,
      forwardingRuleResource: {
        name: "int-fr",
        loadBalancingScheme: "INTERNAL_MANAGED",
        IPAddress: `regions/${REGION}/addresses/int-ip`,
        portRange: "443",
        target: `regions/${REGION}/targetHttpsProxies/int-proxy`,
        network: "global/networks/default",
        subnetwork: sub,
      },
    }),
  );

  const [cert] = await c.regionSslCertificates.get({ project: PROJECT, region: REGION, sslCertificate: "int-cert" });
  t.is(cert.type, "SELF_MANAGED");
  t.deepEqual(cert.subjectAlternativeNames, ["internal.example.com", "*.internal.example.com"]);
  t.truthy(cert.expireTime);
  t.falsy(cert.privateKey, "the private key is never returned");
  const [fr] = await c.forwardingRules.get({ project: PROJECT, region: REGION, forwardingRule: "int-fr" });
  t.is(fr.IPAddress, "10.1.2.3");
  t.is(fr.subnetwork, link(sub));
  t.is(fr.region, link(`regions/${REGION}`));
  const [ip] = await c.addresses.get({ project: PROJECT, region: REGION, address: "int-ip" });
  t.is(ip.status, "IN_USE");
  t.deepEqual(ip.users, [link(`regions/${REGION}/forwardingRules/int-fr`)]);
  const [um] = await c.regionUrlMaps.get({ project: PROJECT, region: REGION, urlMap: "int-um" });
  t.is(um.pathMatchers?.[0]?.routeRules?.[0]?.matchRules?.[0]?.regexMatch, "^/items/[0-9]+$");
  const [proxy] = await c.regionHttpsProxies.get({ project: PROJECT, region: REGION, targetHttpsProxy: "int-proxy" });
  t.deepEqual(proxy.sslCertificates, [link(`regions/${REGION}/sslCertificates/int-cert`)]);

  // setSslCertificates and setUrlMap change the fingerprint
  await run(c, c.regionSslCertificates.insert({ project: PROJECT, region: REGION, sslCertificateResource: { name: "int-cert2", selfManaged: { certificate, privateKey } } }));
  await run(
    c,
    c.regionHttpsProxies.setSslCertificates({
      project: PROJECT,
      region: REGION,
      targetHttpsProxy: "int-proxy",
      regionTargetHttpsProxiesSetSslCertificatesRequestResource: { sslCertificates: [`regions/${REGION}/sslCertificates/int-cert2`] },
    }),
  );
  const [proxy2] = await c.regionHttpsProxies.get({ project: PROJECT, region: REGION, targetHttpsProxy: "int-proxy" });
  t.deepEqual(proxy2.sslCertificates, [link(`regions/${REGION}/sslCertificates/int-cert2`)]);
  t.not(proxy2.fingerprint, proxy.fingerprint);
  t.deepEqual(fake.internalErrors, []);
  fake.reset();
});

test.serial("firewall for health-check and proxy ranges: insert, patch, read back", async (t) => {
  await run(
    c,
    c.firewalls.insert({
      project: PROJECT,
      firewallResource: { name: "allow-hc", network: "global/networks/default", sourceRanges: ["35.191.0.0/16", "130.211.0.0/22"], allowed: [{ IPProtocol: "tcp", ports: ["8080"] }], targetTags: ["gke-node"] },
    }),
  );
  await run(c, c.firewalls.patch({ project: PROJECT, firewall: "allow-hc", firewallResource: { sourceRanges: ["35.191.0.0/16", "130.211.0.0/22", "10.129.0.0/23"] } }));
  const [fw] = await c.firewalls.get({ project: PROJECT, firewall: "allow-hc" });
  t.deepEqual(fw.sourceRanges, ["35.191.0.0/16", "130.211.0.0/22", "10.129.0.0/23"]);
  t.deepEqual(fw.allowed?.map((a) => [a.IPProtocol, a.ports]), [["tcp", ["8080"]]]);
  t.is(fw.direction, "INGRESS");
  t.is(fw.priority, 1000);
  t.is(fw.network, link("global/networks/default"));
  fake.reset();
});

test.serial("seed (a user's static address) and stable snapshots for golden files", async (t) => {
  const seeded = fake.state.seed("global/addresses", { name: "user-ip", address: "34.1.2.3" });
  t.is(seeded.path, `projects/${PROJECT}/global/addresses/user-ip`);
  t.is(fake.calls.total, 0, "seeding makes no calls");
  await globalChain(c, "snap");
  await run(c, c.globalForwardingRules.insert({ project: PROJECT, forwardingRuleResource: { name: "snap-fr2", IPAddress: "34.1.2.3", loadBalancingScheme: "EXTERNAL_MANAGED", portRange: "8080", target: "global/targetHttpProxies/snap-proxy" } }));
  const snap = fake.state.snapshot({ collection: "addresses", stable: true });
  t.deepEqual(snap, {
    [`projects/${PROJECT}/global/addresses/user-ip`]: {
      kind: "compute#address",
      name: "user-ip",
      address: "34.1.2.3",
      addressType: "EXTERNAL",
      ipVersion: "IPV4",
      networkTier: "PREMIUM",
      selfLink: link("global/addresses/user-ip"),
      status: "IN_USE",
      users: [link("global/forwardingRules/snap-fr2")],
    },
  });
  const all = fake.state.snapshot({ stable: true });
  t.false(JSON.stringify(all).includes("fingerprint"));
  t.deepEqual(Object.keys(all).length, 8);
  // the address cannot go while the rule holds it
  const inUse = await c.globalAddresses.delete({ project: PROJECT, address: "user-ip" }).catch((e: Error) => e);
  t.true(inUse instanceof Error && /already being used by/.test(inUse.message));
  fake.reset();
});

test.serial("a user being deleted still holds its references until its operation is DONE", async (t) => {
  const n = await globalChain(c, "hold");
  fake.state.operations.hold();
  await c.globalForwardingRules.delete({ project: PROJECT, forwardingRule: n.fr! });
  const e = await c.httpProxies.delete({ project: PROJECT, targetHttpProxy: n.proxy! }).catch((x: Error) => x);
  t.true(e instanceof Error && /already being used by/.test(e.message));
  t.is(fake.state.operations.completeAll(), 1);
  fake.state.operations.release();
  await run(c, c.httpProxies.delete({ project: PROJECT, targetHttpProxy: n.proxy! }));
  t.falsy(fake.state.get(`global/targetHttpProxies/${n.proxy}`));
  fake.reset();
});
