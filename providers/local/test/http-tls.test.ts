// HTTPS ports: certificate choice by SNI (exact, wildcard, several certificates on one
// listener, fallback), ALPN h2 and http/1.1, and TLS to backends (BackendTLSPolicy).
import test from "ava";
import { X509Certificate } from "node:crypto";
import { connect as tlsConnect } from "node:tls";
import { ask, ask2, disposeCA, httpsEcho, issue, json, makeCA, type CA, type Cert, type EchoBackend } from "./fixtures/http-backends.js";
import {
  backendTLSPolicy, boundPort, configMap, gateway, gatewayClass, httpRoute, service, startProxy, tlsSecret, toService, type Proxy,
} from "./fixtures/http-world.js";

const PROXY = "127.44.0.1";
let ca: CA;
let backendCA: CA;
let secure: EchoBackend;
let proxy: Proxy;
const certs: Record<string, Cert> = {};

test.before(async () => {
  ca = makeCA();
  backendCA = makeCA();
  certs.exact = issue(ca, "a.example.com", ["a.example.com"]);
  certs.wild = issue(ca, "wild.example.com", ["*.example.com"]);
  certs.one = issue(ca, "one.test", ["one.test"]);
  certs.two = issue(ca, "two.test", ["two.test"]);
  const backendCert = issue(backendCA, "backend.internal", ["backend.internal", "URI:spiffe://cluster/ns/default/sa/web"]);
  secure = await httpsEcho("secure", "127.44.0.2", backendCert);
  const objects = [
    gatewayClass(),
    gateway([
      { name: "exact", port: 443, protocol: "HTTPS", hostname: "a.example.com", tls: { mode: "Terminate", certificateRefs: [{ name: "exact" }] } },
      { name: "wild", port: 443, protocol: "HTTPS", hostname: "*.example.com", tls: { mode: "Terminate", certificateRefs: [{ name: "wild" }] } },
      { name: "any", port: 443, protocol: "HTTPS", tls: { mode: "Terminate", certificateRefs: [{ name: "one" }, { name: "two" }] } },
    ]),
    tlsSecret("exact", certs.exact), tlsSecret("wild", certs.wild), tlsSecret("one", certs.one), tlsSecret("two", certs.two),
    ...service("secure", [{ address: secure.address, port: secure.port }], "https"),
    ...service("badname", [{ address: secure.address, port: secure.port }], "https"),
    ...service("bysan", [{ address: secure.address, port: secure.port }], "https"),
    configMap("backend-ca", { "ca.crt": backendCA.cert }),
    backendTLSPolicy("secure", "secure", "backend.internal", "backend-ca"),
    backendTLSPolicy("badname", "badname", "other.internal", "backend-ca"),
    backendTLSPolicy("bysan", "bysan", "ignored.internal", "backend-ca", [{ type: "URI", uri: "spiffe://cluster/ns/default/sa/web" }]),
    httpRoute("site", {
      rules: [
        toService("secure", { matches: [{ path: { type: "PathPrefix", value: "/secure" } }] }),
        toService("badname", { matches: [{ path: { type: "PathPrefix", value: "/badname" } }] }),
        toService("bysan", { matches: [{ path: { type: "PathPrefix", value: "/bysan" } }] }),
        toService("secure"),
      ],
    }),
  ];
  proxy = await startProxy(boundPort(objects, PROXY, 0));
});

test.after.always(async () => {
  await proxy?.stop();
  await secure?.close();
  if (ca) disposeCA(ca);
  if (backendCA) disposeCA(backendCA);
});

/** The subject CN of the certificate the proxy presents for `servername` (undefined: no SNI). */
function presented(servername: string | undefined): Promise<{ cn: string; alpn: string | false }> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: PROXY, port: proxy.port, ca: ca.cert, ...(servername ? { servername } : {}), rejectUnauthorized: false, ALPNProtocols: ["http/1.1"] }, () => {
      const cert = new X509Certificate(s.getPeerCertificate(true).raw);
      const cn = /CN=([^\n,]+)/.exec(cert.subject)?.[1] ?? "";
      resolve({ cn, alpn: s.alpnProtocol ?? false });
      s.destroy();
    });
    s.on("error", reject);
  });
}

test("SNI picks the exact certificate before the wildcard", async (t) => {
  t.is((await presented("a.example.com")).cn, "a.example.com");
  t.is((await presented("b.example.com")).cn, "wild.example.com");
});

test("two certificates on one listener: each name gets its own", async (t) => {
  t.is((await presented("one.test")).cn, "one.test");
  t.is((await presented("two.test")).cn, "two.test");
});

test("an unknown name or no SNI gets the first certificate", async (t) => {
  t.is((await presented("unknown.test")).cn, "a.example.com");
  t.is((await presented(undefined)).cn, "a.example.com");
});

test("HTTPS with HTTP/1.1, verified against the CA; X-Forwarded-Proto https", async (t) => {
  const r = await ask(`https://${PROXY}:${proxy.port}`, { path: "/secure/x", headers: { host: "a.example.com" }, tls: { servername: "a.example.com", ca: ca.cert, ALPNProtocols: ["http/1.1"] } });
  t.is(r.status, 200);
  const e = json(r);
  t.is(e.backend, "secure");
  t.is(e.headers["x-forwarded-proto"], "https");
  t.is(e.headers["x-forwarded-port"], "443");
});

test("ALPN h2: an HTTP/2 client over TLS", async (t) => {
  const r = await ask2(`https://${PROXY}:${proxy.port}`, { path: "/secure/h2", headers: { ":authority": "one.test" }, tls: { servername: "one.test", ca: ca.cert } });
  t.is(r.alpn, "h2");
  t.is(r.status, 200);
  t.is(json(r).url, "/secure/h2");
});

test("BackendTLSPolicy: the backend certificate is verified (hostname); a wrong hostname fails (503)", async (t) => {
  const ok = await ask(`https://${PROXY}:${proxy.port}`, { path: "/secure/ok", headers: { host: "one.test" }, tls: { servername: "one.test", ca: ca.cert } });
  t.is(ok.status, 200);
  const bad = await ask(`https://${PROXY}:${proxy.port}`, { path: "/badname/x", headers: { host: "one.test" }, tls: { servername: "one.test", ca: ca.cert } });
  t.is(bad.status, 503);
});

test("BackendTLSPolicy subjectAltNames: a URI SAN is accepted instead of the hostname", async (t) => {
  const r = await ask(`https://${PROXY}:${proxy.port}`, { path: "/bysan/x", headers: { host: "one.test" }, tls: { servername: "one.test", ca: ca.cert } });
  t.is(r.status, 200);
  t.is(json(r).backend, "secure");
});
