// The client's request body on its way upstream: counts bytes against the body limit, holds
// up to a small buffer so a retry can resend it, and copies chunks to mirrors without ever
// waiting for them. Backpressure reaches the client through pause()/resume() of the source.
// Destroying this stream detaches it from the client request without destroying the request.
import { Readable } from "node:stream";

export interface BodyOwner {
  /** Buffer mode: the whole body arrived within the buffer cap. */
  bodyBuffered(body: Buffer): void;
  /** Buffer mode: the body outgrew the cap; from now on this is a plain stream. */
  bodyStreaming(): void;
  bodyTooLarge(): void;
}

/** A mirror's copy of the body: dropped (destroyed) once it falls `cap` bytes behind. */
export class MirrorBody extends Readable {
  constructor(private readonly cap: number) {
    super();
  }
  copy(chunk: Buffer): void {
    if (this.destroyed) return;
    if (this.readableLength > this.cap) {
      this.destroy(new Error("mirror too slow: copy dropped"));
      return;
    }
    this.push(chunk);
  }
  finish(): void {
    if (!this.destroyed) this.push(null);
  }
  override _read(): void {}
}

const kBody = Symbol("requestBody");
type Source = Readable & { [kBody]?: RequestBody };

function onSourceData(this: Source, chunk: Buffer): void { this[kBody]?.data(chunk); }
function onSourceEnd(this: Source): void { this[kBody]?.end(); }
function onSourceError(this: Source, err: Error): void { this[kBody]?.fail(err); }
function onSourceClose(this: Source): void {
  if (!this.readableEnded) this[kBody]?.fail(new Error("client closed the request body"));
}

export class RequestBody extends Readable {
  received = 0;
  private chunks: Buffer[] | null;
  private buffered = 0;
  private paused = false;
  private ended = false;
  taps: MirrorBody[] | null = null;

  constructor(
    private readonly source: Readable,
    /** Body limit in bytes; 0 = none. */
    private readonly limit: number,
    private readonly owner: BodyOwner,
    /** > 0: buffer mode, keep up to this many bytes before streaming. */
    private readonly bufferCap: number,
  ) {
    super();
    this.chunks = bufferCap > 0 ? [] : null;
    const s = source as Source;
    s[kBody] = this;
    s.on("data", onSourceData);
    s.on("end", onSourceEnd);
    s.on("error", onSourceError);
    s.on("close", onSourceClose);
  }

  data(chunk: Buffer): void {
    this.received += chunk.length;
    if (this.limit > 0 && this.received > this.limit) {
      this.detach();
      this.abortTaps();
      this.owner.bodyTooLarge();
      return;
    }
    const taps = this.taps;
    if (taps !== null) for (let i = 0; i < taps.length; i++) taps[i]!.copy(chunk);
    const chunks = this.chunks;
    if (chunks !== null) {
      chunks.push(chunk);
      this.buffered += chunk.length;
      if (this.buffered <= this.bufferCap) return;
      // Too big to keep for a retry: stream what we have and the rest.
      this.chunks = null;
      for (const c of chunks) this.forward(c);
      this.owner.bodyStreaming();
      return;
    }
    this.forward(chunk);
  }

  private forward(chunk: Buffer): void {
    if (!this.push(chunk) && !this.paused) {
      this.paused = true;
      this.source.pause();
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.detach();
    const taps = this.taps;
    // Complete copies are the mirrors' own now: destroying this stream later must not abort them.
    this.taps = null;
    if (taps !== null) for (let i = 0; i < taps.length; i++) taps[i]!.finish();
    const chunks = this.chunks;
    if (chunks !== null) {
      this.chunks = null;
      this.owner.bodyBuffered(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.buffered));
      return;
    }
    this.push(null);
  }

  fail(err: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.detach();
    this.abortTaps();
    this.destroy(err);
  }

  override _read(): void {
    if (this.paused) {
      this.paused = false;
      this.source.resume();
    }
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.detach();
    this.abortTaps();
    cb(err);
  }

  private abortTaps(): void {
    const taps = this.taps;
    this.taps = null;
    if (taps !== null) for (const t of taps) t.destroy();
  }

  private detach(): void {
    const s = this.source as Source;
    if (s[kBody] !== this) return;
    s[kBody] = undefined;
    s.off("data", onSourceData);
    s.off("end", onSourceEnd);
    s.off("error", onSourceError);
    s.off("close", onSourceClose);
    if (this.paused) { this.paused = false; s.resume(); }
  }
}
