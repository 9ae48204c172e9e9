import { X509Certificate, createPrivateKey } from "node:crypto";
import { ApiError, invalidField, required } from "../errors.js";
import { arr, isObj, str } from "../json.js";
import { enumOf, stripOutputOnly } from "./common.js";
import type { KindSpec } from "./types.js";

/** Subject alternative DNS names and IPs of a certificate, as the API lists them. */
function sans(cert: X509Certificate): string[] {
  const raw = cert.subjectAltName;
  if (!raw) return [];
  return raw
    .split(/,\s*/)
    .map((e) => e.replace(/^(DNS|IP Address):/, ""))
    .filter(Boolean);
}

/** sslCertificates / regionSslCertificates: SELF_MANAGED (parsed and checked) or MANAGED (global only, stays PROVISIONING). */
export const sslCertificates: KindSpec = {
  collection: "sslCertificates",
  kind: "compute#sslCertificate",
  noun: "ssl_certificate",
  api: { global: "sslCertificates", region: "regionSslCertificates" },
  aggregated: "sslCertificates",
  fingerprint: false,
  patch: [],
  update: [],
  custom: [],
  quota: { metric: "SSL_CERTIFICATES", name: "sslCertificates" },
  prepare(ctx, input) {
    const body = stripOutputOnly(input, ["expireTime", "subjectAlternativeNames"]);
    const type = enumOf(body, "type", "resource.type", ["SELF_MANAGED", "MANAGED"], isObj(body["managed"]) ? "MANAGED" : "SELF_MANAGED");
    if (type === "MANAGED") {
      if (ctx.scope.type !== "global") throw invalidField("resource.type", type, "Google-managed certificates are only supported globally.");
      const domains = arr(isObj(body["managed"]) ? body["managed"]["domains"] : undefined).filter((d): d is string => typeof d === "string" && d !== "");
      if (!domains.length) throw required("resource.managed.domains");
      body["managed"] = { domains, status: "PROVISIONING", domainStatus: Object.fromEntries(domains.map((d) => [d, "PROVISIONING"])) };
      delete body["certificate"];
      delete body["privateKey"];
      delete body["selfManaged"];
      return { resource: body };
    }
    const sm = isObj(body["selfManaged"]) ? body["selfManaged"] : {};
    const pem = str(body["certificate"]) ?? str(sm["certificate"]);
    const keyPem = str(body["privateKey"]) ?? str(sm["privateKey"]);
    if (!pem) throw required("resource.certificate");
    if (!keyPem) throw required("resource.privateKey");
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch {
      throw new ApiError(400, "The SSL certificate could not be parsed.", "sslCertificateCouldNotParseCert");
    }
    let key;
    try {
      key = createPrivateKey(keyPem);
    } catch {
      throw new ApiError(400, "The SSL key could not be parsed.", "sslCertificateCouldNotParseKey");
    }
    if (!cert.checkPrivateKey(key)) throw new ApiError(400, "The SSL certificate and key do not match.", "sslCertificateKeyMismatch");
    delete body["privateKey"];
    delete body["selfManaged"];
    body["certificate"] = pem;
    body["selfManaged"] = { certificate: pem };
    body["expireTime"] = new Date(cert.validTo).toISOString().replace("Z", "+00:00");
    const names = sans(cert);
    if (names.length) body["subjectAlternativeNames"] = names;
    return { resource: body, hidden: { privateKey: keyPem } };
  },
  refs: () => [],
};
