import test from "ava";
import { build, b64, condition, gateway, listener, tlsSecret } from "./fixtures/objects.js";
import { CA_CERT, EC_CERT, EC_KEY, LEAF_CERT, LEAF_KEY, LEAF_NOT_AFTER } from "./fixtures/certs.js";

const https = (refs: unknown[], name = "https") => ({ name, port: 443, protocol: "HTTPS", tls: { certificateRefs: refs } });
const GRANT = (ns: string, fromNs: string, name?: string) => ({
  apiVersion: "gateway.networking.k8s.io/v1beta1", kind: "ReferenceGrant", metadata: { namespace: ns, name: "allow" },
  spec: { from: [{ group: "gateway.networking.k8s.io", kind: "Gateway", namespace: fromNs }], to: [{ group: "", kind: "Secret", ...(name ? { name } : {}) }] },
}) as any;

function resolved(objs: object, refs: unknown[]) {
  const gws = build({ ...objs, Gateway: [gateway("g", [https(refs)])] } as any);
  const l = listener(gws, "https");
  return { l, rr: condition(l.conditions, "ResolvedRefs") };
}

test("a valid RSA key pair resolves with SAN DNS names, notAfter and a PKCS#8 key", (t) => {
  const { l, rr } = resolved({ Secret: [tlsSecret("infra", "cert", LEAF_CERT + CA_CERT, LEAF_KEY)] }, [{ name: "cert" }]);
  t.is(rr.status, "True");
  t.true(l.valid);
  const c = l.tls!.certificates[0]!;
  t.is(c.source, "secret/infra/cert");
  t.deepEqual(c.dnsNames, ["*.example.com", "example.com"]);
  t.is(c.notAfter, LEAF_NOT_AFTER);
  t.is(c.certificatePem.match(/BEGIN CERTIFICATE/g)?.length, 2, "the chain is kept");
  t.true(c.privateKeyPem.startsWith("-----BEGIN PRIVATE KEY-----"));
  t.deepEqual(l.certificateRefKeys, ["infra/cert"]);
});

test("a certificate without SAN falls back to the CN; SEC1 EC keys are read", (t) => {
  const { l } = resolved({ Secret: [tlsSecret("infra", "ec", EC_CERT, EC_KEY)] }, [{ name: "ec", kind: "Secret", group: "" }]);
  t.deepEqual(l.tls!.certificates[0]!.dnsNames, ["cn-only.example.org"]);
});

test("stringData is read when data lacks the keys", (t) => {
  const s = { kind: "Secret", metadata: { namespace: "infra", name: "sd" }, type: "kubernetes.io/tls", stringData: { "tls.crt": LEAF_CERT, "tls.key": LEAF_KEY } };
  t.is(resolved({ Secret: [s] }, [{ name: "sd" }]).rr.status, "True");
});

