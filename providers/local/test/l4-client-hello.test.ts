// ClientHelloReader: SNI from real ClientHellos under any TCP chunking and TLS record
// fragmentation; bounded size; garbage refused. Plus the smooth weighted picker.
import test from "ava";
import { ClientHelloReader, WeightedPicker, type HelloResult } from "../src/l4/index.js";
import { parseClientHelloBody } from "../src/l4/client-hello.js";
import { captureClientHello, reframe } from "./fixtures/l4-harness.js";

let next = 1;
const addr = (): string => `127.77.4.${next++}`;

function feed(bytes: Buffer, chunkSizes: (i: number) => number): { result: HelloResult; pushes: number; reader: ClientHelloReader } {
  const reader = new ClientHelloReader();
  let result: HelloResult = { state: "more" };
  let p = 0;
  let i = 0;
  while (p < bytes.length && result.state === "more") {
    const n = Math.max(1, chunkSizes(i++));
    result = reader.push(bytes.subarray(p, p + n));
    p += n;
  }
  return { result, pushes: i, reader };
}

/** Deterministic pseudo-random chunk sizes 1..max (xorshift). */
function chunker(seed: number, max: number): (i: number) => number {
  let x = seed;
  return () => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return 1 + ((x >>> 0) % max);
  };
}

test("SNI of a whole ClientHello", async (t) => {
  const hello = await captureClientHello(addr(), "a.example.com");
  const { result, reader } = feed(hello, () => hello.length);
  t.deepEqual(result, { state: "done", sni: "a.example.com" });
  t.true(reader.bytes.equals(hello));
});

test("ClientHello written byte by byte: done exactly at the last byte", async (t) => {
  const hello = await captureClientHello(addr(), "byte.example.com");
  const { result, pushes, reader } = feed(hello, () => 1);
  t.deepEqual(result, { state: "done", sni: "byte.example.com" });
  t.is(pushes, hello.length);
  t.true(reader.bytes.equals(hello));
});

test("ClientHello fragmented across TLS records and TCP chunks", async (t) => {
  const hello = await captureClientHello(addr(), "frag.example.com");
  const layouts = [[1, 1, 1, 1, 1], [3, 100], [4], [50, 1, 200, 7], [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144]];
  for (const [k, sizes] of layouts.entries()) {
    const records = reframe(hello, sizes);
    for (const seed of [1, 7, 42]) {
      const { result, reader } = feed(records, chunker(seed + k, 37));
      t.deepEqual(result, { state: "done", sni: "frag.example.com" }, `layout ${k} seed ${seed}`);
      t.true(reader.bytes.equals(records));
    }
  }
  // Every handshake byte in its own record.
  const tiny = reframe(hello, Array.from({ length: 4000 }, () => 1));
  t.deepEqual(feed(tiny, chunker(3, 11)).result, { state: "done", sni: "frag.example.com" });
});

test("no SNI: done without a name", async (t) => {
  const hello = await captureClientHello(addr());
  t.deepEqual(feed(hello, () => 64).result, { state: "done", sni: undefined });
});

test("not TLS: refused", (t) => {
  const r = feed(Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), () => 5).result;
  t.is(r.state, "error");
  // An alert record before any handshake.
  t.is(new ClientHelloReader().push(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28])).state, "error");
  // A record length over 2^14.
  t.is(new ClientHelloReader().push(Buffer.from([0x16, 0x03, 0x01, 0x48, 0x01])).state, "error");
});

test("size bound: a huge declared ClientHello and too many bytes are refused", async (t) => {
  // Handshake header claims 1 MiB.
  const huge = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x10, 0x00, 0x00]);
  t.is(new ClientHelloReader().push(huge).state, "error");
  // A real hello fed to a reader with a smaller bound.
  const hello = await captureClientHello(addr(), "big.example.com");
  const small = new ClientHelloReader(64);
  let r: HelloResult = { state: "more" };
  for (let p = 0; p < hello.length && r.state === "more"; p += 16) r = small.push(hello.subarray(p, p + 16));
  t.is(r.state, "error");
});

test("malformed bodies are errors, never exceptions", (t) => {
  t.deepEqual(typeof parseClientHelloBody(Buffer.alloc(10)), "object");
  // Fuzz: random bodies under the 4-byte header; the reader must answer, not throw.
  let x = 12345;
  const rnd = (): number => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return x >>> 0; };
  for (let i = 0; i < 2000; i++) {
    const len = rnd() % 300;
    const body = Buffer.alloc(len);
    for (let j = 0; j < len; j++) body[j] = rnd() & 0xff;
    const rec = Buffer.concat([Buffer.from([0x16, 0x03, 0x01, (len + 4) >> 8, (len + 4) & 0xff, 0x01, 0, len >> 8, len & 0xff]), body]);
    t.notThrows(() => new ClientHelloReader().push(rec));
  }
});

test("upper-case SNI is matched lower case", async (t) => {
  const hello = Buffer.from(await captureClientHello(addr(), "case.example.com"));
  const at = hello.indexOf("case.example.com");
  hello.write("CASE", at, "latin1");
  t.deepEqual(feed(hello, () => 100).result, { state: "done", sni: "case.example.com" });
});

test("smooth weighted round robin: exact counts per cycle, interleaved, weight 0 never", (t) => {
  const p = new WeightedPicker([{ item: "a", weight: 5 }, { item: "b", weight: 1 }, { item: "c", weight: 1 }, { item: "z", weight: 0 }]);
  const seq = Array.from({ length: 7 }, () => p.pick());
  t.deepEqual(seq, ["a", "a", "b", "a", "c", "a", "a"]);
  const counts: Record<string, number> = {};
  for (let i = 0; i < 700; i++) { const k = p.pick()!; counts[k] = (counts[k] ?? 0) + 1; }
  t.deepEqual(counts, { a: 500, b: 100, c: 100 });
  t.is(new WeightedPicker([{ item: 1, weight: 0 }]).pick(), undefined);
  t.is(new WeightedPicker<number>([]).pick(), undefined);
  const q = new WeightedPicker([{ item: "x", weight: 1 }, { item: "y", weight: 1 }]);
  t.deepEqual([q.pick(), q.pick(), q.pick(), q.pick()], ["x", "y", "x", "y"]);
});
