// TLS listeners through the local L4 port: passthrough routed by SNI (exact, wildcard, any,
// no match, no SNI), listener isolation, a ClientHello trickled byte by byte or fragmented
// across records, the ClientHello timeout, and Terminate mode with the listener certificate.
import test from "ava";
import { connect as netConnect } from "node:net";
import { connect as tlsConnect, type PeerCertificate } from "node:tls";
import { createTlsPort } from "../src/l4/index.js";
import type { BoundPort, PortRuntime } from "../src/runtime/types.js";
import {
  boundPorts, captureClientHello, echoBackend, eventually, gateway, gatewayClass, makeCert, onlyPort, proxyPortNumber,
  recordingBackend, reframe, route, service, settings, startPort, testEnv, tlsBackend, tlsSecret, type Backend, type Cert,
} from "./fixtures/l4-harness.js";

let next = 1;
const addr = (): string => `127.77.1.${next++}`;

interface TlsResult { greeting?: string; peerCN?: string; error?: string }

/** TLS client: the backend's greeting line and the certificate the client saw. */
function tlsHello(host: string, port: number, opts: { servername?: string; ca?: string } = {}): Promise<TlsResult> {
  return new Promise((resolve) => {
    const s = tlsConnect({
      host, port, ...(opts.servername ? { servername: opts.servername } : {}),
      ...(opts.ca ? { ca: opts.ca } : { rejectUnauthorized: false }),
    });
    let buf = "";
    let peerCN: string | undefined;
    const timer = setTimeout(() => { s.destroy(); resolve({ error: "client timeout" }); }, 5000);
    s.setEncoding("utf8");
    s.on("secureConnect", () => { peerCN = (s.getPeerCertificate() as PeerCertificate).subject?.CN as string | undefined; });
    s.on("data", (d: string) => {
      buf += d;
      const i = buf.indexOf("\n");
      if (i >= 0) { clearTimeout(timer); s.destroy(); resolve({ greeting: buf.slice(0, i), ...(peerCN ? { peerCN } : {}) }); }
    });
    s.on("error", (e) => { clearTimeout(timer); resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }); });
    s.on("close", () => { clearTimeout(timer); resolve({ error: "closed" }); });
  });
}

// One gateway, one TLS port, three listeners (most specific first in the IR):
//   foo   foo.example.com  Passthrough   TLSRoute r-foo  [foo.example.com] → foo
//   wild  *.example.com    Passthrough   TLSRoute r-exact [a.example.com] → exact
//                                         TLSRoute r-wild  [*.example.com] → wild
//                                         TLSRoute r-steal [foo.example.com] → exact (isolation)
//   term  secure.test      Terminate     TLSRoute r-term → plain (TCP echo)
interface World { host: string; port: number; rt: PortRuntime; env: ReturnType<typeof testEnv>; bp: BoundPort; backends: Record<string, Backend>; termCert: Cert }

