// Unit checks of the fast path's head writers and readers: the per-connection reuse of the
// X-Forwarded-*/Host lines never changes a byte of the upstream head; the JS head-end search
// agrees with indexOf; the request parser's answers for tricky heads.
import test from "ava";
import fc from "fast-check";
import { upstreamHeaders, type ForwardedInfo } from "../src/http/forward-headers.js";
import { RequestTail, requestHead } from "../src/http/fast/heads.js";
import { headEnd } from "../src/http/fast/head-end.js";
import { HEAD_BAD, HEAD_DELEGATE, HEAD_FAST, RequestHead, parseRequestHead } from "../src/http/fast/request-head.js";
import type { HeaderMap } from "../src/http/router/index.js";
import { splitHost } from "../src/http/request-view.js";
import { viewOf } from "../src/http/fast/view.js";

const NAMES = ["accept", "cookie", "te", "connection", "keep-alive", "host", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-a"];
const value = fc.stringMatching(/^[\x21-\x7e\x80-\xff][\x20-\x7e\x80-\xff]{0,10}$/);
const headerMap: fc.Arbitrary<HeaderMap> = fc.dictionary(fc.constantFrom(...NAMES), fc.array(value, { minLength: 1, maxLength: 2 }), { maxKeys: 6 });
const fwd: fc.Arbitrary<ForwardedInfo> = fc.record({
  clientIp: fc.constantFrom("127.0.0.1", "::1"),
  scheme: fc.constant("http" as const),
  host: fc.constantFrom("a.test", "a.test:8080", ""),
  listenerPort: fc.constantFrom("80", "8080"),
});
const request = fc.tuple(fc.constantFrom("GET", "POST"), fc.constantFrom("/", "/a?b=c"), headerMap, fwd, fc.constantFrom("a.test", "b.test:81"));

test("RequestTail.head() writes exactly requestHead(), whatever came before on the connection", (t) => {
  fc.assert(fc.property(fc.array(request, { minLength: 1, maxLength: 6 }), (reqs) => {
    const tails = new RequestTail();
    for (const [method, path, headers, f, authority] of reqs) {
      const pairs = upstreamHeaders(headers, f, authority);
      if (!tails.head(method, path, pairs).equals(requestHead(method, path, pairs))) return false;
    }
    return true;
  }), { numRuns: 1500 });
  t.pass();
});

test("headEnd() finds the first CRLF CRLF as indexOf does", (t) => {
  fc.assert(fc.property(fc.array(fc.constantFrom("\r", "\n", "a", "\r\n", "\r\n\r\n"), { maxLength: 30 }), fc.nat(6), (parts, from) => {
    const b = Buffer.from(parts.join(""), "latin1");
    const start = Math.min(from, b.length);
    const i = b.indexOf("\r\n\r\n", start);
    return headEnd(b, start, b.length) === (i < 0 ? -1 : i + 4);
  }), { numRuns: 5000 });
  t.pass();
});

function parse(s: string): { code: number; h: RequestHead } {
  const b = Buffer.from(s, "latin1");
  const h = new RequestHead();
  return { code: parseRequestHead(b, 0, headEnd(b, 0, b.length), h), h };
}

test("request heads the fast path takes: fields lowercased, values trimmed, repeated fields kept in order", (t) => {
  const { code, h } = parse("POST /p?q HTTP/1.1\r\nHost: A.test:81\r\nX-A: 1 \r\nx-a:\t2\r\nContent-Length: 007\r\nConnection: keep-alive, Close\r\n\r\n");
  t.is(code, HEAD_FAST);
  t.is(h.method, "POST");
  t.is(h.target, "/p?q");
  t.is(h.host, "A.test:81");
  t.deepEqual(h.headers["x-a"], ["1", "2"]);
  t.is(h.contentLength, 7);
  t.true(h.close);
});

test("heads handed to Node's server, and why", (t) => {
  const cases: [string, string][] = [
    ["GET / HTTP/1.0\r\nHost: a\r\n\r\n", "not HTTP/1.1"],
    ["POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", "Transfer-Encoding"],
    ["GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n", "Upgrade"],
    ["POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n", "Expect"],
    ["GET / HTTP/1.1\r\n\r\n", "no Host"],
    ["CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n", "unusual request target"],
    ["CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n", "CONNECT"],
    ["PROPFIND / HTTP/1.1\r\nHost: a\r\n\r\n", "unknown method"],
    ["GET /\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n", "non-ASCII request target"],
    ["GET a.test:80 HTTP/1.1\r\nHost: a\r\n\r\n", "unusual request target"],
    ["GET / HTTP/1.1\r\nHost: a\r\n__proto__: x\r\n\r\n", "field name __proto__"],
  ];
  for (const [s, reason] of cases) {
    const { code, h } = parse(s);
    t.is(code, HEAD_DELEGATE, s);
    t.is(h.reason, reason, s);
  }
});

test("malformed heads are refused whatever else they hold", (t) => {
  for (const s of [
    "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n folded\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nUpgrade: websocket\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\r\nX: \u0000\r\n\r\n",
  ]) {
    t.is(parse(s).code, HEAD_BAD, JSON.stringify(s));
  }
});

test("viewOf() splits Host as splitHost() does, also when the connection's previous Host differs", (t) => {
  const hosts = fc.oneof(
    fc.constantFrom("a.test", "A.Test", "a.test:80", "A.test:8080", "a.test:0", "a.test:65536", "a.test:0x50", "a.test:", ":80", "[::1]", "[::1]:443", "[::1]:x", "1.2.3.4:5", "h:1e3"),
    fc.stringMatching(/^[a-zA-Z0-9.:[\]-]{1,12}$/),
  );
  fc.assert(fc.property(fc.array(hosts, { minLength: 1, maxLength: 4 }), (seq) => {
    const h = new RequestHead();
    for (const host of seq) {
      const b = Buffer.from(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`, "latin1");
      if (parseRequestHead(b, 0, b.length, h) !== HEAD_FAST) continue;
      const v = viewOf(h);
      const want = splitHost(host);
      if (v.host !== want.host || v.hostPort !== want.port) return false;
    }
    return true;
  }), { numRuns: 3000 });
  t.pass();
});
