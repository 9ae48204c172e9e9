// A small raw-JSON client for the Kubernetes API, over @kubernetes/client-node's KubeConfig
// (which handles kubeconfig files, in-cluster config, client certificates, tokens and exec
// plugins). Why not the generated clients: they turn timestamps into Date objects and drop
// unknown fields, and they throw on every non-2xx status. Here bodies are plain JSON as the
// API server sent them, and an HTTP status is data: callers branch on 404/409 themselves.
// Only transport failures (connection refused, timeout, unreadable body) throw KubeRequestError.
//
// Usage:
//   const kube = new KubeClient(kubeConfig);
//   const r = await kube.get(resourcePath(GATEWAY_RESOURCES.Gateway, { namespace: "ns", name: "gw" }));
//   if (r.status === 404) ...; else if (r.status === 200) use(r.body);
import { Agent, request, type RequestOptions } from "node:https";
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import type { KubeConfig } from "@kubernetes/client-node";

export type KubeMethod = "GET" | "PUT" | "POST" | "PATCH" | "DELETE";

/** PATCH flavours the API server accepts (Content-Type). Server-side apply is deliberately absent. */
export const PATCH = {
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
  strategic: "application/strategic-merge-patch+json",
} as const;

export interface KubeRequest {
  /** JSON-encoded as the request body (omit for none). */
  body?: unknown;
  /** Content-Type for the body; default application/json, for PATCH application/merge-patch+json. */
  contentType?: string;
  /** Query parameters (undefined values are left out). */
  query?: Record<string, string | number | boolean | undefined>;
  /** Milliseconds until the request is abandoned (default: the client's, 30 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface KubeResponse<T = unknown> {
  status: number;
  /** Parsed JSON (plain objects, strings for timestamps), or the raw text when the body is not JSON; undefined when empty. */
  body: T;
}

export interface KubeClientOptions {
  /** Default per-request timeout in ms (30 s). */
  timeoutMs?: number;
  /** User-Agent header (default "gatehouse"). */
  userAgent?: string;
}

/** The request never got an HTTP response (connection refused or reset, timeout, TLS failure, abort). */
export class KubeRequestError extends Error {
  override readonly name = "KubeRequestError";
  constructor(readonly method: string, readonly path: string, message: string, options?: { cause?: unknown }) {
    super(`${method} ${path}: ${message}`, options);
  }
}

/** A Kubernetes `Status` body's message, or a short form of whatever came back. */
export function statusMessage(r: KubeResponse): string {
  const b = r.body as { message?: unknown } | undefined;
  if (b && typeof b === "object" && typeof b.message === "string") return `${r.status}: ${b.message}`;
  const text = typeof r.body === "string" ? r.body : JSON.stringify(r.body ?? "");
  return `${r.status}: ${text.slice(0, 200)}`;
}

export class KubeClient {
  private readonly server: URL;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private agent: Agent | HttpAgent | undefined;

