import { invalidField } from "../errors.js";
import type { Json } from "../json.js";
import { isObj } from "../json.js";
import { enumOf, intIn, stripOutputOnly } from "./common.js";
import type { KindSpec } from "./types.js";

const TYPES = ["HTTP", "HTTPS", "HTTP2", "TCP", "SSL", "GRPC", "GRPC_WITH_TLS"] as const;
const SUB: Record<string, string> = {
  HTTP: "httpHealthCheck",
  HTTPS: "httpsHealthCheck",
  HTTP2: "http2HealthCheck",
  TCP: "tcpHealthCheck",
  SSL: "sslHealthCheck",
  GRPC: "grpcHealthCheck",
  GRPC_WITH_TLS: "grpcTlsHealthCheck",
};
const PORT_SPEC = ["USE_FIXED_PORT", "USE_NAMED_PORT", "USE_SERVING_PORT"];

/** healthChecks / regionHealthChecks. */
export const healthChecks: KindSpec = {
  collection: "healthChecks",
  kind: "compute#healthCheck",
  noun: "health_check",
  api: { global: "healthChecks", region: "regionHealthChecks" },
  aggregated: "healthChecks",
  fingerprint: false,
  patch: ["global", "region"],
  update: ["global", "region"],
  custom: [],
  quota: { metric: "HEALTH_CHECKS", name: "healthChecks" },
  prepare(_ctx, input) {
    const body = stripOutputOnly(input);
    const type = enumOf(body, "type", "resource.type", TYPES);
    if (type === undefined) throw invalidField("resource.type", "", `Must be one of [${TYPES.join(", ")}]`);
    const subKey = SUB[type]!;
    for (const k of Object.values(SUB)) if (k !== subKey && body[k] !== undefined) throw invalidField(`resource.${k}`, body[k], `Must not be set for type ${type}.`);
    const sub: Json = isObj(body[subKey]) ? { ...(body[subKey] as Json) } : {};
    const spec = enumOf(sub, "portSpecification", `resource.${subKey}.portSpecification`, PORT_SPEC, "USE_FIXED_PORT");
    if (spec === "USE_FIXED_PORT") intIn(sub, "port", `resource.${subKey}.port`, 1, 65535, type === "HTTPS" || type === "SSL" ? 443 : 80);
    else if (sub["port"] !== undefined) throw invalidField(`resource.${subKey}.port`, sub["port"], `Must not be set with portSpecification ${spec}.`);
    if ((type === "HTTP" || type === "HTTPS" || type === "HTTP2") && sub["requestPath"] === undefined) sub["requestPath"] = "/";
    if (typeof sub["requestPath"] === "string" && !sub["requestPath"].startsWith("/")) throw invalidField(`resource.${subKey}.requestPath`, sub["requestPath"], "Must start with '/'.");
    if (type !== "GRPC" && type !== "GRPC_WITH_TLS") enumOf(sub, "proxyHeader", `resource.${subKey}.proxyHeader`, ["NONE", "PROXY_V1"], "NONE");
    body[subKey] = sub;
    const interval = intIn(body, "checkIntervalSec", "resource.checkIntervalSec", 1, 300, 5)!;
    const timeout = intIn(body, "timeoutSec", "resource.timeoutSec", 1, 300, 5)!;
    if (timeout > interval) throw invalidField("resource.timeoutSec", timeout, "TimeoutSec should be less than or equal to checkIntervalSec.");
    intIn(body, "healthyThreshold", "resource.healthyThreshold", 1, 10, 2);
    intIn(body, "unhealthyThreshold", "resource.unhealthyThreshold", 1, 10, 2);
    return { resource: body };
  },
  refs: () => [],
};