let world: Promise<World> | undefined;
function sharedWorld(): Promise<World> {
  world ??= (async () => {
    const backendCert = makeCert(["backend.internal"]);
    const termCert = makeCert(["secure.test"]);
    const backends: Record<string, Backend> = {};
    for (const n of ["foo", "exact", "wild"]) backends[n] = await tlsBackend(n, addr(), backendCert);
    backends.plain = await echoBackend("plain", addr());
    const host = addr();
    const port = proxyPortNumber();
    const bp = onlyPort(boundPorts([
      gatewayClass(),
      tlsSecret("term-cert", termCert),
      gateway("gw", [
        { name: "wild", port, protocol: "TLS", hostname: "*.example.com", tls: { mode: "Passthrough" } },
        { name: "foo", port, protocol: "TLS", hostname: "foo.example.com", tls: { mode: "Passthrough" } },
        { name: "term", port, protocol: "TLS", hostname: "secure.test", tls: { mode: "Terminate", certificateRefs: [{ name: "term-cert" }] } },
      ]),
      route("TLSRoute", { name: "r-foo", gateway: "gw", sectionName: "foo", hostnames: ["foo.example.com"], backends: [{ name: "foo" }] }),
      route("TLSRoute", { name: "r-exact", gateway: "gw", sectionName: "wild", hostnames: ["a.example.com"], backends: [{ name: "exact" }] }),
      route("TLSRoute", { name: "r-wild", gateway: "gw", sectionName: "wild", hostnames: ["*.example.com"], backends: [{ name: "wild" }] }),
      // Listener isolation: this route on the wildcard listener names foo.example.com, which
      // the foo listener owns; it is older, so only isolation keeps it from winning.
      route("TLSRoute", { name: "r-steal", gateway: "gw", sectionName: "wild", hostnames: ["foo.example.com"], backends: [{ name: "exact" }], created: "2024-01-01T00:00:00Z" }),
      route("TLSRoute", { name: "r-term", gateway: "gw", sectionName: "term", backends: [{ name: "plain" }] }),
      ...Object.values(backends).flatMap((b) => service(b.name, [b])),
    ], "gw", host));
    const env = testEnv();
    const rt = await startPort(createTlsPort, bp, settings(), env);
    return { host, port, rt, env, bp, backends, termCert };
  })();
  return world;
}

test.after.always(async () => {
  if (!world) return;
  const w = await world;
  await w.rt.drain(0);
  for (const b of Object.values(w.backends)) await b.close();
});

test("the IR puts exact listener hostnames before wildcards", async (t) => {
  const w = await sharedWorld();
  t.deepEqual(w.bp.listeners.map((l) => l.name), ["foo", "term", "wild"]);
});

test("passthrough: exact SNI route", async (t) => {
  const w = await sharedWorld();
  const r = await tlsHello(w.host, w.port, { servername: "a.example.com" });
  t.deepEqual(r, { greeting: "exact", peerCN: "backend.internal" });
});

test("passthrough: wildcard SNI route (one and two labels deep)", async (t) => {
  const w = await sharedWorld();
  t.is((await tlsHello(w.host, w.port, { servername: "b.example.com" })).greeting, "wild");
  t.is((await tlsHello(w.host, w.port, { servername: "x.y.example.com" })).greeting, "wild");
});

test("listener isolation: foo.example.com reaches only the foo listener's route", async (t) => {
  const w = await sharedWorld();
  for (let i = 0; i < 3; i++) t.is((await tlsHello(w.host, w.port, { servername: "foo.example.com" })).greeting, "foo");
});

test("no matching listener, or no SNI: the connection is closed", async (t) => {
  const w = await sharedWorld();
  t.truthy((await tlsHello(w.host, w.port, { servername: "other.org" })).error);
  t.truthy((await tlsHello(w.host, w.port, { servername: "example.com" })).error);
  t.truthy((await tlsHello(w.host, w.port)).error);
  const reasons = w.env.lines.map((l) => String(l.fields?.reason));
  for (const sni of ["other.org", "example.com", "(none)"]) t.true(reasons.includes(`no listener for SNI ${sni}`), sni);
});

test("terminate: the listener certificate for the SNI, plaintext to the backend", async (t) => {
  const w = await sharedWorld();
  // Verified against the listener's certificate as CA: the proxy presented it.
  const s = tlsConnect({ host: w.host, port: w.port, servername: "secure.test", ca: w.termCert.cert });
  const got = await new Promise<string>((resolve, reject) => {
    let buf = "";
    s.setEncoding("utf8");
    s.on("secureConnect", () => s.write("hello over tls\n"));
    s.on("data", (d: string) => { buf += d; if (buf.split("\n").length >= 3) resolve(buf); });
    s.on("error", reject);
  });
  s.destroy();
  // The backend is a plain TCP echo: it greets in plaintext and echoes the decrypted bytes.
  t.is(got, "plain\nhello over tls\n");
});

