// WebSocket upgrades on HTTP/1.1: proxied to ws and plain http backends, bytes both ways,
// a refused upgrade passed back.
import test from "ava";
import { connect } from "node:net";
import { wsEcho, type EchoBackend } from "./fixtures/http-backends.js";
import { boundPort, gateway, gatewayClass, httpRoute, service, startProxy, toService, type Proxy } from "./fixtures/http-world.js";

const PROXY = "127.46.0.1";
let ws: EchoBackend;
let plain: EchoBackend;
let proxy: Proxy;

test.before(async () => {
  ws = await wsEcho("ws", "127.46.0.2");
  plain = await wsEcho("plain", "127.46.0.3");
  const objects = [
    gatewayClass(),
    gateway([{ name: "http", port: 80, protocol: "HTTP" }]),
    ...service("ws", [{ address: ws.address, port: ws.port }], "kubernetes.io/ws"),
    ...service("plain", [{ address: plain.address, port: plain.port }]),
    httpRoute("site", {
      rules: [
        toService("plain", { matches: [{ path: { type: "PathPrefix", value: "/plain" } }] }),
        toService("ws"),
      ],
    }),
  ];
  proxy = await startProxy(boundPort(objects, PROXY, 0));
});

test.after.always(async () => {
  await proxy?.stop();
  await ws?.close();
  await plain?.close();
});

/** Opens a WebSocket by hand; resolves with the handshake answer and a way to exchange bytes. */
function open(path: string): Promise<{ head: string; send(s: string): Promise<string>; close(): void }> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: PROXY, port: proxy.port });
    let buf = "";
    let waiter: ((s: string) => void) | undefined;
    s.on("error", reject);
    s.on("data", (c: Buffer) => {
      buf += c.toString("latin1");
      const end = buf.indexOf("\r\n\r\n");
      if (waiter === undefined && end >= 0 && !buf.startsWith("#")) {
        const head = buf.slice(0, end);
        buf = "#" + buf.slice(end + 4);
        resolve({
          head,
          send: (text) => new Promise((res) => {
            waiter = res;
            s.write(text);
          }),
          close: () => s.destroy(),
        });
        if (!head.startsWith("HTTP/1.1 101")) s.destroy();
        return;
      }
      if (waiter !== undefined && buf.length > 1) {
        const w = waiter;
        waiter = undefined;
        const got = buf.slice(1);
        buf = "#";
        w(got);
      }
    });
    s.on("close", () => { if (!buf.startsWith("#")) resolve({ head: buf, send: async () => "", close: () => undefined }); });
    s.write(`GET ${path} HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  });
}

test("upgrade to a ws backend: 101, then bytes both ways", async (t) => {
  const c = await open("/chat?room=1");
  t.regex(c.head, /^HTTP\/1\.1 101/);
  t.regex(c.head, /Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/i);
  t.is(await c.send("hello"), "hello");
  t.is(await c.send("again"), "again");
  c.close();
  const rec = ws.requests.find((r) => r.url === "/chat?room=1");
  t.truthy(rec);
  t.is(rec?.headers.upgrade, "websocket");
  t.is(rec?.headers["x-forwarded-for"], "127.0.0.1");
});

test("upgrade to a plain http backend works too", async (t) => {
  const c = await open("/plain/x");
  t.regex(c.head, /^HTTP\/1\.1 101/);
  t.is(await c.send("abc"), "abc");
  c.close();
});

test("a refused upgrade is passed back and the connection closed", async (t) => {
  const c = await open("/refuse");
  t.regex(c.head, /^HTTP\/1\.1 403/);
});
