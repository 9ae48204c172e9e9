import test from "ava";
import type { RuleNode } from "../src/types.js";
import { capsWithout, gatewayClass, httpRoute, only, run } from "./route-helpers.js";

function rules(list: unknown[], ...missing: string[]): RuleNode[] {
  const { routes } = run({ classes: [gatewayClass("gh", capsWithout(...missing))], objects: { HTTPRoute: [httpRoute("r", list)] } });
  return only(routes).rules;
}
const matchesOf = (matches: unknown[]) => only(rules([{ matches }])).matches;
const invalidOf = (matches: unknown[], ...missing: string[]) => only(rules([{ matches }], ...missing)).invalid;

test("defaults: PathPrefix / for a missing path, Exact for headers and query params", (t) => {
  t.deepEqual(matchesOf([{}, { path: { value: "/a" } }, { path: { type: "Exact" } }]).map((m) => m.path), [
    { type: "PathPrefix", value: "/" }, { type: "PathPrefix", value: "/a" }, { type: "Exact", value: "/" },
  ]);
  t.deepEqual(matchesOf([{ headers: [{ name: "X-Env", value: "prod" }], queryParams: [{ name: "Q", value: "1" }], method: "POST" }]), [{
    path: { type: "PathPrefix", value: "/" }, headers: [{ type: "Exact", name: "x-env", value: "prod" }],
    queryParams: [{ type: "Exact", name: "Q", value: "1" }], method: "POST",
  }]);
});

test("query parameter names are case-sensitive; the first of a name wins", (t) => {
  t.deepEqual(only(matchesOf([{ queryParams: [{ name: "a", value: "1" }, { name: "A", value: "2" }, { name: "a", value: "3" }] }])).queryParams, [
    { type: "Exact", name: "A", value: "2" }, { type: "Exact", name: "a", value: "1" },
  ]);
});

const bad: [string, unknown, string][] = [
  ["relative path", { path: { type: "PathPrefix", value: "api" } }, 'spec.rules[0].matches[0].path.value: "api" must start with "/"'],
  ["double slash", { path: { type: "Exact", value: "/a//b" } }, 'spec.rules[0].matches[0].path.value: "/a//b" must not contain "//"'],
  ["dot segment", { path: { value: "/a/../b" } }, 'spec.rules[0].matches[0].path.value: "/a/../b" must not contain "/../"'],
  ["trailing dot segment", { path: { value: "/a/." } }, 'spec.rules[0].matches[0].path.value: "/a/." must not end with "/.." or "/."'],
  ["encoded slash", { path: { value: "/a%2fb" } }, 'spec.rules[0].matches[0].path.value: "/a%2fb" must not contain "%2f"'],
  ["bad characters", { path: { value: "/a b" } }, 'spec.rules[0].matches[0].path.value: "/a b" contains characters not allowed in a URL path'],
  ["unknown path type", { path: { type: "Glob", value: "/" } }, 'spec.rules[0].matches[0].path.type: "Glob" is not one of Exact, PathPrefix, RegularExpression'],
  ["broken regex", { path: { type: "RegularExpression", value: "/(a" } },
    'spec.rules[0].matches[0].path.value: "/(a" is not a valid regular expression'],
  ["unknown method", { method: "FETCH" }, 'spec.rules[0].matches[0].method: "FETCH" is not one of GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH'],
  ["bad header name", { headers: [{ name: "a b", value: "x" }] }, 'spec.rules[0].matches[0].headers[0].name: "a b" is not a valid header name'],
  ["header value not a string", { headers: [{ name: "a", value: 1 }] }, "spec.rules[0].matches[0].headers[0].value: must be a string, got 1"],
  ["bad header match type", { headers: [{ name: "a", value: "x", type: "Prefix" }] }, 'spec.rules[0].matches[0].headers[0].type: "Prefix" is not one of Exact, RegularExpression'],
];
for (const [name, m, message] of bad) {
  test(`invalid match: ${name}`, (t) => t.deepEqual(invalidOf([m]), { reason: "UnsupportedValue", message }));
}

const features: [string, unknown, string, string][] = [
  ["method", { method: "GET" }, "HTTPRouteMethodMatching", "spec.rules[0].matches[0].method: method matches are not supported by gatehouse.dev/test"],
  ["query", { queryParams: [{ name: "a", value: "b" }] }, "HTTPRouteQueryParamMatching",
    "spec.rules[0].matches[0].queryParams: query parameter matches are not supported by gatehouse.dev/test"],
  ["path regex", { path: { type: "RegularExpression", value: "/a.*" } }, "HTTPRoutePathRegularExpression",
    "spec.rules[0].matches[0].path.type: RegularExpression path matches are not supported by gatehouse.dev/test"],
  ["header regex", { headers: [{ type: "RegularExpression", name: "a", value: "b.*" }] }, "HTTPRouteHeaderRegularExpression",
    "spec.rules[0].matches[0].headers[0].type: RegularExpression header matches are not supported by gatehouse.dev/test"],
  ["query regex", { queryParams: [{ type: "RegularExpression", name: "a", value: "b.*" }] }, "HTTPRouteQueryParamRegularExpression",
    "spec.rules[0].matches[0].queryParams[0].type: RegularExpression query parameter matches are not supported by gatehouse.dev/test"],
];
for (const [name, m, feature, message] of features) {
  test(`${name} matches need ${feature}`, (t) => {
    t.deepEqual(invalidOf([m], feature), { reason: "UnsupportedValue", message });
    t.is(invalidOf([m]), undefined);
  });
}
