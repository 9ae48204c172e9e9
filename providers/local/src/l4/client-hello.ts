// Incremental reader of a TLS ClientHello: finds the SNI without terminating TLS.
// The ClientHello may arrive split across TCP segments (any chunking, down to one byte) and
// across TLS records (a handshake message fragmented over several records). Work is linear in
// the bytes read: chunks are appended to one growing buffer and each record is copied once.

/** Upper bound on the bytes buffered before the SNI is known (records + headers). */
export const MAX_CLIENT_HELLO_BYTES = 64 * 1024;

const RECORD_HANDSHAKE = 0x16;
const HANDSHAKE_CLIENT_HELLO = 0x01;
const EXT_SERVER_NAME = 0x0000;
const NAME_TYPE_HOST = 0x00;
/** TLSPlaintext.length must not exceed 2^14 (RFC 8446 §5.1). */
const MAX_RECORD_LENGTH = 1 << 14;

export type HelloResult =
  | { state: "more" }
  | { state: "done"; sni: string | undefined }
  | { state: "error"; reason: string };

const MORE: HelloResult = { state: "more" };

export class ClientHelloReader {
  /** Every byte read so far (replayed to the backend): buf[0, len). */
  private buf: Buffer;
  private len = 0;
  /** Offset of the next unparsed record header in buf. */
  private recordAt = 0;
  /** The handshake message reassembled from record fragments: hs[0, hsLen). */
  private hs: Buffer | undefined;
  private hsLen = 0;
  private result: HelloResult = MORE;

  constructor(private readonly maxBytes = MAX_CLIENT_HELLO_BYTES) {
    this.buf = Buffer.allocUnsafe(Math.min(2048, maxBytes));
  }

  /** The bytes read so far, to be sent on unchanged. */
  get bytes(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  /** Feed the next chunk; returns "more" until the ClientHello is complete or invalid. */
  push(chunk: Buffer): HelloResult {
    if (this.result.state !== "more") return this.result;
    if (this.len + chunk.length > this.maxBytes) return this.fail(`ClientHello larger than ${this.maxBytes} bytes`);
    if (this.len + chunk.length > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.maxBytes, Math.max(this.buf.length * 2, this.len + chunk.length)));
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
    }
    chunk.copy(this.buf, this.len);
    this.len += chunk.length;
    return this.advance();
  }

  private fail(reason: string): HelloResult {
    this.result = { state: "error", reason };
    return this.result;
  }

  private advance(): HelloResult {
    const b = this.buf;
    while (this.len - this.recordAt >= 5) {
      const at = this.recordAt;
      if (at === 0 && (b[0]! & 0x80) !== 0) return this.fail("SSLv2-style ClientHello (no SNI possible)");
      if (b[at] !== RECORD_HANDSHAKE) return this.fail(`TLS record type ${b[at]} before the ClientHello was complete`);
      if (b[at + 1] !== 0x03) return this.fail(`TLS record version ${b[at + 1]}.${b[at + 2]}`);
      const length = b.readUInt16BE(at + 3);
      if (length === 0 || length > MAX_RECORD_LENGTH) return this.fail(`TLS record length ${length}`);
      if (this.len - at - 5 < length) return MORE;
      this.appendFragment(at + 5, length);
      this.recordAt = at + 5 + length;
      if (this.hsLen >= 4) {
        const hs = this.hs!;
        if (hs[0] !== HANDSHAKE_CLIENT_HELLO) return this.fail(`handshake message type ${hs[0]} instead of ClientHello`);
        const bodyLength = (hs[1]! << 16) | (hs[2]! << 8) | hs[3]!;
        if (bodyLength + 4 > this.maxBytes) return this.fail(`ClientHello length ${bodyLength} exceeds ${this.maxBytes} bytes`);
        if (this.hsLen >= bodyLength + 4) {
          const sni = parseClientHelloBody(hs.subarray(4, 4 + bodyLength));
          if (typeof sni === "object") return this.fail(sni.error);
          this.result = { state: "done", sni: sni === "" ? undefined : sni };
          return this.result;
        }
      }
    }
    return MORE;
  }

  private appendFragment(from: number, length: number): void {
    if (this.hs === undefined) this.hs = Buffer.allocUnsafe(Math.max(length, 512));
    if (this.hsLen + length > this.hs.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.hs.length * 2, this.hsLen + length));
      this.hs.copy(grown, 0, 0, this.hsLen);
      this.hs = grown;
    }
    this.buf.copy(this.hs, this.hsLen, from, from + length);
    this.hsLen += length;
  }
}

/**
 * The server_name of a ClientHello body (after the 4-byte handshake header): the host name,
 * "" when the extension is absent, or an error for a malformed message.
 */
export function parseClientHelloBody(body: Buffer): string | { error: string } {
  let p = 2 + 32; // legacy_version, random
  if (body.length < p + 1) return { error: "ClientHello truncated before session_id" };
  p += 1 + body[p]!;
  if (body.length < p + 2) return { error: "ClientHello truncated before cipher_suites" };
  p += 2 + body.readUInt16BE(p);
  if (body.length < p + 1) return { error: "ClientHello truncated before compression_methods" };
  p += 1 + body[p]!;
  if (p === body.length) return ""; // no extensions at all
  if (body.length < p + 2) return { error: "ClientHello truncated before extensions" };
  const end = p + 2 + body.readUInt16BE(p);
  if (end > body.length) return { error: "ClientHello extensions overrun the message" };
  p += 2;
  while (p + 4 <= end) {
    const type = body.readUInt16BE(p);
    const length = body.readUInt16BE(p + 2);
    p += 4;
    if (p + length > end) return { error: "ClientHello extension overruns the extensions block" };
    if (type === EXT_SERVER_NAME) return parseServerName(body, p, p + length);
    p += length;
  }
  return "";
}

function parseServerName(b: Buffer, p: number, end: number): string | { error: string } {
  if (p + 2 > end) return { error: "server_name extension truncated" };
  const listEnd = p + 2 + b.readUInt16BE(p);
  if (listEnd > end) return { error: "server_name list overruns the extension" };
  p += 2;
  while (p + 3 <= listEnd) {
    const type = b[p]!;
    const length = b.readUInt16BE(p + 1);
    p += 3;
    if (p + length > listEnd) return { error: "server_name entry overruns the list" };
    if (type === NAME_TYPE_HOST) {
      const name = normalizeHostname(b.toString("latin1", p, p + length));
      if (name === undefined) return { error: "server_name is not a valid DNS host name" };
      return name;
    }
    p += length;
  }
  return "";
}

/** Lower case, no trailing dot; undefined when it holds bytes a DNS name cannot. */
export function normalizeHostname(name: string): string | undefined {
  let n = name.endsWith(".") ? name.slice(0, -1) : name;
  if (n.length === 0 || n.length > 253) return undefined;
  n = n.toLowerCase();
  for (let i = 0; i < n.length; i++) {
    const c = n.charCodeAt(i);
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f;
    if (!ok) return undefined;
  }
  return n;
}
