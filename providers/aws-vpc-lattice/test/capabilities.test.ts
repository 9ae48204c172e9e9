// What Lattice cannot express is reported by the core on the exact rule (capabilities), and
// the rest of the route is programmed; LatticeConfig validation; names and annotations.
import test from "ava";
import { Container } from "inversify";
import { TOKENS } from "@gatehouse/model";
import type { Provider } from "@gatehouse/provider-api";
import {
  computeOf, converge, defaultConfigYaml, desiredOf, docs, fake, gateway, gatewayClass, httpRoute, latticeConfig, provider, service,
  simpleRule, tlsRoute,
} from "./fixtures.js";
import { parseLatticeConfig } from "../src/config.js";
import { ANNOTATION, decode, encode } from "../src/known.js";
import { LATTICE_CONTROLLER, latticeCapabilities } from "../src/capabilities.js";
import { LATTICE_PROVIDER_TOKENS, latticeProviderModule } from "../src/module.js";
import { LatticeProvider } from "../src/provider.js";
import { buildModel } from "../src/model.js";

const rules = [
  simpleRule("/ok", "web"),
  `  - matches: [{ path: { type: PathPrefix, value: "/q" }, queryParams: [{ name: a, value: b }] }]
    backendRefs: [{ name: web, port: 80 }]`,
  `  - matches: [{ path: { type: PathPrefix, value: "/redirect" } }]
    filters: [{ type: RequestRedirect, requestRedirect: { scheme: https, statusCode: 301 } }]`,
  `  - matches: [{ path: { type: PathPrefix, value: "/h" }, headers: [${[1, 2, 3, 4, 5, 6].map((i) => `{ name: h${i}, value: v }`).join(", ")}] }]
    backendRefs: [{ name: web, port: 80 }]`,
  `  - matches: [{ path: { type: PathPrefix, value: "/many" } }]
    backendRefs: [${Array.from({ length: 11 }, () => "{ name: web, port: 80 }").join(", ")}]`,
].join("\n");

const world = docs(gatewayClass(), defaultConfigYaml(), gateway("gw"), service("web", ["10.0.0.1"]), httpRoute("mixed", "gw", rules));

test("query matches, redirects, 6 header matches and 11 backends are reported on their rules; the rest is programmed", async (t) => {
  const { statuses, desired } = computeOf(world);
  const route = statuses.find((s) => s.kind === "HTTPRoute")!.status as { parents: { conditions: { type: string; status: string; reason: string; message: string }[] }[] };
  const conds = route.parents[0]!.conditions;
  t.like(conds.find((c) => c.type === "Accepted"), { status: "True" });
  const partial = conds.find((c) => c.type === "PartiallyInvalid")!;
  t.like(partial, { status: "True", reason: "UnsupportedValue" });
  t.regex(partial.message, /spec\.rules\[1\]\.matches\[0\]\.queryParams/);
  t.regex(partial.message, /spec\.rules\[2\]\.filters\[0\]/);
  t.regex(partial.message, /spec\.rules\[3\]\.matches\[0\]\.headers: 6 header matches exceed the 5/);
  t.regex(partial.message, /spec\.rules\[4\]\.backendRefs: 11 backends exceed the 10/);
  t.notRegex(partial.message, /spec\.rules\[0\]/);

  // Only rule 0 reaches Lattice (as exact + prefix rules).
  const lattice = await fake();
  t.teardown(() => lattice.close());
  const p = provider(lattice);
  t.teardown(() => p.close());
  const r = await converge(p, desired);
  t.true(r.routes.every((x) => !x.error));
  const paths = lattice.state.snapshot().rules.map((x) => (x["match"] as { httpMatch: { pathMatch: { match: unknown } } }).httpMatch.pathMatch.match);
  t.deepEqual(paths, [{ exact: "/ok" }, { prefix: "/ok/" }]);
});

test("capabilities: honest about what Lattice programs", (t) => {
  const c = latticeCapabilities();
  t.is(c.controllerName, LATTICE_CONTROLLER);
  t.deepEqual(c.filters, []);
  t.deepEqual(c.parameters, [{ group: "gatehouse.dev", kind: "LatticeConfig" }]);
  t.deepEqual(c.limits, { rulesPerRoute: 100, headerMatchesPerMatch: 5, backendsPerRule: 10, hostnamesPerRoute: 1 });
  t.false(c.features.includes("HTTPRouteQueryParamMatching"));
  t.deepEqual(c.certificateOptions, ["gatehouse.dev/acm-certificate-arn"]);
  // TLS listeners: Passthrough only (TLS_PASSTHROUGH); no TCP/UDP routes.
  t.deepEqual(c.protocols, ["HTTP", "HTTPS", "TLS"]);
  t.deepEqual(c.tlsModes, ["Passthrough"]);
  t.deepEqual(c.routeKinds, ["HTTPRoute", "GRPCRoute", "TLSRoute"]);
  t.true(c.features.includes("TLSRoute"));
});

