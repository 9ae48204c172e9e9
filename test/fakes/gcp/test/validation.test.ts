import test from "ava";
import { type FakeCompute, startFakeCompute } from "../src/index.js";
import { CODE, type Clients, PROJECT, REGION, ZONE, clients, closeAll, failure, globalChain, run } from "./helpers.js";

let fake: FakeCompute;
let c: Clients;

test.before(async () => {
  fake = await startFakeCompute({ project: PROJECT, host: "127.41.0.3", operationDelayMs: 0 });
  c = clients(fake);
});

test.after.always(async () => {
  await closeAll(c);
  await fake.close();
});

test.afterEach.always(() => {
  fake.reset();
});

test.serial("names: RFC 1035, at most 63 characters → 400 with the API's message", async (t) => {
  for (const name of ["Upper", "1starts-with-digit", "ends-with-dash-", "under_score", "a".repeat(64)]) {
    const f = await failure(c.healthChecks.insert({ project: PROJECT, healthCheckResource: { name, type: "HTTP" } }));
    t.is(f.code, CODE.INVALID_ARGUMENT, name);
    t.is(f.httpStatusCode, 400);
    t.is(f.reason, "invalid");
    t.is(f.message, `Invalid value for field 'resource.name': '${name}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`);
  }
  const missing = await failure(c.healthChecks.insert({ project: PROJECT, healthCheckResource: { type: "HTTP" } }));
  t.is(missing.reason, "required");
  await run(c, c.healthChecks.insert({ project: PROJECT, healthCheckResource: { name: "a".repeat(63), type: "HTTP" } }));
  t.is(fake.state.resources().length, 1);
});

test.serial("already exists → 409 alreadyExists", async (t) => {
  await run(c, c.healthChecks.insert({ project: PROJECT, healthCheckResource: { name: "dup", type: "HTTP" } }));
  const f = await failure(c.healthChecks.insert({ project: PROJECT, healthCheckResource: { name: "dup", type: "TCP" } }));
  t.is(f.httpStatusCode, 409);
  t.is(f.code, CODE.ABORTED);
  t.is(f.reason, "alreadyExists");
  t.is(f.message, `The resource 'projects/${PROJECT}/global/healthChecks/dup' already exists`);
  // same name in another scope is another resource
  await run(c, c.regionHealthChecks.insert({ project: PROJECT, region: REGION, healthCheckResource: { name: "dup", type: "HTTP" } }));
});

test.serial("stale or missing fingerprint → 412 conditionNotMet; the current one succeeds and changes it", async (t) => {
  const n = await globalChain(c, "fp");
  const [um] = await c.urlMaps.get({ project: PROJECT, urlMap: n.um! });
  await run(c, c.urlMaps.patch({ project: PROJECT, urlMap: n.um!, urlMapResource: { fingerprint: um.fingerprint, description: "v2" } }));
  const stale = await failure(c.urlMaps.patch({ project: PROJECT, urlMap: n.um!, urlMapResource: { fingerprint: um.fingerprint, description: "v3" } }));
  t.is(stale.httpStatusCode, 412);
  t.is(stale.code, CODE.FAILED_PRECONDITION);
  t.is(stale.reason, "conditionNotMet");
  t.is((await failure(c.urlMaps.update({ project: PROJECT, urlMap: n.um!, urlMapResource: { name: n.um, defaultService: `global/backendServices/${n.bs}` } }))).httpStatusCode, 412);
  // re-read, retry
  const [cur] = await c.urlMaps.get({ project: PROJECT, urlMap: n.um! });
  t.is(cur.description, "v2");
  await run(c, c.urlMaps.patch({ project: PROJECT, urlMap: n.um!, urlMapResource: { fingerprint: cur.fingerprint, description: "v3" } }));
  // backend services and proxies are fingerprinted too
  const [bs] = await c.backendServices.get({ project: PROJECT, backendService: n.bs! });
  t.is((await failure(c.backendServices.patch({ project: PROJECT, backendService: n.bs!, backendServiceResource: { fingerprint: "AAAAAAAAAAA=", timeoutSec: 60 } }))).httpStatusCode, 412);
  await run(c, c.backendServices.patch({ project: PROJECT, backendService: n.bs!, backendServiceResource: { fingerprint: bs.fingerprint, timeoutSec: 60 } }));
  const [bs2] = await c.backendServices.get({ project: PROJECT, backendService: n.bs! });
  t.is(bs2.timeoutSec, 60);
  t.is(bs2.backends?.length, 1, "patch merges: backends kept");
  t.is((await failure(c.httpProxies.patch({ project: PROJECT, targetHttpProxy: n.proxy!, targetHttpProxyResource: { description: "x" } }))).httpStatusCode, 412);
});

