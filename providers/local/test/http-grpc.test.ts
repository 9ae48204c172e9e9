// gRPC through an HTTP listener (h2c prior knowledge) to an h2c backend: unary, streaming
// both ways, status and trailing metadata passed through.
import test from "ava";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as loader from "@grpc/proto-loader";
import { disposeCA, issue, makeCA, type CA } from "./fixtures/http-backends.js";
import { backendTLSPolicy, boundPort, configMap, gateway, gatewayClass, grpcRoute, service, startProxy, type Proxy } from "./fixtures/http-world.js";

// Compiled to dist/test/: the .proto stays in the sources.
const PROTO = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "test", "fixtures", "http-echo.proto");
const PROXY = "127.45.0.1";
const BACKEND = "127.45.0.2";

interface Msg { text: string; n: number }
type Client = grpc.Client & {
  Unary(m: Msg, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, r?: Msg) => void): grpc.ClientUnaryCall;
  ServerStream(m: Msg): grpc.ClientReadableStream<Msg>;
  ClientStream(cb: (err: grpc.ServiceError | null, r?: Msg) => void): grpc.ClientWritableStream<Msg>;
  Bidi(): grpc.ClientDuplexStream<Msg, Msg>;
};

const def = loader.loadSync(PROTO, { keepCase: true, defaults: true });
const pkg = grpc.loadPackageDefinition(def) as unknown as { gatehouse: { test: { Echo: grpc.ServiceClientConstructor } } };
const Echo = pkg.gatehouse.test.Echo;

let server: grpc.Server;
let tlsServer: grpc.Server;
let ca: CA;
let proxy: Proxy;
let client: Client;

function bind(s: grpc.Server, address: string, creds: grpc.ServerCredentials): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    s.bindAsync(`${address}:0`, creds, (err, p) => (err ? reject(err) : resolve(p)));
  });
}

test.before(async () => {
  server = new grpc.Server();
  const handlers = {
    Unary: (call: grpc.ServerUnaryCall<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) => {
      if (call.request.text === "fail") {
        cb({ code: grpc.status.NOT_FOUND, details: "nothing here" });
        return;
      }
      const md = new grpc.Metadata();
      md.set("x-trailer", "t1");
      const seen = call.metadata.get("x-client")[0];
      cb(null, { text: `echo:${call.request.text}:${String(seen ?? "")}`, n: call.request.n + 1 }, md);
    },
    ServerStream: (call: grpc.ServerWritableStream<Msg, Msg>) => {
      let i = 0;
      const tick = (): void => {
        if (i >= call.request.n) { call.end(); return; }
        call.write({ text: `${call.request.text}${i}`, n: i++ });
        setTimeout(tick, 10);
      };
      tick();
    },
    ClientStream: (call: grpc.ServerReadableStream<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) => {
      const texts: string[] = [];
      call.on("data", (m: Msg) => texts.push(m.text));
      call.on("end", () => cb(null, { text: texts.join(","), n: texts.length }));
    },
    Bidi: (call: grpc.ServerDuplexStream<Msg, Msg>) => {
      call.on("data", (m: Msg) => call.write({ text: m.text.toUpperCase(), n: m.n }));
      call.on("end", () => call.end());
    },
  };
  server.addService(Echo.service, handlers);
  const port = await bind(server, BACKEND, grpc.ServerCredentials.createInsecure());
  // The same service over TLS, reached through a BackendTLSPolicy (HTTP/2 negotiated by ALPN).
  ca = makeCA();
  const cert = issue(ca, "grpc.internal", ["grpc.internal"]);
  tlsServer = new grpc.Server();
  tlsServer.addService(Echo.service, {
    ...handlers,
    Unary: (call: grpc.ServerUnaryCall<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) => cb(null, { text: `tls:${call.request.text}`, n: 0 }),
  });
  const tlsPort = await bind(tlsServer, "127.45.0.3", grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(cert.key), cert_chain: Buffer.from(cert.cert) }]));
  const objects = [
    gatewayClass(),
    gateway([{ name: "http", port: 80, protocol: "HTTP" }]),
    ...service("echo", [{ address: BACKEND, port }]),
    ...service("echo-tls", [{ address: "127.45.0.3", port: tlsPort }]),
    configMap("grpc-ca", { "ca.crt": ca.cert }),
    backendTLSPolicy("echo-tls", "echo-tls", "grpc.internal", "grpc-ca"),
    grpcRoute("echo", {
      rules: [
        { matches: [{ method: { service: "gatehouse.test.Echo" }, headers: [{ name: "x-tls", value: "1" }] }], backendRefs: [{ name: "echo-tls", port: 80 }] },
        { matches: [{ method: { service: "gatehouse.test.Echo" } }], backendRefs: [{ name: "echo", port: 80 }] },
      ],
    }),
  ];
  proxy = await startProxy(boundPort(objects, PROXY, 0));
  client = new Echo(`${PROXY}:${proxy.port}`, grpc.credentials.createInsecure()) as unknown as Client;
});

