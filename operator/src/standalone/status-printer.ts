// The standalone StatusSink: instead of PUT /status, prints each object's status as a short
// block (status-text.ts) when its text changed since it was last printed.
import type { StatusUpdate } from "@gatehouse/status";
import type { StatusSink, StatusWriteReport } from "../ports.js";
import type { Output } from "./output.js";
import { statusText, type StatusTextContext } from "./status-text.js";

const KIND_ORDER = ["GatewayClass", "Gateway", "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute", "BackendTLSPolicy"];

export class PrintingStatusSink implements StatusSink {
  private readonly printed = new Map<string, string>();

  constructor(private readonly out: Output, private readonly ctx: StatusTextContext) {}

  async write(updates: readonly StatusUpdate[]): Promise<StatusWriteReport> {
    const sorted = [...updates].sort((a, b) =>
      KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || cmp(a.namespace, b.namespace) || cmp(a.name, b.name));
    const blocks: string[] = [];
    for (const u of sorted) {
      const key = `${u.kind} ${u.namespace ? `${u.namespace}/` : ""}${u.name}`;
      const text = statusText(u, this.ctx);
      if (this.printed.get(key) === text) continue;
      this.printed.set(key, text);
      blocks.push(text);
    }
    if (blocks.length > 0) this.out.print(blocks.join("\n"));
    return { written: blocks.length, unchanged: updates.length - blocks.length, conflicts: 0, errors: [] };
  }

  /** An object that left the files (`Kind ns/name`): printed again if it comes back. */
  forget(id: string): void {
    this.printed.delete(id);
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
