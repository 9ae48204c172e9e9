// Golden URL maps: each case's scenario is applied to the fake and the stored URL map (stable
// form: no ids, timestamps, fingerprints) must equal testdata/<case>.urlmap.yaml.
// GATEHOUSE_GOLDEN_UPDATE=1 rewrites the files instead.
import test from "ava";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import type { FakeCompute } from "@gatehouse/fake-gcp";
import { REGIONAL_CLASS, backend, classes, converge, desiredOf, gateway, provider, route, service, startFake } from "./fixture.js";

const TESTDATA = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "test", "testdata");
const UPDATE = process.env["GATEHOUSE_GOLDEN_UPDATE"] === "1" || process.env["GATEHOUSE_GOLDEN_UPDATE"] === "true";

let fake: FakeCompute;
test.before(async () => { fake = await startFake(5); });
test.after.always(async () => { await fake.close(); });

/** Every HTTP extended feature the URL map programs, on the global external class. */
function features(): unknown[] {
  return [
    ...classes(), gateway("web"), ...service("web"), ...service("canary"), ...service("shadow"),
    route("features", "web", [
      { matches: [{ path: { type: "PathPrefix", value: "/api" }, headers: [{ name: "x-env", value: "prod" }], queryParams: [{ name: "v", value: "2" }], method: "POST" }],
        filters: [
          { type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x-a", value: "1" }], add: [{ name: "x-b", value: "2" }], remove: ["x-c"] } },
          { type: "ResponseHeaderModifier", responseHeaderModifier: { set: [{ name: "x-served-by", value: "gatehouse" }] } },
          { type: "RequestMirror", requestMirror: { backendRef: backend("shadow"), percent: 25 } },
        ],
        backendRefs: [backend("web", 90), backend("canary", 10)],
        timeouts: { request: "10s" },
        retry: { attempts: 3, codes: [502, 503, 504] } },
      { matches: [{ path: { type: "PathPrefix", value: "/old" } }],
        filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", hostname: "new.example.com", path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/new" }, statusCode: 308 } }] },
      { matches: [{ path: { type: "Exact", value: "/moved" } }],
        filters: [{ type: "RequestRedirect", requestRedirect: { path: { type: "ReplaceFullPath", replaceFullPath: "/here" }, statusCode: 303 } }] },
      { matches: [{ path: { type: "PathPrefix", value: "/rewrite" } }],
        filters: [{ type: "URLRewrite", urlRewrite: { hostname: "internal.example.com", path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/" } } }],
        backendRefs: [backend("web")] },
    ], { hostnames: ["www.example.com"] }),
    route("catch-all", "web", [{ backendRefs: [backend("web")] }]),
  ];
}

function regional(): unknown[] {
  return [
    ...classes(), gateway("int", REGIONAL_CLASS), ...service("api"),
    route("regex", "int", [
      { matches: [{ path: { type: "RegularExpression", value: "/v[0-9]+/items" }, headers: [{ type: "RegularExpression", name: "x-user", value: "[a-z]+" }] }],
        backendRefs: [backend("api")] },
    ]),
  ];
}

const CASES: Record<string, () => unknown[]> = { "global-features": features, "regional-regex": regional };

for (const [name, objects] of Object.entries(CASES)) {
  test.serial(name, async (t) => {
    fake.reset();
    const p = provider(fake);
    const res = await converge(p, desiredOf(objects()));
    await p.close();
    t.true(res.gateways[0]!.programmed, res.gateways[0]!.message);
    const maps = fake.state.snapshot({ collection: "urlMaps", stable: true });
    const actual = stringify({ routeErrors: res.routes, urlMaps: maps }, { sortMapEntries: true, lineWidth: 0 });
    const file = join(TESTDATA, `${name}.urlmap.yaml`);
    if (UPDATE) {
      if (!existsSync(file) || readFileSync(file, "utf8") !== actual) writeFileSync(file, actual);
      t.pass();
      return;
    }
    t.true(existsSync(file), `${file} is missing: run with GATEHOUSE_GOLDEN_UPDATE=1`);
    t.is(actual, readFileSync(file, "utf8"), `${name}.urlmap.yaml differs; rerun with GATEHOUSE_GOLDEN_UPDATE=1 and review the diff`);
  });
}
