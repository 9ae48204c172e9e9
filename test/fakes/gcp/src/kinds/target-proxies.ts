import { ApiError, invalidField, required } from "../errors.js";
import type { Json } from "../json.js";
import { arr, str } from "../json.js";
import { parseRef, selfLink } from "../links.js";
import { enumOf, intIn, stripOutputOnly } from "./common.js";
import type { CustomMethod, KindSpec, PrepareCtx } from "./types.js";
import { hasHttpsRedirect } from "./url-maps.js";

function urlMapLink(ctx: PrepareCtx, value: unknown, field: string, https: boolean): string {
  if (value === undefined || value === "") throw required(field);
  const map = ctx.ref(value, field, ["urlMaps"], { scope: ctx.scope });
  if (https && hasHttpsRedirect(map.resource)) {
    throw invalidField(field, value, "A URL map with httpsRedirect set cannot be used by a TargetHttpsProxy.");
  }
  return selfLink(map.path);
}

function certLinks(ctx: PrepareCtx, value: unknown, field: string): string[] {
  const list = arr(value);
  if (list.length > 15) throw invalidField(field, `${list.length} certificates`, "At most 15 SSL certificates can be specified.");
  return list.map((c, i) => selfLink(ctx.ref(c, `${field}[${i}]`, ["sslCertificates"], { scope: ctx.scope }).path));
}

function setUrlMap(https: boolean): CustomMethod {
  return {
    verb: "setUrlMap",
    method: "setUrlMap",
    scopes: ["global", "region"],
    globalWithoutSegment: true,
    mutating: true,
    newFingerprint: true,
    apply(ctx, body) {
      const link = urlMapLink(ctx, body["urlMap"], "resource.urlMap", https);
      return (current) => ({ resource: { ...current.resource, urlMap: link }, hidden: current.hidden });
    },
  };
}

const setSslCertificates: CustomMethod = {
  verb: "setSslCertificates",
  method: "setSslCertificates",
  scopes: ["global", "region"],
  globalWithoutSegment: true,
  mutating: true,
  newFingerprint: true,
  apply(ctx, body) {
    const certs = certLinks(ctx, body["sslCertificates"], "resource.sslCertificates");
    if (!certs.length && !str(ctx.existing?.resource["certificateMap"])) throw required("resource.sslCertificates");
    return (current) => ({ resource: { ...current.resource, sslCertificates: certs }, hidden: current.hidden });
  },
};

function refsOf(resource: Json): string[] {
  const out: string[] = [];
  for (const v of [resource["urlMap"], ...arr(resource["sslCertificates"])]) {
    const p = typeof v === "string" ? parseRef(v, "")?.path : undefined;
    if (p) out.push(p);
  }
  return out;
}

/** targetHttpProxies / regionTargetHttpProxies. */
export const targetHttpProxies: KindSpec = {
  collection: "targetHttpProxies",
  kind: "compute#targetHttpProxy",
  noun: "target_http_proxy",
  api: { global: "targetHttpProxies", region: "regionTargetHttpProxies" },
  aggregated: "targetHttpProxies",
  fingerprint: true,
  patch: ["global"],
  update: [],
  custom: [setUrlMap(false)],
  quota: { metric: "TARGET_HTTP_PROXIES", name: "targetHttpProxies" },
  prepare(ctx, input) {
    const body = stripOutputOnly(input);
    body["urlMap"] = urlMapLink(ctx, body["urlMap"], "resource.urlMap", false);
    if (body["httpKeepAliveTimeoutSec"] !== undefined) intIn(body, "httpKeepAliveTimeoutSec", "resource.httpKeepAliveTimeoutSec", 5, 1200);
    return { resource: body };
  },
  refs: (s) => refsOf(s.resource),
};

/** targetHttpsProxies / regionTargetHttpsProxies with self-managed SSL certificates (or a certificate map, global only). */
export const targetHttpsProxies: KindSpec = {
  collection: "targetHttpsProxies",
  kind: "compute#targetHttpsProxy",
  noun: "target_https_proxy",
  api: { global: "targetHttpsProxies", region: "regionTargetHttpsProxies" },
  aggregated: "targetHttpsProxies",
  fingerprint: true,
  patch: ["global", "region"],
  update: [],
  custom: [setUrlMap(true), setSslCertificates],
  quota: { metric: "TARGET_HTTPS_PROXIES", name: "targetHttpsProxies" },
  prepare(ctx, input) {
    const body = stripOutputOnly(input);
    body["urlMap"] = urlMapLink(ctx, body["urlMap"], "resource.urlMap", true);
    const certs = certLinks(ctx, body["sslCertificates"], "resource.sslCertificates");
    if (certs.length) body["sslCertificates"] = certs;
    else delete body["sslCertificates"];
    const certMap = body["certificateMap"];
    if (certMap !== undefined) {
      if (ctx.scope.type !== "global") throw invalidField("resource.certificateMap", certMap, "Certificate maps are only supported by global target HTTPS proxies.");
      if (typeof certMap !== "string" || !/^(\/\/certificatemanager\.googleapis\.com\/)?projects\/[^/]+\/locations\/global\/certificateMaps\/[^/]+$/.test(certMap)) {
        throw invalidField("resource.certificateMap", certMap, "Must be //certificatemanager.googleapis.com/projects/{project}/locations/global/certificateMaps/{name}.");
      }
      if (certs.length) throw new ApiError(400, "Invalid value for field 'resource': only one of sslCertificates or certificateMap can be set.", "invalid");
    }
    if (!certs.length && certMap === undefined) throw required("resource.sslCertificates");
    enumOf(body, "quicOverride", "resource.quicOverride", ["NONE", "ENABLE", "DISABLE"], "NONE");
    if (body["httpKeepAliveTimeoutSec"] !== undefined) intIn(body, "httpKeepAliveTimeoutSec", "resource.httpKeepAliveTimeoutSec", 5, 1200);
    return { resource: body };
  },
  refs: (s) => refsOf(s.resource),
};
