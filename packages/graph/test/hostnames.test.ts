import test from "ava";
import { hostMatches, hostnamesOverlap, intersectHostnames, intersectOne, isValidHostname } from "../src/hostnames.js";

const matches: [string, string, boolean][] = [
  ["foo.example.com", "foo.example.com", true],
  ["foo.example.com", "bar.example.com", false],
  ["*.example.com", "foo.example.com", true],
  ["*.example.com", "a.b.example.com", true],
  ["*.example.com", "example.com", false],
  ["*.example.com", "fooexample.com", false],
  ["*.example.com", "*.foo.example.com", true],
  ["*.foo.example.com", "*.example.com", false],
];
for (const [pattern, host, want] of matches) {
  test(`hostMatches(${pattern}, ${host}) = ${want}`, (t) => t.is(hostMatches(pattern, host), want));
}

const pairs: [string, string, string | undefined][] = [
  ["foo.example.com", "foo.example.com", "foo.example.com"],
  ["*.example.com", "foo.example.com", "foo.example.com"],
  ["foo.example.com", "*.example.com", "foo.example.com"],
  ["*.example.com", "*.foo.example.com", "*.foo.example.com"],
  ["*.foo.example.com", "*.example.com", "*.foo.example.com"],
  ["*.example.com", "*.example.org", undefined],
  ["example.com", "*.example.com", undefined],
];
for (const [a, b, want] of pairs) {
  test(`intersectOne(${a}, ${b}) = ${want}`, (t) => {
    t.is(intersectOne(a, b), want);
    t.is(intersectOne(b, a), want, "symmetric");
  });
}

test("intersectHostnames: [] means any host, null means no intersection", (t) => {
  t.deepEqual(intersectHostnames(undefined, []), []);
  t.deepEqual(intersectHostnames("a.example.com", []), ["a.example.com"]);
  t.deepEqual(intersectHostnames(undefined, ["b.example.com", "a.example.com", "a.example.com"]), ["a.example.com", "b.example.com"]);
  t.deepEqual(intersectHostnames("*.example.com", ["x.example.com", "*.example.com", "other.org", "*.a.example.com"]),
    ["*.a.example.com", "*.example.com", "x.example.com"]);
  t.deepEqual(intersectHostnames("x.example.com", ["*.example.com", "*.com"]), ["x.example.com"]);
  t.is(intersectHostnames("x.example.com", ["y.example.com"]), null);
  t.is(intersectHostnames("*.example.com", ["example.com"]), null);
});

test("intersectHostnames compares case-insensitively", (t) => {
  t.deepEqual(intersectHostnames("Foo.Example.com", ["foo.example.com"]), ["foo.example.com"]);
});

const valid: [unknown, boolean][] = [
  ["example.com", true], ["*.example.com", true], ["a-b.c", true], ["localhost", true],
  ["Example.com", false], ["*", false], ["a.*.com", false], ["-a.com", false], ["a..com", false],
  ["10.0.0.1", false], ["", false], [3, false], ["a".repeat(254), false],
];
for (const [h, want] of valid) {
  test(`isValidHostname(${JSON.stringify(h).slice(0, 20)}) = ${want}`, (t) => t.is(isValidHostname(h), want));
}

test("hostnamesOverlap: wildcards, exact names and the catch-all", (t) => {
  t.true(hostnamesOverlap("*.example.com", "foo.example.com"));
  t.true(hostnamesOverlap("foo.example.com", "*.example.com"));
  t.true(hostnamesOverlap("*.example.com", "*.a.example.com"));
  t.true(hostnamesOverlap("*", "foo.example.com"));
  t.true(hostnamesOverlap("a.example.com", "a.example.com"));
  t.false(hostnamesOverlap("a.example.com", "b.example.com"));
  t.false(hostnamesOverlap("*.example.com", "example.com"));
  t.false(hostnamesOverlap("*.example.com", "*.example.org"));
});