test.serial("deleting a resource another one uses → 400 resourceInUseByAnotherResource, in dependency order it works", async (t) => {
  const n = await globalChain(c, "use");
  const cases: Array<[Promise<unknown>, string, string]> = [
    [c.healthChecks.delete({ project: PROJECT, healthCheck: n.hc! }), `health_check resource 'projects/${PROJECT}/global/healthChecks/${n.hc}'`, `projects/${PROJECT}/global/backendServices/${n.bs}`],
    [c.negs.delete({ project: PROJECT, zone: ZONE, networkEndpointGroup: n.neg! }), "network_endpoint_group", `projects/${PROJECT}/global/backendServices/${n.bs}`],
    [c.backendServices.delete({ project: PROJECT, backendService: n.bs! }), "backend_service", `projects/${PROJECT}/global/urlMaps/${n.um}`],
    [c.urlMaps.delete({ project: PROJECT, urlMap: n.um! }), "url_map", `projects/${PROJECT}/global/targetHttpProxies/${n.proxy}`],
    [c.httpProxies.delete({ project: PROJECT, targetHttpProxy: n.proxy! }), "target_http_proxy", `projects/${PROJECT}/global/forwardingRules/${n.fr}`],
  ];
  for (const [p, noun, user] of cases) {
    const f = await failure(p);
    t.is(f.httpStatusCode, 400);
    t.is(f.reason, "resourceInUseByAnotherResource");
    t.true(f.message.includes(noun), f.message);
    t.true(f.message.endsWith(`is already being used by '${user}'`), f.message);
  }
  t.is(fake.state.resources().length, 6, "nothing was deleted");
});

test.serial("references must exist and be in the right scope", async (t) => {
  const nf = await failure(c.urlMaps.insert({ project: PROJECT, urlMapResource: { name: "um", defaultService: "global/backendServices/nope" } }));
  t.is(nf.httpStatusCode, 404);
  t.is(nf.reason, "notFound");
  t.is(nf.message, `The resource 'projects/${PROJECT}/global/backendServices/nope' was not found`);
  const bad = await failure(c.urlMaps.insert({ project: PROJECT, urlMapResource: { name: "um", defaultService: "not a url/at all/x/y/z" } }));
  t.is(bad.httpStatusCode, 400);
  t.regex(bad.message, /The URL is malformed/);
  await run(c, c.regionBackendServices.insert({ project: PROJECT, region: REGION, backendServiceResource: { name: "rbs", loadBalancingScheme: "INTERNAL_MANAGED" } }));
  const scope = await failure(c.urlMaps.insert({ project: PROJECT, urlMapResource: { name: "um", defaultService: `regions/${REGION}/backendServices/rbs` } }));
  t.is(scope.httpStatusCode, 400);
  t.regex(scope.message, /global resource/);
  const proj = await failure(c.healthChecks.get({ project: "someone-else", healthCheck: "x" }));
  t.is(proj.httpStatusCode, 404);
});

