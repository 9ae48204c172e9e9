// Echo backends for the end-to-end traffic tests, in the test's process on loopback
// addresses (port 0): HTTP/1.1 JSON echo, WebSocket echo, gRPC echo over h2c, TCP, UDP and
// TLS echoes. Each records what it received so a test can check what reached it.
import { createHash } from "node:crypto";
import { createSocket } from "node:dgram";
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import { createServer as createTlsServer, type TLSSocket } from "node:tls";
import * as grpc from "@grpc/grpc-js";
import type { Cert } from "./traffic-certs.js";

export interface Endpoint { name: string; host: string; port: number }

/** What an HTTP echo received. */
export interface Seen { method: string; path: string; query: string; host: string; headers: Record<string, string | string[] | undefined>; body: string }

/** The JSON every HTTP echo answers with. */
export interface EchoReply extends Seen { name: string }

export interface HttpEcho extends Endpoint {
  seen: Seen[];
  close(): Promise<void>;
}

function listen(server: HttpServer | NetServer, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port: 0 }, () => {
      const a = server.address();
      resolve(typeof a === "object" && a ? a.port : 0);
    });
  });
}

/** close() that also ends open (keep-alive, upgraded) connections. */
function closer(server: HttpServer | NetServer): () => Promise<void> {
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return () => new Promise((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
}

/**
 * HTTP/1.1 echo: answers 200 with JSON {name, method, path, query, host, headers, body} and
 * `x-echo: <name>`, plus `x-from-backend: yes` and `x-drop-me: yes` for response header
 * filters to edit. Path segments (anywhere in the path): slow/MS answers after MS; status/N
 * answers N; flaky/KEY/N answers 503 to the first N requests with that KEY.
 */
export async function httpEcho(name: string, host = "127.0.0.1"): Promise<HttpEcho> {
  const counts = new Map<string, number>();
  const e = { name, host, port: 0, seen: [] as Seen[] } as HttpEcho;
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = req.url ?? "/";
      const q = url.indexOf("?");
      const path = q < 0 ? url : url.slice(0, q);
      const seen: Seen = {
        method: req.method ?? "", path, query: q < 0 ? "" : url.slice(q + 1), host: req.headers.host ?? "",
        headers: { ...req.headers }, body: Buffer.concat(chunks).toString(),
      };
      e.seen.push(seen);
      res.setHeader("x-echo", name);
      res.setHeader("x-from-backend", "yes");
      res.setHeader("x-drop-me", "yes");
      const seg = path.split("/");
      const arg = (word: string, i = 1): string | undefined => { const at = seg.indexOf(word); return at < 0 ? undefined : seg[at + i]; };
      let status = 200;
      if (arg("status") !== undefined) status = Number(arg("status"));
      const flaky = arg("flaky");
      if (flaky !== undefined) {
        const n = (counts.get(flaky) ?? 0) + 1;
        counts.set(flaky, n);
        if (n <= Number(arg("flaky", 2))) status = 503;
      }
      const reply = (): void => {
        res.statusCode = status;
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ name, ...seen } satisfies EchoReply));
      };
      const slow = arg("slow");
      if (slow !== undefined) setTimeout(reply, Number(slow)).unref();
      else reply();
    });
  });
  server.keepAliveTimeout = 60_000;
  e.close = closer(server);
  e.port = await listen(server, host);
  return e;
}

// ---- WebSocket ----------------------------------------------------------------------------------

const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

export function wsAccept(key: string): string {
  return createHash("sha1").update(key + WS_GUID).digest("base64");
}

/** One WebSocket frame: FIN, opcode, optional mask (clients must mask, servers must not). */
export function wsFrame(opcode: number, payload: Buffer, mask: boolean): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, (mask ? 0x80 : 0) | len])
    : Buffer.from([0x80 | opcode, (mask ? 0x80 : 0) | 126, len >> 8, len & 0xff]);
  if (!mask) return Buffer.concat([head, payload]);
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const body = Buffer.from(payload.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([head, key, body]);
}

/** Reads complete frames off `buf` (payloads < 64 KiB); returns them and the rest. */
export function wsParse(buf: Buffer): { frames: { opcode: number; payload: Buffer }[]; rest: Buffer } {
  const frames: { opcode: number; payload: Buffer }[] = [];
  let off = 0;
  for (;;) {
    if (buf.length - off < 2) break;
    const opcode = buf[off]! & 0x0f;
    const masked = (buf[off + 1]! & 0x80) !== 0;
    let len = buf[off + 1]! & 0x7f;
    let p = off + 2;
    if (len === 126) {
      if (buf.length - off < 4) break;
      len = buf.readUInt16BE(off + 2);
      p += 2;
    }
    const keyAt = p;
    if (masked) p += 4;
    if (buf.length < p + len) break;
    const payload = Buffer.from(buf.subarray(p, p + len));
    if (masked) for (let i = 0; i < len; i++) payload[i]! ^= buf[keyAt + (i % 4)]!;
    frames.push({ opcode, payload });
    off = p + len;
  }
  return { frames, rest: buf.subarray(off) };
}

export interface WsEcho extends Endpoint {
  /** Handshake requests received. */
  upgrades: Seen[];
  close(): Promise<void>;
}

