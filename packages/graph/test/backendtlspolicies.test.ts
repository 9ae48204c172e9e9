import test from "ava";
import { BackendTLSPolicies } from "../src/backends/backendtlspolicies.js";
import type { GatewayNode, RouteNode } from "../src/types.js";
import { b64, snapshot } from "./fixtures/objects.js";
import { CA_CERT, LEAF_CERT } from "./fixtures/certs.js";

const cm = (name: string, data: Record<string, string>, namespace = "apps"): any => ({ kind: "ConfigMap", metadata: { namespace, name }, data });
const svc: any = { kind: "Service", metadata: { namespace: "apps", name: "api" }, spec: { ports: [{ name: "https", port: 443 }, { name: "admin", port: 8443 }] } };
function policy(name: string, targetRefs: object[], validation: object, created = "2024-01-01T00:00:00Z", namespace = "apps"): any {
  return { kind: "BackendTLSPolicy", metadata: { namespace, name, creationTimestamp: created, generation: 4 }, spec: { targetRefs, validation } };
}
const target = (sectionName?: string) => ({ group: "", kind: "Service", name: "api", ...(sectionName ? { sectionName } : {}) });
const caRef = (name = "ca", kind = "ConfigMap") => ({ group: "", kind, name });
const valid = (refs: object[] = [caRef()]) => ({ hostname: "api.example.com", caCertificateRefs: refs });

function gw(key: string): GatewayNode {
  const [namespace, name] = key.split("/") as [string, string];
  return { key, namespace, name, controllerName: "gatehouse.dev/test" } as GatewayNode;
}
function route(gatewayKeys: string[], backends: { serviceKey: string; port: number }[], accepted = true): RouteNode {
  return {
    kind: "HTTPRoute", key: "apps/r", namespace: "apps", name: "r",
    parents: gatewayKeys.map((gatewayKey, index) => ({ index, gatewayKey, accepted })),
    rules: [{ filters: [], backends: backends.map((b) => ({ ...b, filters: [] })) }],
  } as unknown as RouteNode;
}

test("a valid ConfigMap CA applies to the targeted Service", (t) => {
  const p = new BackendTLSPolicies(snapshot({ Service: [svc], ConfigMap: [cm("ca", { "ca.crt": CA_CERT })], BackendTLSPolicy: [policy("p", [target()], { ...valid(), subjectAltNames: [{ type: "URI", uri: "spiffe://x/y" }] })] }));
  t.deepEqual(p.forService("apps", "api", "https"), {
    policy: "backendtlspolicy/apps/p", hostname: "api.example.com", caCertificatesPem: [CA_CERT], subjectAltNames: [{ type: "URI", value: "spiffe://x/y" }],
  });
  t.is(p.forService("apps", "other", undefined), undefined);
  t.is(p.forService("other", "api", undefined), undefined);
  t.deepEqual(p.referencedKeys(), [{ kind: "ConfigMap", key: "apps/ca" }]);
});

test("Secret CAs are base64; System well-known CAs need no refs", (t) => {
  const p = new BackendTLSPolicies(snapshot({
    Secret: [{ kind: "Secret", metadata: { namespace: "apps", name: "ca" }, data: { "ca.crt": b64(CA_CERT + LEAF_CERT) } } as any],
    BackendTLSPolicy: [policy("p", [target("https")], valid([caRef("ca", "Secret")])), policy("q", [target("admin")], { hostname: "api.example.com", wellKnownCACertificates: "System" })],
  }));
  t.is(p.forService("apps", "api", "https")?.caCertificatesPem.length, 2);
  t.is(p.forService("apps", "api", "admin")?.wellKnownCACertificates, "System");
  t.deepEqual(p.forService("apps", "api", "admin")?.caCertificatesPem, []);
});