test("LatticeConfig: every field validated, the bad one named", (t) => {
  const ok = parseLatticeConfig({
    region: "eu-west-1", vpcIdentifier: "vpc-0123456789abcdef0", accountId: "123456789012",
    serviceNetwork: { name: "shared-net", create: false, authType: "AWS_IAM" },
    securityGroupIds: ["sg-0123456789abcdef0"], tags: { team: "a" }, adoptUntagged: true,
    healthCheck: { path: "/healthz", intervalSeconds: 10, timeoutSeconds: 2, matcher: "200-299" },
  });
  t.true(ok.ok);
  if (ok.ok) {
    t.like(ok.spec, { region: "eu-west-1", serviceNetwork: { name: "shared-net", create: false, authType: "AWS_IAM" }, adoptUntagged: true });
    t.deepEqual(ok.spec.healthCheck, { path: "/healthz", healthCheckIntervalSeconds: 10, healthCheckTimeoutSeconds: 2, matcher: { httpCode: "200-299" } });
  }
  const bad: [unknown, RegExp][] = [
    [{ region: 7 }, /^spec\.region: must be a string/],
    [{ vpcIdentifier: "vpc-x" }, /^spec\.vpcIdentifier: "vpc-x" is not a VPC id/],
    [{ serviceNetwork: { authType: "IAM" } }, /^spec\.serviceNetwork\.authType: "IAM" is not one of NONE, AWS_IAM/],
    [{ serviceNetwork: { name: "Bad_Name" } }, /^spec\.serviceNetwork\.name/],
    [{ vpcIdentifier: "vpc-0123456789abcdef0", securityGroupIds: ["sg-1"] }, /^spec\.securityGroupIds\[0\]/],
    [{ tags: { "aws:x": "1" } }, /^spec\.tags\.aws:x: tag keys starting with aws:/],
    [{ tags: { "gatehouse.dev/owner": "1" } }, /^spec\.tags\.gatehouse\.dev\/owner/],
    [{ healthCheck: { intervalSeconds: 5, timeoutSeconds: 5 } }, /^spec\.healthCheck\.timeoutSeconds: 5 must be less than/],
    [{ adoptUntagged: "yes" }, /^spec\.adoptUntagged: must be true or false/],
    [[1], /^spec: must be an object/],
  ];
  for (const [spec, re] of bad) {
    const r = parseLatticeConfig(spec);
    t.false(r.ok, JSON.stringify(spec));
    if (!r.ok) t.regex(r.message, re);
  }
});

test("a bad LatticeConfig field is the Gateway's Programmed=False message, and nothing is deleted meanwhile", async (t) => {
  const lattice = await fake();
  t.teardown(() => lattice.close());
  const p = provider(lattice);
  t.teardown(() => p.close());
  const good = docs(gatewayClass(), defaultConfigYaml(), gateway("gw"), service("web", ["10.0.0.1"]), httpRoute("web", "gw", simpleRule("/", "web")));
  await converge(p, desiredOf(good));
  const before = lattice.state.counts();
  const bad = docs(gatewayClass(), latticeConfig(`{ vpcIdentifier: nope }`), gateway("gw"), service("web", ["10.0.0.1"]), httpRoute("web", "gw", simpleRule("/", "web")));
  const r = await converge(p, desiredOf(bad));
  t.like(r.gateways[0], { programmed: false, reason: "Invalid" });
  t.regex(r.gateways[0]!.message, /LatticeConfig default\/lattice-config: spec\.vpcIdentifier: "nope" is not a VPC id/);
  t.deepEqual(lattice.state.counts(), before);
  const { statuses } = computeOf(bad, [r]);
  const gw = statuses.find((s) => s.kind === "Gateway")!.status as { conditions: { type: string; status: string; message: string }[] };
  t.regex(gw.conditions.find((c) => c.type === "Programmed")!.message, /spec\.vpcIdentifier/);
});

