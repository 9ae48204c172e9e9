import test from "ava";
import type { HTTPMatchNode } from "../src/types.js";
import { compareHostnames, compareMatches, type RankedMatch } from "../src/routes/precedence.js";
import { parseDuration } from "../src/routes/duration.js";

type P = HTTPMatchNode["path"];
const m = (path: P, o: Partial<HTTPMatchNode> = {}): HTTPMatchNode => ({ path, headers: [], queryParams: [], ...o });
const h = (n: number) => Array.from({ length: n }, (_, i) => ({ type: "Exact" as const, name: `h${i}`, value: "v" }));
const rm = (id: string, match: HTTPMatchNode, o: Partial<RankedMatch> = {}): RankedMatch & { id: string } =>
  ({ id, match, creationTimestamp: "2024-01-01T00:00:00Z", routeKey: "default/r", ruleIndex: 0, matchIndex: 0, ...o });
const order = (list: (RankedMatch & { id: string })[]) => [...list].sort(compareMatches).map((x) => x.id);

/** Every permutation of the input must sort the same: the comparator is a total order on these. */
function sortedFromEveryStart(list: (RankedMatch & { id: string })[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < list.length; i++) out.push(order([...list.slice(i), ...list.slice(0, i)].reverse()));
  return out;
}

test("Exact beats any prefix; longer prefixes first; regex last", (t) => {
  const list = [
    rm("prefix-/", m({ type: "PathPrefix", value: "/" })),
    rm("regex", m({ type: "RegularExpression", value: "/api/.*/very/long" })),
    rm("prefix-/api", m({ type: "PathPrefix", value: "/api" })),
    rm("exact-/a", m({ type: "Exact", value: "/a" })),
    rm("prefix-/api/v1", m({ type: "PathPrefix", value: "/api/v1" })),
  ];
  const want = ["exact-/a", "prefix-/api/v1", "prefix-/api", "prefix-/", "regex"];
  t.deepEqual(order(list), want);
  for (const got of sortedFromEveryStart(list)) t.deepEqual(got, want);
});

test("same path: method, then most headers, then most query params", (t) => {
  const p: P = { type: "PathPrefix", value: "/" };
  const list = [
    rm("plain", m(p)),
    rm("1-query", m(p, { queryParams: [{ type: "Exact", name: "q", value: "1" }] })),
    rm("2-headers", m(p, { headers: h(2) })),
    rm("method", m(p, { method: "GET" })),
    rm("1-header", m(p, { headers: h(1) })),
    rm("method+1-header", m(p, { method: "GET", headers: h(1) })),
  ];
  t.deepEqual(order(list), ["method+1-header", "method", "2-headers", "1-header", "1-query", "plain"]);
});

test("ties across routes: oldest, then ns/name; within a route: rule, then match order", (t) => {
  const p = m({ type: "PathPrefix", value: "/" });
  const list = [
    rm("b-new", p, { routeKey: "a/b", creationTimestamp: "2024-02-01T00:00:00Z" }),
    rm("z-old", p, { routeKey: "z/z", creationTimestamp: "2023-01-01T00:00:00Z" }),
    rm("a-new-rule1", p, { routeKey: "a/a", creationTimestamp: "2024-02-01T00:00:00Z", ruleIndex: 1 }),
    rm("a-new-rule0-match1", p, { routeKey: "a/a", creationTimestamp: "2024-02-01T00:00:00Z", matchIndex: 1 }),
    rm("a-new-rule0-match0", p, { routeKey: "a/a", creationTimestamp: "2024-02-01T00:00:00Z" }),
  ];
  const want = ["z-old", "a-new-rule0-match0", "a-new-rule0-match1", "a-new-rule1", "b-new"];
  for (const got of sortedFromEveryStart(list)) t.deepEqual(got, want);
});

test("gRPC: longest service, then longest method, then headers; regex after exact", (t) => {
  const g = (service?: string, method?: string, type: "Exact" | "RegularExpression" = "Exact", headers = 0): HTTPMatchNode => {
    const grpc: NonNullable<HTTPMatchNode["grpc"]> = { type };
    if (service) grpc.service = service;
    if (method) grpc.method = method;
    return m({ type: "Exact", value: "/x" }, { grpc, headers: h(headers) });
  };
  const list = [
    rm("any", g()),
    rm("regex-long", g("a.very.long.service.*", undefined, "RegularExpression")),
    rm("svc-short", g("a.S")),
    rm("svc-long", g("a.Service")),
    rm("svc-long+method", g("a.Service", "Get")),
    rm("method-only", g(undefined, "Get")),
    rm("svc-long+method+hdr", g("a.Service", "Get", "Exact", 1)),
  ];
  t.deepEqual(order(list), ["svc-long+method+hdr", "svc-long+method", "svc-long", "svc-short", "method-only", "any", "regex-long"]);
});

test("compareHostnames: exact, longer wildcards, shorter wildcards, catch-all", (t) => {
  const list = ["*", "*.example.com", "a.example.com", "*.a.example.com", "b.example.com", "x.io"];
  t.deepEqual([...list].sort(compareHostnames), ["a.example.com", "b.example.com", "x.io", "*.a.example.com", "*.example.com", "*"]);
  t.deepEqual([...list].reverse().sort(compareHostnames), [...list].sort(compareHostnames));
});

const durations: [unknown, number | undefined][] = [
  ["0s", 0], ["500ms", 500], ["10s", 10_000], ["1m30s", 90_000], ["1h", 3_600_000], ["1h1m1s1ms", 3_661_001],
  ["99999ms", 99_999], ["1.5s", undefined], ["100000s", undefined], ["1d", undefined], ["", undefined], ["s", undefined],
  ["1h1m1s1ms1h", undefined], [10, undefined], ["-1s", undefined],
];
for (const [v, want] of durations) {
  test(`parseDuration(${JSON.stringify(v)}) = ${want}`, (t) => t.is(parseDuration(v), want));
}