test("a policy on a port wins over one on the whole Service", (t) => {
  const p = new BackendTLSPolicies(snapshot({
    ConfigMap: [cm("ca", { "ca.crt": CA_CERT })],
    BackendTLSPolicy: [policy("whole", [target()], valid(), "2020-01-01T00:00:00Z"), policy("port", [target("admin")], valid())],
  }));
  t.is(p.forService("apps", "api", "admin")?.policy, "backendtlspolicy/apps/port");
  t.is(p.forService("apps", "api", "https")?.policy, "backendtlspolicy/apps/whole");
  t.is(p.forService("apps", "api", undefined)?.policy, "backendtlspolicy/apps/whole");
});

test("same target: oldest wins, then namespace/name; losers are Accepted=False Conflicted on the ancestor", (t) => {
  const objs = { Service: [svc], ConfigMap: [cm("ca", { "ca.crt": CA_CERT })] };
  const p = new BackendTLSPolicies(snapshot({
    ...objs,
    BackendTLSPolicy: [policy("b", [target()], valid(), "2024-01-01T00:00:00Z"), policy("a", [target()], valid(), "2024-01-01T00:00:00Z"), policy("old", [target()], valid(), "2023-01-01T00:00:00Z")],
  }));
  t.is(p.forService("apps", "api", "https")?.policy, "backendtlspolicy/apps/old");
  const nodes = p.nodes([gw("infra/g")], [route(["infra/g"], [{ serviceKey: "apps/api", port: 443 }])]);
  t.deepEqual(nodes.map((n) => n.key), ["apps/a", "apps/b", "apps/old"]);
  t.deepEqual(nodes[0]!.ancestors, [{
    gatewayKey: "infra/g", controllerName: "gatehouse.dev/test",
    conditions: [
      { type: "Accepted", status: "False", reason: "Conflicted", message: "Policy apps/old targets the same Service and section and takes precedence (older, or first by namespace/name)" },
      { type: "ResolvedRefs", status: "True", reason: "ResolvedRefs", message: "All references are resolved" },
    ],
  }]);
  t.deepEqual(nodes[2]!.ancestors[0]!.conditions[0], { type: "Accepted", status: "True", reason: "Accepted", message: "Policy is accepted" });
  t.is(nodes[2]!.generation, 4);
  t.is(nodes[2]!.source, "backendtlspolicy/apps/old");
});

test("ancestors: one per Gateway of ours whose accepted routes use a targeted Service port", (t) => {
  const p = new BackendTLSPolicies(snapshot({ Service: [svc], ConfigMap: [cm("ca", { "ca.crt": CA_CERT })], BackendTLSPolicy: [policy("p", [target("admin")], valid())] }));
  const gws = [gw("infra/a"), gw("infra/b")];
  t.deepEqual(p.nodes(gws, [route(["infra/b", "infra/a", "infra/unknown"], [{ serviceKey: "apps/api", port: 8443 }])])[0]!.ancestors.map((a) => a.gatewayKey), ["infra/a", "infra/b"]);
  t.deepEqual(p.nodes(gws, [route(["infra/a"], [{ serviceKey: "apps/api", port: 443 }])]), [], "another port of the Service");
  t.deepEqual(p.nodes(gws, [route(["infra/a"], [{ serviceKey: "apps/api", port: 8443 }], false)]), [], "route not accepted");
});