const cases: [string, object, unknown[], string, string][] = [
  ["missing Secret", {}, [{ name: "nope" }], "InvalidCertificateRef", "spec.listeners[0].tls.certificateRefs[0]: Secret infra/nope does not exist"],
  ["wrong type", { Secret: [tlsSecret("infra", "c", LEAF_CERT, LEAF_KEY, "Opaque")] }, [{ name: "c" }], "InvalidCertificateRef",
    'spec.listeners[0].tls.certificateRefs[0]: Secret infra/c is of type "Opaque", not kubernetes.io/tls'],
  ["malformed PEM", { Secret: [tlsSecret("infra", "c", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n", LEAF_KEY)] }, [{ name: "c" }],
    "InvalidCertificateRef", "spec.listeners[0].tls.certificateRefs[0]: Secret infra/c: tls.crt is not a valid PEM certificate"],
  ["no certificate", { Secret: [tlsSecret("infra", "c", "hello", LEAF_KEY)] }, [{ name: "c" }],
    "InvalidCertificateRef", "spec.listeners[0].tls.certificateRefs[0]: Secret infra/c: tls.crt contains no PEM certificate"],
  ["bad key", { Secret: [tlsSecret("infra", "c", LEAF_CERT, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")] }, [{ name: "c" }],
    "InvalidCertificateRef", "spec.listeners[0].tls.certificateRefs[0]: Secret infra/c: tls.key is not a valid PEM private key"],
  ["mismatched key", { Secret: [tlsSecret("infra", "c", LEAF_CERT, EC_KEY)] }, [{ name: "c" }],
    "InvalidCertificateRef", "spec.listeners[0].tls.certificateRefs[0]: Secret infra/c: tls.key does not match the certificate in tls.crt"],
  ["data not base64", { Secret: [{ kind: "Secret", metadata: { namespace: "infra", name: "c" }, type: "kubernetes.io/tls", data: { "tls.crt": "!!!", "tls.key": b64(LEAF_KEY) } }] },
    [{ name: "c" }], "InvalidCertificateRef", "spec.listeners[0].tls.certificateRefs[0]: Secret infra/c has no valid tls.crt"],
  ["unsupported kind", {}, [{ kind: "ConfigMap", name: "c" }], "InvalidCertificateRef",
    'spec.listeners[0].tls.certificateRefs[0]: ""/"ConfigMap" is not supported; only core Secrets can hold certificates'],
  ["unsupported group", {}, [{ group: "example.com", kind: "Secret", name: "c" }], "InvalidCertificateRef",
    'spec.listeners[0].tls.certificateRefs[0]: "example.com"/"Secret" is not supported; only core Secrets can hold certificates'],
  ["no name", {}, [{}], "InvalidCertificateRef", "spec.listeners[0].tls.certificateRefs[0].name: required"],
  ["no refs", {}, [], "InvalidCertificateRef", "spec.listeners[0].tls.certificateRefs: at least one certificate is required when mode is Terminate"],
  ["cross-namespace without grant", { Secret: [tlsSecret("certs", "c", LEAF_CERT, LEAF_KEY)] }, [{ name: "c", namespace: "certs" }], "RefNotPermitted",
    "spec.listeners[0].tls.certificateRefs[0]: Secret certs/c is in another namespace and no ReferenceGrant in certs allows Gateways from infra to refer to it"],
  ["grant for another name", { Secret: [tlsSecret("certs", "c", LEAF_CERT, LEAF_KEY)], ReferenceGrant: [GRANT("certs", "infra", "other")] },
    [{ name: "c", namespace: "certs" }], "RefNotPermitted",
    "spec.listeners[0].tls.certificateRefs[0]: Secret certs/c is in another namespace and no ReferenceGrant in certs allows Gateways from infra to refer to it"],
];
for (const [title, objs, refs, reason, message] of cases) {
  test(`certificate ref: ${title} → ResolvedRefs=False ${reason}`, (t) => {
    const { l, rr } = resolved(objs, refs);
    t.deepEqual(rr, { type: "ResolvedRefs", status: "False", reason, message });
    t.is(condition(l.conditions, "Accepted").status, "True");
    t.false(l.valid);
  });
}

test("a ReferenceGrant (whole namespace or by name) permits a cross-namespace Secret", (t) => {
  for (const grant of [GRANT("certs", "infra"), GRANT("certs", "infra", "c")]) {
    const { l, rr } = resolved({ Secret: [tlsSecret("certs", "c", LEAF_CERT, LEAF_KEY)], ReferenceGrant: [grant] }, [{ name: "c", namespace: "certs" }]);
    t.is(rr.status, "True");
    t.deepEqual(l.certificateRefKeys, ["certs/c"]);
  }
});

test("several refs: every failure is reported, the first gives the reason; keys list every Secret", (t) => {
  const { l, rr } = resolved({ Secret: [tlsSecret("infra", "ok", LEAF_CERT, LEAF_KEY)] },
    [{ name: "ok" }, { name: "x", namespace: "other" }, { name: "missing" }, { kind: "Foo", name: "f" }]);
  t.is(rr.reason, "RefNotPermitted");
  t.is(rr.message, [
    "spec.listeners[0].tls.certificateRefs[1]: Secret other/x is in another namespace and no ReferenceGrant in other allows Gateways from infra to refer to it",
    "spec.listeners[0].tls.certificateRefs[2]: Secret infra/missing does not exist",
    'spec.listeners[0].tls.certificateRefs[3]: ""/"Foo" is not supported; only core Secrets can hold certificates',
  ].join("; "));
  t.deepEqual(l.certificateRefKeys, ["infra/missing", "infra/ok", "other/x"]);
  t.is(l.tls!.certificates.length, 1);
});