  constructor(readonly kubeConfig: KubeConfig, opts: KubeClientOptions = {}) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error("kubeconfig: no current cluster");
    this.server = new URL(cluster.server);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.userAgent = opts.userAgent ?? "gatehouse";
  }

  get<T = unknown>(path: string, req?: KubeRequest): Promise<KubeResponse<T>> { return this.request("GET", path, req); }
  put<T = unknown>(path: string, body: unknown, req?: KubeRequest): Promise<KubeResponse<T>> { return this.request("PUT", path, { ...req, body }); }
  post<T = unknown>(path: string, body: unknown, req?: KubeRequest): Promise<KubeResponse<T>> { return this.request("POST", path, { ...req, body }); }
  patch<T = unknown>(path: string, body: unknown, req?: KubeRequest): Promise<KubeResponse<T>> { return this.request("PATCH", path, { ...req, body }); }
  delete<T = unknown>(path: string, req?: KubeRequest): Promise<KubeResponse<T>> { return this.request("DELETE", path, req); }

  /** `path` is the API path ("/api/v1/namespaces/x"), relative to the cluster's server URL. */
  async request<T = unknown>(method: KubeMethod, path: string, req: KubeRequest = {}): Promise<KubeResponse<T>> {
    const res = await this.send(method, path, req);
    return new Promise<KubeResponse<T>>((resolve, reject) => {
      const fail = (message: string, cause?: unknown) => reject(new KubeRequestError(method, path, message, { cause }));
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", (e) => fail(e.message, e));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = text === "" ? undefined : text;
        if (text !== "" && /json/.test(String(res.headers["content-type"] ?? ""))) {
          try { body = JSON.parse(text); } catch (e) { fail(`unreadable JSON response (${res.statusCode})`, e); return; }
        }
        resolve({ status: res.statusCode ?? 0, body: body as T });
      });
    });
  }

  /**
   * GET whose response is read by the caller as it arrives (watches). `req.timeoutMs` is the
   * longest the connection may stay silent, not the length of the whole response.
   */
  stream(path: string, req: Omit<KubeRequest, "body" | "contentType"> = {}): Promise<IncomingMessage> {
    return this.send("GET", path, req);
  }

  /** Sends the request; resolves with the response once its headers arrive. */
  private async send(method: KubeMethod, path: string, req: KubeRequest): Promise<IncomingMessage> {
    const url = new URL(this.server.href.replace(/\/$/, "") + path);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    // Per request: exec plugins and rotated token files give a fresh Authorization header.
    const opts: RequestOptions = { headers: {} };
    await this.kubeConfig.applyToHTTPSOptions(opts);
    const headers: Record<string, string | number> = {
      ...(opts.headers as Record<string, string>),
      accept: "application/json",
      "user-agent": this.userAgent,
    };
    if (payload) {
      headers["content-type"] = req.contentType ?? (method === "PATCH" ? PATCH.merge : "application/json");
      headers["content-length"] = payload.length;
    }
    const https = url.protocol === "https:";
    const timeoutMs = req.timeoutMs ?? this.timeoutMs;
    req.signal?.throwIfAborted();
    return new Promise<IncomingMessage>((resolve, reject) => {
      const r = (https ? request : httpRequest)(url, {
        ...opts,
        method,
        headers,
        agent: this.agentFor(opts, https),
        signal: req.signal,
      }, resolve);
      r.setTimeout(timeoutMs, () => r.destroy(new Error(`no data within ${timeoutMs} ms`)));
      r.on("error", (e) => reject(new KubeRequestError(method, path, e.message, { cause: e })));
      r.end(payload);
    });
  }

  /** Closes idle keep-alive connections (call on shutdown). */
  close(): void { this.agent?.destroy(); this.agent = undefined; }

  /**
   * client-node's agent (proxies honoured) unless the cluster is reached directly, then one
   * keep-alive agent with the same TLS material: a status write should not pay a TLS handshake.
   */
  private agentFor(opts: RequestOptions, https: boolean): RequestOptions["agent"] {
    if (this.kubeConfig.getCurrentCluster()?.proxyUrl) return opts.agent;
    if (!this.agent) {
      this.agent = https
        ? new Agent({
          keepAlive: true,
          ca: opts.ca, cert: opts.cert, key: opts.key, pfx: opts.pfx, passphrase: opts.passphrase,
          servername: opts.servername,
          ...(opts.rejectUnauthorized !== undefined ? { rejectUnauthorized: opts.rejectUnauthorized } : {}),
        })
        : new HttpAgent({ keepAlive: true });
    }
    return this.agent;
  }
}

/** Where a kind is served. */
export interface ResourceType {
  group: string; // "" for the core group
  version: string;
  /** Plural resource name. */
  resource: string;
  kind: string;
  namespaced: boolean;
}

const GW = "gateway.networking.k8s.io";

/**
 * Gateway API kinds at the versions the v1.6.3 CRDs store. Every kind here, TCPRoute,
 * UDPRoute and TLSRoute included, is served and stored as v1 in v1.6.3 (experimental
 * channel); their v1alpha2/v1alpha3 versions are still served but deprecated (each request
 * gets a deprecation warning). Conversion is `None`, so writing v1 is seen by readers of any version.
 */