test("without a LatticeConfig and no VPC option the Gateway says what is missing; with the option, a network named after the Gateway", (t) => {
  const noParams = docs(`
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: lattice, generation: 1 }
spec: { controllerName: ${LATTICE_CONTROLLER} }`, gateway("gw"));
  const ctx = { controllerName: LATTICE_CONTROLLER, clusterName: "c", region: "us-west-2" };
  const m1 = buildModel(desiredOf(noParams), ctx);
  t.regex(m1.gateways[0]!.invalid!, /no LatticeConfig/);
  const m2 = buildModel(desiredOf(noParams), { ...ctx, vpcIdentifier: "vpc-0123456789abcdef0" });
  t.is(m2.gateways[0]!.invalid, undefined);
  t.like(m2.gateways[0]!.sn, { name: "gw-default", create: true, authType: "NONE" });
});

test("annotation names fit in 63 characters; malformed annotation values are ignored", (t) => {
  t.is(ANNOTATION.route("default/gw"), "gatehouse.dev/lattice-default.gw");
  const long = ANNOTATION.dns(`${"n".repeat(60)}/${"g".repeat(60)}`);
  t.true(long.split("/")[1]!.length <= 63);
  t.regex(long, /^gatehouse\.dev\/lattice-dns-[0-9a-z]{10}$/);
  t.deepEqual(decode("not json"), []);
  t.deepEqual(decode(JSON.stringify({ v: 1, r: { "svc/x": { id: 5, o: "x" }, "other/y": { id: "a", o: "y" } } })), []);
  const round = decode(encode([["svc/x", { id: "svc-1", o: "x", h: "abc" }]]));
  t.deepEqual(round, [["svc/x", { id: "svc-1", o: "x", h: "abc" }]]);
});

test("the container module binds TOKENS.Provider to a LatticeProvider", async (t) => {
  const c = new Container();
  c.bind(LATTICE_PROVIDER_TOKENS.Options).toConstantValue({ region: "us-west-2", endpoint: "http://127.0.0.1:9", credentials: { accessKeyId: "x", secretAccessKey: "y" } });
  await c.load(latticeProviderModule);
  const p = c.get<Provider>(TOKENS.Provider);
  t.true(p instanceof LatticeProvider);
  t.true(p.needsFinalizer);
  t.falsy(p.everyReplica);
  await p.close();
});

test("TLS: a Terminate listener is not accepted; a TLSRoute without an exact hostname is Accepted=False on its parent, the rest is programmed", async (t) => {
  const lattice = await fake();
  t.teardown(() => lattice.close());
  const p = provider(lattice);
  t.teardown(() => p.close());
  const world = docs(gatewayClass(), defaultConfigYaml(),
    gateway("gw", `[{ name: tls, port: 443, protocol: TLS, tls: { mode: Passthrough } }, { name: term, port: 8443, protocol: TLS, tls: { mode: Terminate, options: { "gatehouse.dev/acm-certificate-arn": "arn:aws:acm:us-west-2:123456789012:certificate/abc" } } }]`),
    service("db", ["10.0.0.1"]),
    tlsRoute("ok", "gw", [["db", 1]], ["ok.example.com"]),
    tlsRoute("wild", "gw", [["db", 1]], ["*.example.com"]));
  const r = await converge(p, desiredOf(world));
  t.deepEqual(r.routes.map((x) => [x.route, x.error?.reason]), [["tlsroute/default/ok", undefined], ["tlsroute/default/wild", "UnsupportedValue"]]);
  t.regex(r.routes[1]!.error!.message, /TLS passthrough needs an exact hostname .*only \*\.example\.com/);
  t.is(lattice.state.counts().service, 1);
  const { statuses } = computeOf(world, [r]);
  const gw = statuses.find((s) => s.kind === "Gateway")!.status as { listeners: { name: string; conditions: { type: string; status: string; message: string }[] }[] };
  const term = gw.listeners.find((l) => l.name === "term")!;
  t.is(term.conditions.find((c) => c.type === "Accepted")!.status, "False");
  t.regex(term.conditions.find((c) => c.type === "Accepted")!.message, /tls\.mode: Terminate is not supported by this GatewayClass \(supported: Passthrough\)/);
  const wild = statuses.find((s) => s.kind === "TLSRoute" && s.name === "wild")!.status as { parents: { conditions: { type: string; status: string; reason: string }[] }[] };
  t.like(wild.parents[0]!.conditions.find((c) => c.type === "Accepted"), { status: "False", reason: "UnsupportedValue" });
});