test("CA ref problems: InvalidKind, InvalidCACertificateRef; all invalid → NoValidCACertificate", (t) => {
  const p = new BackendTLSPolicies(snapshot({
    Service: [svc],
    ConfigMap: [cm("nokey", { other: "x" }), cm("junk", { "ca.crt": "not a cert" }), cm("ok", { "ca.crt": CA_CERT })],
    BackendTLSPolicy: [
      policy("bad", [target()], valid([{ group: "example.com", kind: "Bundle", name: "x" }, caRef("missing"), caRef("nokey"), caRef("junk")])),
      policy("partial", [{ ...target(), name: "other" }], valid([caRef("missing"), caRef("ok")])),
    ],
  }));
  const conds = p.nodes([gw("infra/g")], [route(["infra/g"], [{ serviceKey: "apps/api", port: 443 }, { serviceKey: "apps/other", port: 443 }])]).map((n) => n.ancestors[0]!.conditions);
  const problems = [
    'spec.validation.caCertificateRefs[0]: "example.com"/"Bundle" is not supported; use a core ConfigMap or Secret',
    "spec.validation.caCertificateRefs[1]: ConfigMap apps/missing does not exist",
    "spec.validation.caCertificateRefs[2]: ConfigMap apps/nokey has no valid ca.crt",
    "spec.validation.caCertificateRefs[3]: ca.crt in ConfigMap apps/junk is not a valid PEM certificate",
  ];
  t.deepEqual(conds[0], [
    { type: "Accepted", status: "False", reason: "NoValidCACertificate", message: `No valid CA certificate: ${problems.join("; ")}` },
    { type: "ResolvedRefs", status: "False", reason: "InvalidKind", message: problems.join("; ") },
  ]);
  t.deepEqual(p.forService("apps", "api", undefined)?.caCertificatesPem, [], "an invalid policy leaves no trust anchors");
  t.deepEqual(conds[1], [
    { type: "Accepted", status: "True", reason: "Accepted", message: "Policy is accepted" },
    { type: "ResolvedRefs", status: "False", reason: "InvalidCACertificateRef", message: "spec.validation.caCertificateRefs[0]: ConfigMap apps/missing does not exist" },
  ]);
  t.deepEqual(p.forService("apps", "other", undefined)?.caCertificatesPem, [CA_CERT]);
});

test("invalid validation blocks: Accepted=False Invalid with field paths", (t) => {
  const cases: [object, string][] = [
    [{ hostname: "api.example.com" }, "spec.validation: one of caCertificateRefs and wellKnownCACertificates must be set"],
    [{ hostname: "api.example.com", caCertificateRefs: [caRef()], wellKnownCACertificates: "System" }, "spec.validation: only one of caCertificateRefs and wellKnownCACertificates may be set"],
    [{ hostname: "api.example.com", wellKnownCACertificates: "example.com/mine" }, 'spec.validation.wellKnownCACertificates: "example.com/mine" is not supported (supported: System)'],
    [{ hostname: "*.example.com", wellKnownCACertificates: "System" }, 'spec.validation.hostname: "*.example.com" is not a valid hostname without wildcard'],
    [{ hostname: "api.example.com", wellKnownCACertificates: "System", subjectAltNames: [{ type: "Hostname" }] }, 'spec.validation.subjectAltNames[0]: type "Hostname" needs a matching non-empty hostname'],
  ];
  for (const [validation, message] of cases) {
    const p = new BackendTLSPolicies(snapshot({ Service: [svc], ConfigMap: [cm("ca", { "ca.crt": CA_CERT })], BackendTLSPolicy: [policy("p", [target()], validation)] }));
    const [n] = p.nodes([gw("infra/g")], [route(["infra/g"], [{ serviceKey: "apps/api", port: 443 }])]);
    t.deepEqual(n!.ancestors[0]!.conditions[0], { type: "Accepted", status: "False", reason: "Invalid", message });
    t.is(p.forService("apps", "api", "https")?.wellKnownCACertificates, undefined);
  }
});

test("non-Service targets and junk never throw", (t) => {
  const p = new BackendTLSPolicies(snapshot({
    BackendTLSPolicy: [null as any, { metadata: { name: "x", namespace: "apps" }, spec: "junk" } as any, policy("k", [{ group: "example.com", kind: "Thing", name: "api" }], valid())],
    Service: [{ metadata: { name: "s", namespace: "apps" }, spec: { ports: "x" } } as any],
  }));
  t.is(p.forService("apps", "api", undefined), undefined);
  t.deepEqual(p.referencedKeys(), [{ kind: "ConfigMap", key: "apps/ca" }]);
});