/** WebSocket echo: completes the handshake (RFC 6455 §4.2.2) and answers each text frame with `<name>:<text>`. */
export async function wsEcho(name: string, host = "127.0.0.1"): Promise<WsEcho> {
  const e = { name, host, port: 0, upgrades: [] as Seen[] } as WsEcho;
  const server = createHttpServer((_req, res) => { res.setHeader("x-echo", name); res.end(`plain ${name}`); });
  server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    e.upgrades.push({ method: req.method ?? "", path: req.url ?? "", query: "", host: req.headers.host ?? "", headers: { ...req.headers }, body: "" });
    socket.on("error", () => socket.destroy());
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${wsAccept(String(req.headers["sec-websocket-key"]))}\r\nx-echo: ${name}\r\n\r\n`);
    let buf: Buffer = head;
    const onData = (d: Buffer): void => {
      const { frames, rest } = wsParse(Buffer.concat([buf, d]));
      buf = rest;
      for (const f of frames) {
        if (f.opcode === 0x8) { socket.end(wsFrame(0x8, Buffer.alloc(0), false)); return; }
        if (f.opcode === 0x1) socket.write(wsFrame(0x1, Buffer.from(`${name}:${f.payload.toString()}`), false));
      }
    };
    socket.on("data", onData);
    if (head.length > 0) onData(Buffer.alloc(0));
  });
  e.close = closer(server);
  e.port = await listen(server, host);
  return e;
}

// ---- gRPC ---------------------------------------------------------------------------------------

/** Messages are JSON (no .proto needed: grpc-js takes the (de)serializers directly). */
export interface EchoMsg { text: string }
const ser = (m: EchoMsg): Buffer => Buffer.from(JSON.stringify(m));
const de = (b: Buffer): EchoMsg => JSON.parse(b.toString()) as EchoMsg;

export const ECHO_SERVICE = "gatehouse.e2e.Echo";

/** gatehouse.e2e.Echo/Say: unary. */
export const ECHO_DEFINITION: grpc.ServiceDefinition = {
  Say: {
    path: `/${ECHO_SERVICE}/Say`, requestStream: false, responseStream: false,
    requestSerialize: ser, requestDeserialize: de, responseSerialize: ser, responseDeserialize: de,
  },
};

export type EchoClient = grpc.Client & {
  Say(m: EchoMsg, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, r?: EchoMsg) => void): grpc.ClientUnaryCall;
};
export const EchoClientCtor = grpc.makeGenericClientConstructor(ECHO_DEFINITION, "Echo") as unknown as new (
  address: string, creds: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => EchoClient;

export interface GrpcEcho extends Endpoint {
  /** Text of each call received. */
  calls: string[];
  close(): Promise<void>;
}

/** gRPC over h2c: Say answers `<name>:<text>` with trailing metadata `x-echo: <name>`. */
export async function grpcEcho(name: string, host = "127.0.0.1"): Promise<GrpcEcho> {
  const e = { name, host, port: 0, calls: [] as string[] } as GrpcEcho;
  const server = new grpc.Server();
  server.addService(ECHO_DEFINITION, {
    Say: (call: grpc.ServerUnaryCall<EchoMsg, EchoMsg>, cb: grpc.sendUnaryData<EchoMsg>) => {
      e.calls.push(call.request.text);
      const md = new grpc.Metadata();
      md.set("x-echo", name);
      cb(null, { text: `${name}:${call.request.text}` }, md);
    },
  });
  e.port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:0`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  e.close = () => new Promise((resolve) => server.tryShutdown(() => resolve()));
  return e;
}

// ---- L4 -----------------------------------------------------------------------------------------

export interface StreamEcho extends Endpoint {
  connections: number;
  /** TLS: the SNI of each connection. */
  servernames: string[];
  close(): Promise<void>;
}

/** TCP echo: says `<name>\n` on connect, then sends every byte back. */
export async function tcpEcho(name: string, host = "127.0.0.1"): Promise<StreamEcho> {
  const e = { name, host, port: 0, connections: 0, servernames: [] as string[] } as StreamEcho;
  const server = createNetServer((s) => {
    e.connections++;
    s.on("error", () => s.destroy());
    s.write(`${name}\n`);
    s.pipe(s);
  });
  e.close = closer(server);
  e.port = await listen(server, host);
  return e;
}

/** TLS echo (greeting and echo as tcpEcho) with its own certificate (the client sees it through a passthrough listener). */
export async function tlsEcho(name: string, cert: Cert, host = "127.0.0.1"): Promise<StreamEcho> {
  const e = { name, host, port: 0, connections: 0, servernames: [] as string[] } as StreamEcho;
  const server = createTlsServer({ key: cert.key, cert: cert.cert }, (s: TLSSocket) => {
    e.connections++;
    e.servernames.push(String((s as TLSSocket & { servername?: string | false }).servername || ""));
    s.on("error", () => s.destroy());
    s.write(`${name}\n`);
    s.pipe(s);
  });
  e.close = closer(server);
  e.port = await listen(server, host);
  return e;
}

export interface UdpEcho extends Endpoint {
  /** Client address:port of each datagram (the proxy's session sockets). */
  peers: string[];
  close(): Promise<void>;
}

/** UDP echo: each datagram comes back as `<name>:<datagram>`. */
export async function udpEcho(name: string, host = "127.0.0.1"): Promise<UdpEcho> {
  const e = { name, host, port: 0, peers: [] as string[] } as UdpEcho;
  const sock = createSocket("udp4");
  sock.on("message", (msg, rinfo) => {
    e.peers.push(`${rinfo.address}:${rinfo.port}`);
    sock.send(`${name}:${msg.toString()}`, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    sock.once("error", reject);
    sock.bind(0, host, () => resolve());
  });
  e.port = sock.address().port;
  e.close = () => new Promise((resolve) => sock.close(() => resolve()));
  return e;
}

/** Closes everything given, ignoring errors (test.after.always). */
export async function closeAll(list: readonly { close(): Promise<void> }[]): Promise<void> {
  await Promise.all(list.map((x) => x.close().catch(() => {})));
}