test("any SNI and no SNI: a listener without hostname and a TLSRoute without hostnames", async (t) => {
  const cert = makeCert(["any.internal"]);
  const b = await tlsBackend("any", addr(), cert);
  t.teardown(() => b.close());
  const host = addr();
  const port = proxyPortNumber();
  const bp = onlyPort(boundPorts([
    gatewayClass(),
    gateway("gw2", [{ name: "all", port, protocol: "TLS", tls: { mode: "Passthrough" } }]),
    route("TLSRoute", { name: "r-any", gateway: "gw2", backends: [{ name: "any" }] }),
    ...service("any", [b]),
  ], "gw2", host));
  const rt = await startPort(createTlsPort, bp, settings());
  t.teardown(() => rt.drain(0));
  t.is((await tlsHello(host, port, { servername: "whatever.org" })).greeting, "any");
  t.is((await tlsHello(host, port)).greeting, "any");
});

/** A gateway whose a.example.com route goes to a backend that records the raw bytes. */
async function recordingWorld(t: { teardown(fn: () => unknown): void }, expectBytes: number, s = settings()) {
  const rec = await recordingBackend("rec", addr(), expectBytes);
  t.teardown(() => rec.close());
  const host = addr();
  const port = proxyPortNumber();
  const bp = onlyPort(boundPorts([
    gatewayClass(),
    gateway("gw3", [{ name: "l", port, protocol: "TLS", hostname: "*.example.com", tls: { mode: "Passthrough" } }]),
    route("TLSRoute", { name: "r", gateway: "gw3", hostnames: ["a.example.com"], backends: [{ name: "rec" }] }),
    ...service("rec", [rec]),
  ], "gw3", host));
  const env = testEnv();
  const rt = await startPort(createTlsPort, bp, s, env);
  t.teardown(() => rt.drain(0));
  return { rec, host, port, env };
}

/** Writes `bytes` in pieces of `size`, each on its own turn of the event loop; resolves with the reply. */
function trickle(host: string, port: number, bytes: Buffer, size: number): Promise<string> {
  return new Promise((resolve) => {
    const s = netConnect({ host, port, noDelay: true });
    let reply = "";
    s.setEncoding("utf8");
    s.on("data", (d: string) => { reply += d; });
    s.on("error", () => {});
    s.on("close", () => resolve(reply));
    s.on("connect", async () => {
      for (let p = 0; p < bytes.length && !s.destroyed; p += size) {
        s.write(bytes.subarray(p, p + size));
        await new Promise((r) => setImmediate(r));
      }
    });
  });
}

test("a ClientHello written byte by byte reaches the backend byte for byte", async (t) => {
  const hello = await captureClientHello(addr(), "a.example.com");
  const { rec, host, port } = await recordingWorld(t, hello.length);
  t.is(await trickle(host, port, hello, 1), "rec\n");
  t.is(rec.received.length, 1);
  t.true(rec.received[0]!.equals(hello));
});

test("a ClientHello fragmented across TLS records is routed and replayed unchanged", async (t) => {
  const records = reframe(await captureClientHello(addr(), "a.example.com"), [1, 2, 3, 40, 7]);
  const { rec, host, port } = await recordingWorld(t, records.length);
  t.is(await trickle(host, port, records, 13), "rec\n");
  t.true(rec.received[0]!.equals(records));
});

test("an SNI the listener covers but no route does is closed", async (t) => {
  const hello = await captureClientHello(addr(), "b.example.com");
  const { rec, host, port, env } = await recordingWorld(t, hello.length);
  t.is(await trickle(host, port, hello, 500), "");
  t.is(rec.accepted, 0);
  t.true(env.lines.some((l) => String(l.fields?.reason).includes("no TLSRoute for SNI b.example.com")));
});

test("an incomplete ClientHello is cut off after requestHeadersTimeoutMs", async (t) => {
  const hello = await captureClientHello(addr(), "a.example.com");
  const { rec, host, port, env } = await recordingWorld(t, hello.length, settings({ requestHeadersTimeoutMs: 100 }));
  const closed = await new Promise<boolean>((resolve) => {
    const s = netConnect({ host, port });
    const timer = setTimeout(() => { s.destroy(); resolve(false); }, 5000);
    s.on("connect", () => s.write(hello.subarray(0, 20)));
    s.on("error", () => {});
    s.on("close", () => { clearTimeout(timer); resolve(true); });
  });
  t.true(closed);
  t.is(rec.accepted, 0);
  t.true(await eventually(() => env.lines.some((l) => String(l.fields?.reason).includes("requestHeadersTimeoutMs"))));
});

