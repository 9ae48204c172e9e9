// Clients for the traffic tests: HTTP(S) requests with any Host/SNI, raw bytes, WebSocket,
// gRPC, TCP, TLS and UDP exchanges, and bounded polling. Timeouts are for liveness only.
import { createSocket } from "node:dgram";
import { request as httpRequest, type Agent, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect, createServer, type Socket } from "node:net";
import { connect as tlsConnect, type PeerCertificate } from "node:tls";
import * as grpc from "@grpc/grpc-js";
import { sleep } from "./e2e-helpers.js";
import { EchoClientCtor, wsFrame, wsParse, type EchoMsg, type EchoReply } from "./traffic-backends.js";

const LIVENESS_MS = 15_000;

export interface Res {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The echo's JSON when the body is one. */
  echo?: EchoReply;
  /** Client side port of the connection used (tells keep-alive reuse apart from new connections). */
  localPort?: number;
}

export interface Req {
  method?: string;
  path?: string;
  /** Host header (and SNI for https). */
  host?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Source address (X-Forwarded-For is then known). */
  localAddress?: string;
  agent?: Agent;
  /** https: the CA to trust (SNI = host). */
  ca?: string;
}

function parse(status: number, headers: IncomingHttpHeaders, body: string): Res {
  const r: Res = { status, headers, body };
  if (String(headers["content-type"] ?? "").startsWith("application/json")) {
    try { r.echo = JSON.parse(body) as EchoReply; } catch { /* not an echo */ }
  }
  return r;
}

/** One HTTP/1.1 request to `addr:port` (a fresh connection unless an agent is given). */
export function send(addr: string, port: number, q: Req = {}): Promise<Res> {
  const tls = q.ca !== undefined;
  return new Promise((resolve, reject) => {
    const host = q.host ?? "app.example.com";
    const opts = {
      host: addr, port, method: q.method ?? "GET", path: q.path ?? "/",
      headers: { host, ...(q.headers ?? {}) },
      agent: q.agent ?? false,
      ...(q.localAddress ? { localAddress: q.localAddress } : {}),
      ...(tls ? { ca: q.ca, servername: host } : {}),
    };
    const req = (tls ? httpsRequest : httpRequest)(opts, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      const localPort = res.socket?.localPort;
      res.on("end", () => resolve({ ...parse(res.statusCode ?? 0, res.headers, Buffer.concat(chunks).toString()), ...(localPort ? { localPort } : {}) }));
      res.on("error", reject);
    });
    req.setTimeout(LIVENESS_MS, () => req.destroy(new Error(`no answer from ${addr}:${port}${q.path ?? "/"} within ${LIVENESS_MS} ms`)));
    req.on("error", reject);
    req.end(q.body);
  });
}

/** Repeats `f` until `ok` holds (bounded: liveness only); resolves with the last result. */
export async function until<T>(f: () => Promise<T>, ok: (r: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let error: unknown;
  for (;;) {
    try {
      last = await f();
      if (ok(last)) return last;
    } catch (e) {
      error = e;
    }
    if (Date.now() > deadline) {
      const shown = last === undefined ? String(error) : JSON.stringify(last, (k, v) => (k === "headers" && typeof v === "object" ? undefined : v)).slice(0, 600);
      throw new Error(`timed out waiting for ${what}; last: ${shown}`);
    }
    await sleep(50);
  }
}

/** Sends raw bytes; resolves with all bytes read until the server closes (closed) or `timeoutMs` passes. */
export function raw(addr: string, port: number, bytes: string | Buffer, timeoutMs = 5_000): Promise<{ data: string; closed: boolean }> {
  return new Promise((resolve) => {
    const s = connect({ host: addr, port });
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ data: Buffer.concat(chunks).toString("latin1"), closed });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    s.on("data", (c: Buffer) => chunks.push(c));
    s.on("close", () => finish(true));
    s.on("error", () => finish(true));
    s.write(bytes);
  });
}

export function statusOf(rawResponse: string): number {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(rawResponse);
  return m ? Number(m[1]) : -1;
}

/** Reads from a socket until `done(buffer)` holds or it closes (liveness timeout). */
function readUntil(s: Socket, done: (b: Buffer) => boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error(`socket: no complete answer within ${LIVENESS_MS} ms: ${JSON.stringify(buf.toString("latin1"))}`)), LIVENESS_MS);
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      if (done(buf)) finish();
    };
    const onClose = (): void => finish(done(buf) ? undefined : new Error(`socket closed before a complete answer: ${JSON.stringify(buf.toString("latin1"))}`));
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      s.off("data", onData);
      s.off("close", onClose);
      s.off("error", onClose);
      if (err) reject(err);
      else resolve(buf);
    };
    s.on("data", onData);
    s.on("close", onClose);
    s.on("error", onClose);
  });
}

export interface WsResult { status: number; head: string; replies: string[] }

/**
 * A WebSocket handshake through the Gateway (Host `host`, path `path`), then each text
 * message sent and its echo read; closes with a close frame.
 */
