import test from "ava";
import { build, caps, condition, gateway, http, listener, tlsSecret } from "./fixtures/objects.js";
import { LEAF_CERT, LEAF_KEY } from "./fixtures/certs.js";

const secret = tlsSecret("infra", "cert", LEAF_CERT, LEAF_KEY);
const https = (name: string, port: number, hostname?: string) =>
  ({ name, port, protocol: "HTTPS", ...(hostname ? { hostname } : {}), tls: { certificateRefs: [{ name: "cert" }] } });
const tls = (name: string, port: number, mode: string, hostname?: string) =>
  ({ name, port, protocol: "TLS", ...(hostname ? { hostname } : {}), tls: mode === "Passthrough" ? { mode } : { mode, certificateRefs: [{ name: "cert" }] } });

function conflicted(gws: ReturnType<typeof build>, name: string) {
  const l = listener(gws, name);
  return { accepted: condition(l.conditions, "Accepted"), conflicted: condition(l.conditions, "Conflicted"), valid: l.valid };
}

test("HTTP and HTTPS on one port: both ProtocolConflict, Accepted=False, not valid", (t) => {
  const gws = build({ Secret: [secret], Gateway: [gateway("g", [http("a", 8080), https("b", 8080), http("c", 80)])] });
  const a = conflicted(gws, "a");
  t.deepEqual(a.conflicted, {
    type: "Conflicted", status: "True", reason: "ProtocolConflict",
    message: "spec.listeners[0]: conflicts with listeners a, b: port 8080 mixes HTTP, HTTPS",
  });
  t.deepEqual(a.accepted, { ...a.conflicted, type: "Accepted", status: "False" });
  t.false(a.valid);
  t.is(conflicted(gws, "b").conflicted.reason, "ProtocolConflict");
  t.true(conflicted(gws, "c").valid);
  t.deepEqual(gws[0]!.conditions[0], {
    type: "Accepted", status: "True", reason: "ListenersNotValid",
    message: "Valid listeners: c. Invalid listeners: a: Accepted=False (ProtocolConflict); b: Accepted=False (ProtocolConflict)",
  });
});

test("TCP and UDP may share a port number; TCP with HTTP may not", (t) => {
  const gws = build({
    Gateway: [gateway("g", [
      { name: "t", port: 53, protocol: "TCP" }, { name: "u", port: 53, protocol: "UDP" },
      { name: "t2", port: 9000, protocol: "TCP" }, http("h", 9000),
    ])],
  });
  t.true(conflicted(gws, "t").valid);
  t.true(conflicted(gws, "u").valid);
  t.is(conflicted(gws, "t2").conflicted.message, "spec.listeners[2]: conflicts with listeners t2, h: a TCP listener cannot share port 9000 with HTTP listeners");
  t.is(conflicted(gws, "h").conflicted.reason, "ProtocolConflict");
});

test("two TCP or two UDP listeners on one port conflict whatever their hostnames", (t) => {
  const gws = build({
    Gateway: [gateway("g", [
      { name: "t1", port: 9000, protocol: "TCP", hostname: "a.example.com" }, { name: "t2", port: 9000, protocol: "TCP", hostname: "b.example.com" },
      { name: "u1", port: 53, protocol: "UDP" }, { name: "u2", port: 53, protocol: "UDP" },
    ])],
  });
  t.is(conflicted(gws, "t1").conflicted.message, "spec.listeners[0]: conflicts with listeners t1, t2: more than one TCP listener on port 9000");
  t.is(conflicted(gws, "u2").conflicted.message, "spec.listeners[3]: conflicts with listeners u1, u2: more than one UDP listener on port 53");
  t.deepEqual(gws[0]!.conditions[0], {
    type: "Accepted", status: "False", reason: "ListenersNotValid",
    message: "No valid listeners. t1: Accepted=False (ProtocolConflict); t2: Accepted=False (ProtocolConflict); u1: Accepted=False (ProtocolConflict); u2: Accepted=False (ProtocolConflict)",
  });
});

test("same port, protocol and hostname: HostnameConflict; different hostnames are distinct", (t) => {
  const gws = build({
    Gateway: [gateway("g", [
      http("a", 80, { hostname: "x.example.com" }), http("b", 80, { hostname: "x.example.com" }),
      http("c", 80, { hostname: "y.example.com" }), http("d", 80), http("e", 80),
    ])],
  });
  t.deepEqual(conflicted(gws, "a").conflicted, {
    type: "Conflicted", status: "True", reason: "HostnameConflict",
    message: "spec.listeners[0]: conflicts with listeners a, b: same port 80 and hostname x.example.com",
  });
  t.is(conflicted(gws, "b").accepted.reason, "HostnameConflict");
  t.true(conflicted(gws, "c").valid);
  t.is(conflicted(gws, "e").conflicted.message, "spec.listeners[4]: conflicts with listeners d, e: same port 80 and no hostname");
});

test("HTTPS and TLS share SNI on one port: distinct by hostname, conflicting on the same one", (t) => {
  const gws = build({
    Secret: [secret],
    Gateway: [gateway("g", [https("s", 443, "a.example.com"), tls("p", 443, "Passthrough", "b.example.com"), tls("q", 443, "Passthrough", "a.example.com")])],
  });
  t.is(conflicted(gws, "p").valid, true);
  t.is(conflicted(gws, "s").conflicted.reason, "HostnameConflict");
  t.is(conflicted(gws, "q").conflicted.reason, "HostnameConflict");
});

test("TLS Terminate and Passthrough on one port need TLSRouteModeMixed (conformance)", (t) => {
  const objs = { Secret: [secret], Gateway: [gateway("g", [tls("tls-terminate", 8443, "Terminate", "terminate.example.com"), tls("tls-passthrough", 8443, "Passthrough", "passthrough.example.com")])] };
  const gws = build(objs);
  t.deepEqual(conflicted(gws, "tls-terminate").accepted, {
    type: "Accepted", status: "False", reason: "ProtocolConflict",
    message: "spec.listeners[0]: conflicts with listeners tls-terminate, tls-passthrough: TLS listeners on port 8443 mix Terminate and Passthrough, which this GatewayClass does not support (TLSRouteModeMixed)",
  });
  t.is(conflicted(gws, "tls-passthrough").conflicted.reason, "ProtocolConflict");
  const mixed = build(objs, caps({ features: ["TLSRouteModeMixed"] }));
  t.true(conflicted(mixed, "tls-terminate").valid);
  t.true(conflicted(mixed, "tls-passthrough").valid);
});

test("listeners that are not accepted on their own do not conflict with others", (t) => {
  const gws = build({ Gateway: [gateway("g", [http("a", 80), { name: "odd", port: 80, protocol: "example.com/odd" }, { name: "t", port: 80, protocol: "TCP", tls: {} }])] });
  t.true(conflicted(gws, "a").valid);
  t.deepEqual(conflicted(gws, "odd").conflicted, { type: "Conflicted", status: "False", reason: "NoConflicts", message: "No conflicts" });
});