test.after.always(async () => {
  client?.close();
  await proxy?.stop();
  await new Promise<void>((resolve) => (server ? server.tryShutdown(() => resolve()) : resolve()));
  await new Promise<void>((resolve) => (tlsServer ? tlsServer.tryShutdown(() => resolve()) : resolve()));
  if (ca) disposeCA(ca);
});

test("gRPC to a backend behind a BackendTLSPolicy: HTTP/2 over verified TLS", async (t) => {
  const md = new grpc.Metadata();
  md.set("x-tls", "1");
  const r = await new Promise<Msg>((resolve, reject) => {
    client.Unary({ text: "secure", n: 0 }, md, (err, m) => (err || !m ? reject(err) : resolve(m)));
  });
  t.is(r.text, "tls:secure");
});

test("unary call with request metadata and trailing metadata", async (t) => {
  const md = new grpc.Metadata();
  md.set("x-client", "c1");
  let status: Promise<grpc.StatusObject> | undefined;
  const r = await new Promise<Msg>((resolve, reject) => {
    const call = client.Unary({ text: "hi", n: 1 }, md, (err, m) => (err || !m ? reject(err) : resolve(m)));
    status = new Promise((res) => call.on("status", res));
  });
  t.deepEqual(r, { text: "echo:hi:c1", n: 2 });
  const s = await status!;
  t.is(s.code, grpc.status.OK);
  t.is(s.metadata.get("x-trailer")[0], "t1");
});

test("an error status and its details pass through (trailers-only response)", async (t) => {
  const err = await new Promise<grpc.ServiceError>((resolve) => {
    client.Unary({ text: "fail", n: 0 }, new grpc.Metadata(), (e) => resolve(e as grpc.ServiceError));
  });
  t.is(err.code, grpc.status.NOT_FOUND);
  t.is(err.details, "nothing here");
});

test("server streaming", async (t) => {
  const got: Msg[] = [];
  await new Promise<void>((resolve, reject) => {
    const s = client.ServerStream({ text: "m", n: 5 });
    s.on("data", (m: Msg) => got.push(m));
    s.on("end", () => resolve());
    s.on("error", reject);
  });
  t.deepEqual(got.map((m) => m.text), ["m0", "m1", "m2", "m3", "m4"]);
});

test("client streaming", async (t) => {
  const r = await new Promise<Msg>((resolve, reject) => {
    const s = client.ClientStream((err, m) => (err || !m ? reject(err) : resolve(m)));
    for (const x of ["a", "b", "c"]) s.write({ text: x, n: 0 });
    s.end();
  });
  t.deepEqual(r, { text: "a,b,c", n: 3 });
});

test("bidirectional streaming, one message at a time", async (t) => {
  const s = client.Bidi();
  const replies: string[] = [];
  for (const x of ["x", "y", "z"]) {
    const reply = new Promise<Msg>((resolve) => s.once("data", resolve));
    s.write({ text: x, n: 1 });
    replies.push((await reply).text);
  }
  s.end();
  await new Promise<void>((resolve) => s.on("status", () => resolve()));
  t.deepEqual(replies, ["X", "Y", "Z"]);
});
