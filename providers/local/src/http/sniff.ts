// Cleartext ports speak HTTP/1.1 and HTTP/2 with prior knowledge on the same socket: the
// first bytes tell which (RFC 9113 §3.3 connection preface). The bytes read are put back
// (unshift) before the connection is handed to the protocol server.
import type { Socket } from "node:net";

export const H2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

export type HandOff = (socket: Socket, h2: boolean) => void;

const kHandOff = Symbol("handOff");
const kPending = Symbol("pending");
type Sniffed = Socket & { [kHandOff]?: HandOff; [kPending]?: Buffer };

function onSniffTimeout(this: Sniffed): void { this.destroy(); }
function onSniffError(this: Sniffed): void { this.destroy(); }

function onSniffReadable(this: Sniffed): void {
  let chunk = this.read() as Buffer | null;
  if (chunk === null) return;
  const pending = this[kPending];
  if (pending !== undefined) chunk = Buffer.concat([pending, chunk]);
  const n = Math.min(chunk.length, H2_PREFACE.length);
  const h2 = chunk.compare(H2_PREFACE, 0, n, 0, n) === 0;
  if (h2 && chunk.length < H2_PREFACE.length) {
    this[kPending] = chunk;
    return;
  }
  const handOff = this[kHandOff]!;
  this[kHandOff] = undefined;
  this[kPending] = undefined;
  this.off("readable", onSniffReadable);
  this.off("timeout", onSniffTimeout);
  this.off("error", onSniffError);
  this.setTimeout(0);
  this.unshift(chunk);
  handOff(this, h2);
}

/** Waits (at most timeoutMs) for the first bytes of a connection, then hands it off. */
export function sniff(socket: Socket, timeoutMs: number, handOff: HandOff): void {
  const s = socket as Sniffed;
  s[kHandOff] = handOff;
  s.setTimeout(timeoutMs);
  s.once("timeout", onSniffTimeout);
  s.on("error", onSniffError);
  s.on("readable", onSniffReadable);
}
