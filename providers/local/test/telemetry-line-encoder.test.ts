// The access log line encoder against the reference encodings: JSON.stringify for strings,
// String() for integers, toISOString for times, and the millisecond rounding of the log fields.
import test from "ava";
import fc from "fast-check";
import { jsonBound, putIsoTime, putJsonString, putMs3, putUint } from "../src/telemetry/line-encoder.js";

const buf = Buffer.alloc(64 * 1024);

function written(put: (b: Buffer, p: number) => number): string {
  const end = put(buf, 7);
  return buf.toString("utf8", 7, end);
}

test("putJsonString: the same text as JSON.stringify, within jsonBound", (t) => {
  fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 200 }), (s) => {
    const out = written((b, p) => putJsonString(b, p, s));
    t.is(JSON.parse(out), s);
    t.true(Buffer.byteLength(out) <= jsonBound(s));
    return true;
  }), { numRuns: 2000 });
  t.is(written((b, p) => putJsonString(b, p, "/plain/path?q=1")), '"/plain/path?q=1"');
  t.is(written((b, p) => putJsonString(b, p, '/a"b\\c\n\u0001é')), JSON.stringify('/a"b\\c\n\u0001é'));
});

test("putUint: decimal integers; anything else as String() does", (t) => {
  fc.assert(fc.property(fc.oneof(fc.nat(), fc.maxSafeNat(), fc.integer({ min: 100, max: 999 })), (n) => written((b, p) => putUint(b, p, n)) === String(n)));
  for (const n of [0, 9, 10, 99, 100, 499, 999, 1000, 2 ** 31, Number.MAX_SAFE_INTEGER, -1, 1.5]) t.is(written((b, p) => putUint(b, p, n)), String(n));
});

test("putMs3: milliseconds rounded to the microsecond, a JSON number without trailing zeros", (t) => {
  fc.assert(fc.property(fc.double({ min: 0, max: 3_000_000, noNaN: true }), (ms) => {
    const out = written((b, p) => putMs3(b, p, ms));
    return out === String(Math.round(ms * 1000) / 1000) && JSON.parse(out) === Math.round(ms * 1000) / 1000;
  }), { numRuns: 5000 });
  for (const [ms, text] of [[0, "0"], [1.75, "1.75"], [0.0004, "0"], [0.0005, "0.001"], [12.0004, "12"], [10.01, "10.01"], [1234.5678, "1234.568"]] as const) {
    t.is(written((b, p) => putMs3(b, p, ms)), text);
  }
});

test("putIsoTime: toISOString of the millisecond, across second boundaries", (t) => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (ms, frac) => {
    return written((b, p) => putIsoTime(b, p, ms + frac)) === new Date(ms).toISOString();
  }), { numRuns: 5000 });
  const base = Date.UTC(2026, 10, 22, 23, 59, 59, 998);
  for (let ms = base; ms < base + 5; ms++) t.is(written((b, p) => putIsoTime(b, p, ms)), new Date(ms).toISOString());
});