test.serial("URL map rules: unique route-rule priorities, one match kind, no regex on the global external scheme", async (t) => {
  const n = await globalChain(c, "um");
  const bs = `global/backendServices/${n.bs}`;
  const map = (routeRules: object[]) => ({
    project: PROJECT,
    urlMapResource: { name: "um-x", defaultService: bs, hostRules: [{ hosts: ["a.example"], pathMatcher: "pm" }], pathMatchers: [{ name: "pm", defaultService: bs, routeRules }] },
  });
  const dup = await failure(c.urlMaps.insert(map([{ priority: 1, matchRules: [{ prefixMatch: "/a" }], service: bs }, { priority: 1, matchRules: [{ prefixMatch: "/b" }], service: bs }])));
  t.is(dup.httpStatusCode, 400);
  t.regex(dup.message, /resource\.pathMatchers\[0\]\.routeRules\[1\]\.priority/);
  const regex = await failure(c.urlMaps.insert(map([{ priority: 1, matchRules: [{ regexMatch: "/a.*" }], service: bs }])));
  t.is(regex.httpStatusCode, 400);
  t.regex(regex.message, /Regular expressions can only be used/);
  const hdrRegex = await failure(c.urlMaps.insert(map([{ priority: 1, matchRules: [{ prefixMatch: "/", headerMatches: [{ headerName: "x", regexMatch: "a+" }] }], service: bs }])));
  t.regex(hdrRegex.message, /Regular expressions/);
  const two = await failure(c.urlMaps.insert(map([{ priority: 1, matchRules: [{ prefixMatch: "/a", fullPathMatch: "/a" }], service: bs }])));
  t.regex(two.message, /exactly one of prefixMatch, fullPathMatch, regexMatch, pathTemplateMatch/);
  const both = await failure(c.urlMaps.insert(map([{ priority: 1, matchRules: [{ prefixMatch: "/a" }], service: bs, urlRedirect: { pathRedirect: "/b" } }])));
  t.regex(both.message, /only one of service, urlRedirect/);
  const noPm = await failure(c.urlMaps.insert({ project: PROJECT, urlMapResource: { name: "um-y", defaultService: bs, hostRules: [{ hosts: ["x.example"], pathMatcher: "missing" }] } }));
  t.regex(noPm.message, /path matcher is not defined/);
  const weights = await failure(c.urlMaps.insert(map([{ priority: 1, matchRules: [{ prefixMatch: "/" }], routeAction: { weightedBackendServices: [{ backendService: bs, weight: 1001 }] } }])));
  t.regex(weights.message, /weight/);
  // mixed schemes in one map
  await run(c, c.backendServices.insert({ project: PROJECT, backendServiceResource: { name: "classic", loadBalancingScheme: "EXTERNAL" } }));
  const mixed = await failure(c.urlMaps.insert(map([{ priority: 1, matchRules: [{ prefixMatch: "/" }], service: "global/backendServices/classic" }])));
  t.regex(mixed.message, /same loadBalancingScheme/);
  await run(c, c.urlMaps.insert(map([{ priority: 2, matchRules: [{ prefixMatch: "/a", ignoreCase: true }], service: bs }, { priority: 1, matchRules: [{ fullPathMatch: "/a" }], service: bs }])));
  t.truthy(fake.state.get(`global/urlMaps/um-x`));
});

test.serial("an httpsRedirect map cannot back an HTTPS proxy; forwarding rule scheme must match the backends'", async (t) => {
  const n = await globalChain(c, "sch");
  const f = await failure(
    c.globalForwardingRules.insert({ project: PROJECT, forwardingRuleResource: { name: "sch-fr2", loadBalancingScheme: "EXTERNAL", portRange: "8080", target: `global/targetHttpProxies/${n.proxy}` } }),
  );
  t.regex(f.message, /loadBalancingScheme/);
  const port = await failure(
    c.globalForwardingRules.insert({ project: PROJECT, forwardingRuleResource: { name: "sch-fr3", loadBalancingScheme: "EXTERNAL_MANAGED", portRange: "80-81", target: `global/targetHttpProxies/${n.proxy}` } }),
  );
  t.regex(port.message, /single port/);
  // same IP and port as an existing rule
  const [fr] = await c.globalForwardingRules.get({ project: PROJECT, forwardingRule: n.fr! });
  const clash = await failure(
    c.globalForwardingRules.insert({ project: PROJECT, forwardingRuleResource: { name: "sch-fr4", IPAddress: fr.IPAddress, loadBalancingScheme: "EXTERNAL_MANAGED", portRange: "80", target: `global/targetHttpProxies/${n.proxy}` } }),
  );
  t.regex(clash.message, /conflict/);
  // PATCH cannot move a forwarding rule to another target; setTarget can
  await run(c, c.httpProxies.insert({ project: PROJECT, targetHttpProxyResource: { name: "sch-proxy2", urlMap: `global/urlMaps/${n.um}` } }));
  const patch = await failure(c.globalForwardingRules.patch({ project: PROJECT, forwardingRule: n.fr!, forwardingRuleResource: { fingerprint: fr.fingerprint, target: "global/targetHttpProxies/sch-proxy2" } }));
  t.regex(patch.message, /cannot be patched/);
  await run(c, c.globalForwardingRules.setTarget({ project: PROJECT, forwardingRule: n.fr!, targetReferenceResource: { target: "global/targetHttpProxies/sch-proxy2" } }));
  const [fr2] = await c.globalForwardingRules.get({ project: PROJECT, forwardingRule: n.fr! });
  t.true(fr2.target?.endsWith("/global/targetHttpProxies/sch-proxy2"));
  // a redirect-to-https map behind an https proxy
  await run(c, c.urlMaps.insert({ project: PROJECT, urlMapResource: { name: "to-https", defaultUrlRedirect: { httpsRedirect: true } } }));
  await run(c, c.httpProxies.setUrlMap({ project: PROJECT, targetHttpProxy: "sch-proxy2", urlMapReferenceResource: { urlMap: "global/urlMaps/to-https" } }));
  const [p2] = await c.httpProxies.get({ project: PROJECT, targetHttpProxy: "sch-proxy2" });
  t.true(p2.urlMap?.endsWith("/global/urlMaps/to-https"));
  const https = await failure(c.httpsProxies.insert({ project: PROJECT, targetHttpsProxyResource: { name: "hp", urlMap: "global/urlMaps/to-https", certificateMap: `//certificatemanager.googleapis.com/projects/${PROJECT}/locations/global/certificateMaps/m` } }));
  t.regex(https.message, /httpsRedirect/);
});