export async function wsExchange(addr: string, port: number, host: string, path: string, messages: string[]): Promise<WsResult> {
  const s = connect({ host: addr, port });
  try {
    await new Promise<void>((resolve, reject) => { s.once("connect", resolve); s.once("error", reject); });
    const key = Buffer.from("gatehouse-e2e-ws").toString("base64");
    s.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    let buf = await readUntil(s, (b) => b.includes("\r\n\r\n"));
    const end = buf.indexOf("\r\n\r\n");
    const head = buf.subarray(0, end).toString("latin1");
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? -1);
    buf = buf.subarray(end + 4);
    const replies: string[] = [];
    if (status !== 101) return { status, head, replies };
    for (const m of messages) {
      s.write(wsFrame(0x1, Buffer.from(m), true));
      const got = await readUntil(s, (b) => wsParse(Buffer.concat([buf, b])).frames.length > 0);
      const { frames, rest } = wsParse(Buffer.concat([buf, got]));
      buf = rest;
      for (const f of frames) replies.push(f.payload.toString());
    }
    s.write(wsFrame(0x8, Buffer.alloc(0), true));
    return { status, head, replies };
  } finally {
    s.destroy();
  }
}

/** A unary gRPC call (h2c prior knowledge) to addr:port with `:authority` = authority. */
export function grpcSay(addr: string, port: number, authority: string, text: string): Promise<{ reply?: EchoMsg; error?: grpc.ServiceError; trailers?: grpc.Metadata }> {
  const client = new EchoClientCtor(`${addr}:${port}`, grpc.credentials.createInsecure(), { "grpc.default_authority": authority });
  return new Promise((resolve) => {
    let result: { reply?: EchoMsg; error?: grpc.ServiceError } = {};
    // The callback runs first, then "status" with the trailing metadata.
    const call = client.Say({ text }, new grpc.Metadata(), { deadline: Date.now() + LIVENESS_MS }, (err, reply) => {
      result = { ...(reply ? { reply } : {}), ...(err ? { error: err } : {}) };
    });
    call.on("status", (st: grpc.StatusObject) => {
      client.close();
      resolve({ ...result, trailers: st.metadata });
    });
  });
}

/** Opens a TCP connection, sends `msg`, reads the echo (`<backend>\n<msg>`). */
export async function tcpExchange(addr: string, port: number, msg: string): Promise<string> {
  const s = connect({ host: addr, port });
  try {
    await new Promise<void>((resolve, reject) => { s.once("connect", resolve); s.once("error", reject); });
    s.write(msg);
    return (await readUntil(s, (b) => b.toString().endsWith(`\n${msg}`))).toString();
  } finally {
    s.destroy();
  }
}

export interface TlsResult { reply: string; peer: PeerCertificate; authorized: boolean }

/** TLS to addr:port with SNI `servername`, trusting `ca`; sends `msg` and reads the echo (`<backend>\n<msg>`). */
export async function tlsExchange(addr: string, port: number, servername: string, ca: string, msg: string): Promise<TlsResult> {
  const s = tlsConnect({ host: addr, port, servername, ca });
  try {
    await new Promise<void>((resolve, reject) => { s.once("secureConnect", resolve); s.once("error", reject); });
    const peer = s.getPeerCertificate();
    s.write(msg);
    const reply = (await readUntil(s, (b) => b.toString().endsWith(`\n${msg}`))).toString();
    return { reply, peer, authorized: s.authorized };
  } finally {
    s.destroy();
  }
}

export interface UdpClient {
  /** Sends a datagram and waits for one answer; undefined after `waitMs`. */
  ask(msg: string, waitMs?: number): Promise<string | undefined>;
  close(): void;
}

/** One client socket (one proxy session) for several exchanges. */
export async function udpClient(addr: string, port: number): Promise<UdpClient> {
  const sock = createSocket("udp4");
  await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", () => resolve()));
  let waiter: ((m: string) => void) | undefined;
  sock.on("message", (m) => waiter?.(m.toString()));
  sock.on("error", () => {});
  return {
    ask: (msg, waitMs = 1_000) => new Promise((resolve) => {
      const timer = setTimeout(() => { waiter = undefined; resolve(undefined); }, waitMs);
      waiter = (m) => { clearTimeout(timer); waiter = undefined; resolve(m); };
      sock.send(msg, port, addr);
    }),
    close: () => sock.close(),
  };
}

/** A port on `host` nobody listens on (it was free a moment ago): connections are refused. */
export async function deadPort(host = "127.0.0.1"): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, host, () => resolve()));
  const a = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return typeof a === "object" && a ? a.port : 0;
}

/** The certificate presented at addr:port for SNI `servername` (verified against `ca`). */
export function peerCertificate(addr: string, port: number, servername: string, ca: string): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: addr, port, servername, ca }, () => {
      const p = s.getPeerCertificate();
      s.destroy();
      resolve(p);
    });
    s.on("error", reject);
  });
}
