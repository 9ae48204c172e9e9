// TCPRoute: every connection goes to a backend of the listener's route, bytes piped raw.
import type { PortFactory, ProxySettings } from "../runtime/types.js";
import { streamRoute, type L4Table } from "./route-table.js";
import { StreamPort, type StreamConn } from "./stream-port.js";

class TcpPort extends StreamPort {
  readonly protocol = "TCP" as const;

  protected onConnection(conn: StreamConn, table: L4Table, settings: ProxySettings): void {
    // The server pauses new sockets: nothing is read until the upstream is there.
    this.connectBackend(conn, streamRoute(table), settings, (upstream) => this.join(conn, upstream, settings));
  }
}

export const createTcpPort: PortFactory = (port, settings, env) => new TcpPort(port, settings, env, "tcp");