export const GATEWAY_RESOURCES = {
  GatewayClass: { group: GW, version: "v1", resource: "gatewayclasses", kind: "GatewayClass", namespaced: false },
  Gateway: { group: GW, version: "v1", resource: "gateways", kind: "Gateway", namespaced: true },
  HTTPRoute: { group: GW, version: "v1", resource: "httproutes", kind: "HTTPRoute", namespaced: true },
  GRPCRoute: { group: GW, version: "v1", resource: "grpcroutes", kind: "GRPCRoute", namespaced: true },
  TLSRoute: { group: GW, version: "v1", resource: "tlsroutes", kind: "TLSRoute", namespaced: true },
  TCPRoute: { group: GW, version: "v1", resource: "tcproutes", kind: "TCPRoute", namespaced: true },
  UDPRoute: { group: GW, version: "v1", resource: "udproutes", kind: "UDPRoute", namespaced: true },
  BackendTLSPolicy: { group: GW, version: "v1", resource: "backendtlspolicies", kind: "BackendTLSPolicy", namespaced: true },
  ReferenceGrant: { group: GW, version: "v1", resource: "referencegrants", kind: "ReferenceGrant", namespaced: true },
} as const satisfies Record<string, ResourceType>;

export const CORE_RESOURCES = {
  Service: { group: "", version: "v1", resource: "services", kind: "Service", namespaced: true },
  EndpointSlice: { group: "discovery.k8s.io", version: "v1", resource: "endpointslices", kind: "EndpointSlice", namespaced: true },
  Secret: { group: "", version: "v1", resource: "secrets", kind: "Secret", namespaced: true },
  Namespace: { group: "", version: "v1", resource: "namespaces", kind: "Namespace", namespaced: false },
  ConfigMap: { group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true },
  Lease: { group: "coordination.k8s.io", version: "v1", resource: "leases", kind: "Lease", namespaced: true },
  Event: { group: "events.k8s.io", version: "v1", resource: "events", kind: "Event", namespaced: true },
} as const satisfies Record<string, ResourceType>;

/**
 * gatehouse's own CRDs (charts/gatehouse/crds). Optional: when a CRD is not installed the
 * source logs it once and carries on without the kind (and looks again later).
 */
export const GATEHOUSE_RESOURCES = {
  LocalProxyConfig: { group: "gatehouse.dev", version: "v1alpha1", resource: "localproxyconfigs", kind: "LocalProxyConfig", namespaced: true },
  LatticeConfig: { group: "gatehouse.dev", version: "v1alpha1", resource: "latticeconfigs", kind: "LatticeConfig", namespaced: true },
  GCPConfig: { group: "gatehouse.dev", version: "v1alpha1", resource: "gcpconfigs", kind: "GCPConfig", namespaced: true },
} as const satisfies Record<string, ResourceType>;

/** apiVersion as written in objects ("v1", "gateway.networking.k8s.io/v1"). */
export function apiVersionOf(t: ResourceType): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/**
 * The API path of a collection (no name) or an object, optionally a subresource:
 * resourcePath(GATEWAY_RESOURCES.HTTPRoute, { namespace: "ns", name: "r", subresource: "status" })
 * → /apis/gateway.networking.k8s.io/v1/namespaces/ns/httproutes/r/status
 */
export function resourcePath(t: ResourceType, at: { namespace?: string; name?: string; subresource?: string } = {}): string {
  let p = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
  if (t.namespaced && at.namespace) p += `/namespaces/${encodeURIComponent(at.namespace)}`;
  p += `/${t.resource}`;
  if (at.name !== undefined) p += `/${encodeURIComponent(at.name)}`;
  if (at.subresource) p += `/${at.subresource}`;
  return p;
}

/** RFC 3339 with microseconds (metav1.MicroTime), e.g. 2025-01-02T03:04:05.123000Z. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** Parses an RFC 3339 time from the API server (seconds or micro precision); NaN when unreadable. */
export function parseTime(s: unknown): number {
  return typeof s === "string" ? Date.parse(s) : Number.NaN;
}