test("garbage instead of a ClientHello is closed", async (t) => {
  const { rec, host, port } = await recordingWorld(t, 1);
  t.is(await trickle(host, port, Buffer.from("GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n"), 100), "");
  t.is(rec.accepted, 0);
});

test("terminate: several certificates on one listener, chosen by SNI (exact SAN before wildcard)", async (t) => {
  const plain = await echoBackend("plain2", addr());
  t.teardown(() => plain.close());
  const exact = makeCert(["a.secure.test"]);
  const wild = makeCert(["*.secure.test"]);
  const host = addr();
  const port = proxyPortNumber();
  const bp = onlyPort(boundPorts([
    gatewayClass(),
    tlsSecret("wild", wild),
    tlsSecret("exact", exact),
    gateway("gw4", [{ name: "t", port, protocol: "TLS", hostname: "*.secure.test", tls: { mode: "Terminate", certificateRefs: [{ name: "wild" }, { name: "exact" }] } }]),
    route("TLSRoute", { name: "r", gateway: "gw4", backends: [{ name: "plain2" }] }),
    ...service("plain2", [plain]),
  ], "gw4", host));
  const rt = await startPort(createTlsPort, bp, settings());
  t.teardown(() => rt.drain(0));
  t.deepEqual(await tlsHello(host, port, { servername: "a.secure.test", ca: exact.cert }), { greeting: "plain2", peerCN: "a.secure.test" });
  t.deepEqual(await tlsHello(host, port, { servername: "b.secure.test", ca: wild.cert }), { greeting: "plain2", peerCN: "*.secure.test" });
});

test("a client that ends before its ClientHello is complete is closed at once", async (t) => {
  const hello = await captureClientHello(addr(), "a.example.com");
  const { rec, host, port, env } = await recordingWorld(t, hello.length);
  const s = netConnect({ host, port, allowHalfOpen: true });
  s.on("connect", () => s.end(hello.subarray(0, 20)));
  s.on("error", () => {});
  s.resume();
  await new Promise((r) => s.once("end", r));
  t.is(rec.accepted, 0);
  t.true(env.lines.some((l) => String(l.fields?.reason).includes("ended before a complete ClientHello")));
  s.destroy();
});

test("idle timeout applies to passthrough and terminated sessions alike", async (t) => {
  const plain = await echoBackend("plain3", addr());
  t.teardown(() => plain.close());
  const cert = makeCert(["idle.test"]);
  const host = addr();
  const port = proxyPortNumber();
  const bp = onlyPort(boundPorts([
    gatewayClass(),
    tlsSecret("idle", cert),
    gateway("gw5", [{ name: "t", port, protocol: "TLS", hostname: "idle.test", tls: { mode: "Terminate", certificateRefs: [{ name: "idle" }] } }]),
    route("TLSRoute", { name: "r", gateway: "gw5", backends: [{ name: "plain3" }] }),
    ...service("plain3", [plain]),
  ], "gw5", host));
  const rt = await startPort(createTlsPort, bp, settings({ streamIdleTimeoutMs: 150 }));
  t.teardown(() => rt.drain(0));
  const s = tlsConnect({ host, port, servername: "idle.test", ca: cert.cert });
  s.on("error", () => {});
  const greeting = await new Promise<string>((resolve) => { s.setEncoding("utf8"); s.once("data", (d: string) => resolve(d)); });
  t.is(greeting, "plain3\n");
  const closed = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 5000);
    s.once("close", () => { clearTimeout(timer); resolve(true); });
    s.once("end", () => { clearTimeout(timer); resolve(true); });
  });
  t.true(closed);
  s.destroy();
});
