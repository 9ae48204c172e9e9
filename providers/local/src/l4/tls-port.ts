// TLS listeners: the ClientHello is read (not answered) to learn the SNI, which picks the
// listener and then its TLSRoute. Passthrough: the bytes read so far and everything after go
// to the backend untouched. Terminate: TLS ends here with the listener's certificate for that
// SNI and the plaintext goes to the backend.
import type { Socket } from "node:net";
import { TLSSocket } from "node:tls";
import type { PortFactory, ProxySettings, RuntimeEnv, BoundPort } from "../runtime/types.js";
import { ClientHelloReader } from "./client-hello.js";
import { selectListener, selectSniRoute, type L4Listener, type L4Table } from "./route-table.js";
import { safeLog } from "./safe-log.js";
import { StreamPort, type StreamConn } from "./stream-port.js";
import { chooseCertificate, SecureContextCache } from "./tls-contexts.js";

/** Per-connection state while the ClientHello is being read. */
interface HelloState {
  port: TlsPort;
  conn: StreamConn;
  table: L4Table;
  settings: ProxySettings;
  reader: ClientHelloReader;
  timer: NodeJS.Timeout | undefined;
}

const HELLO = Symbol("l4.hello");
type WithHello = Socket & { [HELLO]?: HelloState };

class TlsPort extends StreamPort {
  readonly protocol = "TLS" as const;

  constructor(port: BoundPort, settings: ProxySettings, env: RuntimeEnv) {
    super(port, settings, env, "tls", new SecureContextCache(safeLog(env.log)));
  }

  protected onConnection(conn: StreamConn, table: L4Table, settings: ProxySettings): void {
    const s = conn.client as WithHello;
    const st: HelloState = { port: this, conn, table, settings, reader: new ClientHelloReader(), timer: undefined };
    s[HELLO] = st;
    if (settings.requestHeadersTimeoutMs > 0) {
      // Absolute deadline (not refreshed by traffic): a trickled ClientHello is cut off too.
      st.timer = setTimeout(onHelloTimeout, settings.requestHeadersTimeoutMs, st);
      st.timer.unref();
    }
    s.on("data", onHelloData);
    s.once("end", onHelloEnd);
    s.once("close", onHelloClose);
  }

  /** @internal The ClientHello is complete (sni undefined: the client sent none). */
  routeHello(st: HelloState, sni: string | undefined): void {
    const { conn, table, settings } = st;
    const listener = selectListener(table, sni);
    if (!listener) {
      this.refuse(conn, `no listener for SNI ${sni ?? "(none)"}`);
      return;
    }
    const route = selectSniRoute(listener, sni);
    if (!route) {
      this.refuse(conn, `no TLSRoute for SNI ${sni ?? "(none)"} on listener ${listener.name}`, listener.source);
      return;
    }
    const hello = st.reader.bytes;
    this.connectBackend(conn, route, settings, (upstream) => {
      if (listener.terminate) this.terminate(conn, listener, sni, hello, upstream, settings);
      else {
        upstream.write(hello);
        this.join(conn, upstream, settings);
      }
    });
  }

  /** @internal */
  helloRefused(conn: StreamConn, reason: string): void {
    this.refuse(conn, reason);
  }

  private terminate(conn: StreamConn, listener: L4Listener, sni: string | undefined, hello: Buffer, upstream: Socket, settings: ProxySettings): void {
    const cert = chooseCertificate(listener.certs, sni);
    if (!cert) {
      upstream.destroy();
      this.refuse(conn, `listener ${listener.name} has no usable certificate`, listener.source);
      return;
    }
    const raw = conn.client;
    // Give back what was read: TLSSocket consumes a wrapped socket's buffered bytes first.
    raw.unshift(hello);
    const secure = new TLSSocket(raw, { isServer: true, secureContext: cert.context });
    if (settings.requestHeadersTimeoutMs > 0) {
      // The handshake shares the ClientHello deadline's length; the idle timer takes over after.
      const timer = setTimeout(() => {
        if (secure.destroyed) return;
        this.env.log("debug", "l4: TLS handshake timed out", { port: this.port.id, listener: listener.source });
        secure.destroy();
        upstream.destroy();
      }, settings.requestHeadersTimeoutMs);
      timer.unref();
      secure.once("secure", () => clearTimeout(timer));
      secure.once("close", () => clearTimeout(timer));
    }
    secure.on("error", (err) => {
      this.env.log("debug", "l4: TLS termination failed", { port: this.port.id, listener: listener.source, error: err.message });
      secure.destroy();
      upstream.destroy();
    });
    secure.once("close", () => raw.destroy());
    conn.client = secure;
    this.join(conn, upstream, settings);
  }
}

function onHelloData(this: WithHello, chunk: Buffer): void {
  const st = this[HELLO];
  if (!st) return;
  try {
    const r = st.reader.push(chunk);
    if (r.state === "more") return;
    endHello(this, st);
    if (r.state === "error") {
      st.port.helloRefused(st.conn, r.reason);
      return;
    }
    st.port.routeHello(st, r.sni);
  } catch (e) {
    endHello(this, st);
    st.port.helloRefused(st.conn, `ClientHello handling failed: ${(e as Error).message}`);
  }
}

/** Stop reading (the backend side takes over later) and forget the hello state. */
function endHello(s: WithHello, st: HelloState): void {
  s.pause();
  s.removeListener("data", onHelloData);
  s.removeListener("end", onHelloEnd);
  s.removeListener("close", onHelloClose);
  if (st.timer) clearTimeout(st.timer);
  s[HELLO] = undefined;
}

function onHelloTimeout(st: HelloState): void {
  const s = st.conn.client as WithHello;
  if (s[HELLO] !== st) return;
  endHello(s, st);
  st.port.helloRefused(st.conn, "no complete ClientHello within requestHeadersTimeoutMs");
}

/** The client finished sending (FIN) before its ClientHello was complete. */
function onHelloEnd(this: WithHello): void {
  const st = this[HELLO];
  if (!st) return;
  endHello(this, st);
  st.port.helloRefused(st.conn, "connection ended before a complete ClientHello");
}

function onHelloClose(this: WithHello): void {
  const st = this[HELLO];
  if (st?.timer) clearTimeout(st.timer);
  this[HELLO] = undefined;
}

export const createTlsPort: PortFactory = (port, settings, env) => new TlsPort(port, settings, env);
