import test from "ava";
import { FEATURE } from "@gatehouse/model";
import type { RuleNode } from "../src/types.js";
import { capsWithout, gatewayClass, only, route, run, toGw } from "./route-helpers.js";

function rules(list: unknown[], ...missing: string[]): RuleNode[] {
  const { routes } = run({
    classes: [gatewayClass("gh", capsWithout(...missing))],
    objects: { GRPCRoute: [route("GRPCRoute", "g", { parentRefs: [toGw()], rules: list })] },
  });
  return only(routes).rules;
}
const match = (method: unknown, headers?: unknown) => only(only(rules([{ matches: [{ method, headers }] }])).matches);

test("Exact service and method → Exact path", (t) => {
  t.deepEqual(match({ service: "pkg.Svc", method: "Get" }), {
    path: { type: "Exact", value: "/pkg.Svc/Get" }, headers: [], queryParams: [],
    grpc: { type: "Exact", service: "pkg.Svc", method: "Get" },
  });
});

test("service only → PathPrefix /service/", (t) => {
  t.deepEqual(match({ type: "Exact", service: "pkg.Svc" }).path, { type: "PathPrefix", value: "/pkg.Svc/" });
});

test("method only → RegularExpression /[^/]+/method", (t) => {
  t.deepEqual(match({ method: "Get" }).path, { type: "RegularExpression", value: "/[^/]+/Get" });
});

test("RegularExpression type → path regex, needs the path regex feature", (t) => {
  t.deepEqual(match({ type: "RegularExpression", service: "pkg\\..*" }), {
    path: { type: "RegularExpression", value: "/pkg\\..*/[^/]+" }, headers: [], queryParams: [],
    grpc: { type: "RegularExpression", service: "pkg\\..*" },
  });
  t.deepEqual(only(rules([{ matches: [{ method: { type: "RegularExpression", method: "Get.*" } }] }], "HTTPRoutePathRegularExpression")).invalid, {
    reason: "UnsupportedValue",
    message: "spec.rules[0].matches[0].method.type: RegularExpression method matches are not supported by gatehouse.dev/test",
  });
});

test("no matches → one match for every request, marked gRPC", (t) => {
  t.deepEqual(only(rules([{}])).matches, [{ path: { type: "PathPrefix", value: "/" }, headers: [], queryParams: [], grpc: { type: "Exact" } }]);
});

test("header matches are lower-cased, first of a name wins, sorted", (t) => {
  t.deepEqual(match(undefined, [{ name: "X-B", value: "1" }, { name: "x-a", value: "2" }, { name: "x-b", value: "3" }]).headers, [
    { type: "Exact", name: "x-a", value: "2" }, { type: "Exact", name: "x-b", value: "1" },
  ]);
});

const invalid: [string, unknown, string][] = [
  ["neither service nor method", { matches: [{ method: { type: "Exact" } }] },
    "spec.rules[0].matches[0].method: one or both of service and method must be specified"],
  ["bad service name", { matches: [{ method: { service: "a/b" } }] },
    'spec.rules[0].matches[0].method.service: "a/b" is not a valid gRPC service name'],
  ["bad method name", { matches: [{ method: { method: "Get.It" } }] },
    'spec.rules[0].matches[0].method.method: "Get.It" is not a valid gRPC method name'],
  ["bad type", { matches: [{ method: { type: "Prefix", service: "s" } }] },
    'spec.rules[0].matches[0].method.type: "Prefix" is not one of Exact, RegularExpression'],
  ["bad regex", { matches: [{ method: { type: "RegularExpression", method: "(" } }] },
    'spec.rules[0].matches[0].method.method: "(" is not a valid regular expression'],
  ["URLRewrite is not a GRPCRoute filter", { filters: [{ type: "URLRewrite", urlRewrite: {} }] },
    'spec.rules[0].filters[0].type: "URLRewrite" is not a GRPCRoute filter type (RequestHeaderModifier, ResponseHeaderModifier, RequestMirror, ExtensionRef)'],
  ["timeouts are not a GRPCRoute field", { timeouts: { request: "1s" } }, "spec.rules[0].timeouts: is not a GRPCRoute field"],
];
for (const [name, rule, message] of invalid) {
  test(`invalid: ${name}`, (t) => t.deepEqual(only(rules([rule])).invalid, { reason: "UnsupportedValue", message }));
}

test("GRPCRoute header modifiers and mirrors work like HTTPRoute ones", (t) => {
  const rule = only(rules([{ filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: { add: [{ name: "a", value: "b" }] } }] }]));
  t.is(rule.invalid, undefined);
  t.is(rule.filters[0]!.type, "RequestHeaderModifier");
  t.is(only(rules([{ filters: [{ type: "RequestMirror", requestMirror: { backendRef: { name: "m", port: 1 } } }] }], FEATURE.HTTPRouteRequestMirror)).invalid?.message,
    "spec.rules[0].filters[0].requestMirror: request mirrors are not supported by gatehouse.dev/test");
});