test.serial("NEG endpoints: ≤ 500 per call, instance required and in the NEG's zone, attach/detach are idempotent", async (t) => {
  await run(c, c.negs.insert({ project: PROJECT, zone: ZONE, networkEndpointGroupResource: { name: "eps", defaultPort: 8080 } }));
  const attach = (networkEndpoints: object[]) =>
    c.negs.attachNetworkEndpoints({ project: PROJECT, zone: ZONE, networkEndpointGroup: "eps", networkEndpointGroupsAttachEndpointsRequestResource: { networkEndpoints } });
  const many = Array.from({ length: 501 }, (_, i) => ({ instance: "node-1", ipAddress: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}` }));
  const tooMany = await failure(attach(many));
  t.is(tooMany.httpStatusCode, 400);
  t.regex(tooMany.message, /At most 500/);
  await run(c, attach(many.slice(0, 500)));
  await run(c, attach(many.slice(500)));
  t.is(fake.state.endpoints(`zones/${ZONE}/networkEndpointGroups/eps`).length, 501);
  await run(c, attach(many.slice(0, 10)));
  t.is(fake.state.endpoints(`zones/${ZONE}/networkEndpointGroups/eps`).length, 501, "re-attaching changes nothing");
  const noInstance = await failure(attach([{ ipAddress: "10.9.9.9" }]));
  t.is(noInstance.reason, "required");
  const otherZone = await failure(attach([{ instance: `zones/us-central1-b/instances/n`, ipAddress: "10.9.9.9" }]));
  t.regex(otherZone.message, /same zone/);
  await run(
    c,
    c.negs.detachNetworkEndpoints({
      project: PROJECT,
      zone: ZONE,
      networkEndpointGroup: "eps",
      networkEndpointGroupsDetachEndpointsRequestResource: { networkEndpoints: many.slice(0, 500) },
    }),
  );
  const [neg] = await c.negs.get({ project: PROJECT, zone: ZONE, networkEndpointGroup: "eps" });
  t.is(neg.size, 1);
});

test.serial("backend services: NEG backends need a NEG balancing mode; at most one health check", async (t) => {
  await run(c, c.negs.insert({ project: PROJECT, zone: ZONE, networkEndpointGroupResource: { name: "bneg", defaultPort: 80 } }));
  await run(c, c.healthChecks.insert({ project: PROJECT, healthCheckResource: { name: "h1", type: "HTTP" } }));
  await run(c, c.healthChecks.insert({ project: PROJECT, healthCheckResource: { name: "h2", type: "HTTP" } }));
  const util = await failure(c.backendServices.insert({ project: PROJECT, backendServiceResource: { name: "b", backends: [{ group: `zones/${ZONE}/networkEndpointGroups/bneg` }] } }));
  t.regex(util.message, /Balancing mode/);
  const rate = await failure(c.backendServices.insert({ project: PROJECT, backendServiceResource: { name: "b", backends: [{ group: `zones/${ZONE}/networkEndpointGroups/bneg`, balancingMode: "RATE" }] } }));
  t.regex(rate.message, /maxRatePerEndpoint/);
  const hcs = await failure(c.backendServices.insert({ project: PROJECT, backendServiceResource: { name: "b", healthChecks: ["global/healthChecks/h1", "global/healthChecks/h2"] } }));
  t.regex(hcs.message, /At most one health check/);
  const rhc = await failure(
    c.regionBackendServices.insert({ project: PROJECT, region: REGION, backendServiceResource: { name: "b", loadBalancingScheme: "INTERNAL_MANAGED", healthChecks: ["global/healthChecks/h1"] } }),
  );
  t.regex(rhc.message, /region us-central1 resource/);
});
