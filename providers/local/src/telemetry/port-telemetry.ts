// What one port (in one worker) does with its finished requests and sessions: count them
// (stats.ts), log them (access-log.ts, sampled), and hand sampled spans to the exporter
// (spans.ts). Built from the port's TelemetrySettings on create and on every update, swapped
// with the rest of the port's configuration. Request-path methods take positional arguments:
// nothing is allocated unless a line is logged or a span exported.
import type { IRBackend } from "@gatehouse/ir";
import type { RouteSite } from "../http/router/index.js";
import { isoTime, jsonString, logSink, ms3, type LogSink } from "./access-log.js";
import { ascii, jsonBound, putAscii, putBytes, putIsoTime, putJsonString, putMs3, putUint } from "./line-encoder.js";
import { codeClass, methodClass } from "./labels.js";
import { DEFAULT_TELEMETRY, type TelemetrySettings } from "./settings.js";
import { spanExport, type SpanExport } from "./spans.js";
import { connClosed, connOpened, countRequest, countSeries, stats, L4_BYTES_IN, L4_BYTES_OUT, L4_SESSIONS } from "./stats.js";
import type { TraceContext } from "./trace.js";

const ORIGIN = performance.timeOrigin;

// The constant pieces of an HTTP access log line, in field order.
const F_TS = ascii('{"ts":"');
const F_GET = ascii('"GET","path":');
const F_PATH = ascii(',"path":');
const F_STATUS = ascii(',"status":');
const F_BYTES_IN = ascii(',"bytes_in":');
const F_BYTES_OUT = ascii(',"bytes_out":');
const F_DURATION = ascii(',"duration_ms":');
const F_UPSTREAM = ascii(',"upstream_ms":');
const F_CLIENT = ascii(',"client":"');
const F_TRACE = ascii('","trace_id":"');
const F_END_QUOTED = ascii('"}\n');
const F_NO_TRACE = ascii('","trace_id":null}\n');
const NULL = ascii("null");
/** Room for the constant pieces, the time, numbers and a trace id. */
const LINE_SLACK = 400;

/** An L4 route as telemetry sees it (../l4/backends.ts L4Route). */
export interface L4Site { listener: string; source: string; name: string; rule: string }
/** An L4 backend: its series id is cached on it (-1: not yet). */
export interface L4SeriesOwner { id: string; series: number }

export class PortTelemetry {
  /** Null when access logging is off for this port. */
  readonly log: LogSink | null;
  readonly logRatio: number;
  /** Trace propagation on: start or continue a trace per request. */
  readonly tracing: boolean;
  readonly traceRatio: number;
  readonly spans: SpanExport | null;
  /** Logging or tracing: a request must be observed even when metrics are off. */
  readonly active: boolean;
  /** Requests that matched no listener. */
  private readonly noListener: RouteSite = { listener: "", source: "none", route: "", rule: "", ids: null };
  private readonly q: { gateway: string };
  /** Access log bytes per upstream endpoint (endpointBytes). */
  private readonly endpoints = new Map<string, Uint8Array>();

  constructor(readonly gateway: string, settings: TelemetrySettings = DEFAULT_TELEMETRY) {
    const a = settings.accessLog;
    this.log = a.enabled && a.sampleRatio > 0 ? logSink(a.path) : null;
    this.logRatio = a.sampleRatio;
    const t = settings.tracing;
    this.tracing = t.enabled;
    this.traceRatio = t.sampleRatio;
    this.spans = t.enabled && t.otlpEndpoint !== undefined ? spanExport(t.otlpEndpoint, t.serviceName) : null;
    this.q = { gateway: jsonString(gateway) };
    this.active = this.log !== null || this.tracing;
  }

  /** Log this one? (decided per request or session) */
  sampleLog(): boolean {
    return this.log !== null && (this.logRatio >= 1 || Math.random() < this.logRatio);
  }

  /** The metric series of a route site and backend pick (-1: none), looked up once and cached on the site. */
  httpSeries(site: RouteSite | undefined, pick: number, backend: IRBackend | null): number {
    const s = site ?? this.noListener;
    const ids = s.ids ??= [];
    const k = pick + 1;
    let id = ids[k];
    if (id === undefined) {
      id = stats.series([this.gateway, s.listener, s.route, s.rule, backend !== null ? String(backend.id) : "", "http"]);
      ids[k] = id;
    }
    return id;
  }

  /** Upstream events (connect errors, retries, timeouts) of the request's series. */
  upstream(site: RouteSite | undefined, pick: number, backend: IRBackend | null, slot: number): void {
    if (stats.enabled) countSeries(this.httpSeries(site, pick, backend), slot);
  }

  /** A mirror copy sent or failed (labelled with the mirror's backend). */
  mirror(site: RouteSite | undefined, backend: IRBackend, slot: number): void {
    if (!stats.enabled) return;
    const s = site ?? this.noListener;
    countSeries(stats.series([this.gateway, s.listener, s.route, s.rule, String(backend.id), "http"]), slot);
  }

  /**
   * One finished HTTP request. `t0`/`t1`: performance.now() at its head and its end;
   * `upMs`: upstream time (-1: none); `logged`: sampled for the access log at its start.
   */
  httpDone(
    site: RouteSite | undefined, pick: number, backend: IRBackend | null, method: string, path: string, status: number,
    t0: number, t1: number, upMs: number, bytesIn: number, bytesOut: number, client: string, endpoint: string,
    protocol: string, trace: TraceContext | null, logged: boolean,
  ): void {
    if (stats.enabled) countRequest(this.httpSeries(site, pick, backend), methodClass(method), codeClass(status), (t1 - t0) / 1000);
    if (logged && this.log !== null) this.logRequest(site, pick, backend, method, path, status, t0, t1, upMs, bytesIn, bytesOut, client, endpoint, protocol, trace);
    if (trace !== null && trace.sampled && this.spans !== null) {
      const s = site ?? this.noListener;
      this.spans.add({
        trace, name: s.route !== "" ? `${method} ${s.route}` : method, start: ORIGIN + t0, end: ORIGIN + t1, status,
        attributes: {
          "http.request.method": method, "url.path": path, "http.response.status_code": status, "client.address": client,
          "gatehouse.gateway": this.gateway, "gatehouse.listener": s.listener, "gatehouse.source": s.source,
          ...(backend !== null ? { "gatehouse.backend": String(backend.id) } : {}),
          ...(endpoint !== "" ? { "server.address": endpoint } : {}),
        },
      });
    }
  }

  /** One request's access log line, written into the sink's chunk (line-encoder.ts). */
  private logRequest(
    site: RouteSite | undefined, pick: number, backend: IRBackend | null, method: string, path: string, status: number,
    t0: number, t1: number, upMs: number, bytesIn: number, bytesOut: number, client: string, endpoint: string,
    protocol: string, trace: TraceContext | null,
  ): void {
    const s = site ?? this.noListener;
    const parts = s.logParts ??= [];
    const k = pick + 1;
    // From the end of "ts" to "endpoint": the labels of the site and backend, escaped and encoded once.
    const labels = parts[k] ??= Buffer.from(`","gateway":${this.q.gateway},"listener":${jsonString(s.listener)},"source":${jsonString(s.source)},"route":${jsonString(s.route)},"rule":${jsonString(s.rule)},"backend":${backend !== null ? jsonString(String(backend.id)) : "null"},"endpoint":`, "utf8");
    const log = this.log!;
    const most = LINE_SLACK + labels.length + endpoint.length + protocol.length + jsonBound(method) + jsonBound(path) + client.length;
    const b = log.reserve(most);
    if (b === null) return;
    let p = putBytes(b, log.at, F_TS);
    p = putIsoTime(b, p, ORIGIN + t0);
    p = putBytes(b, p, labels);
    // Bytes are written one at a time in JS: the common endpoint + protocol and method pieces are cached whole.
    p = putBytes(b, p, this.endpointBytes(endpoint, protocol));
    if (method === "GET") p = putBytes(b, p, F_GET);
    else {
      p = putJsonString(b, p, method);
      p = putBytes(b, p, F_PATH);
    }
    p = putJsonString(b, p, path);
    p = putBytes(b, p, F_STATUS);
    p = putUint(b, p, status);
    p = putBytes(b, p, F_BYTES_IN);
    p = putUint(b, p, bytesIn);
    p = putBytes(b, p, F_BYTES_OUT);
    p = putUint(b, p, bytesOut);
    p = putBytes(b, p, F_DURATION);
    p = putMs3(b, p, t1 - t0);
    p = putBytes(b, p, F_UPSTREAM);
    if (upMs >= 0) p = putMs3(b, p, upMs); else p = putBytes(b, p, NULL);
    p = putBytes(b, p, F_CLIENT);
    p = putAscii(b, p, client);
    if (trace !== null) {
      p = putBytes(b, p, F_TRACE);
      p = putAscii(b, p, trace.traceId);
      p = putBytes(b, p, F_END_QUOTED);
    } else p = putBytes(b, p, F_NO_TRACE);
    log.commit(p);
  }

  /** `"endpoint","protocol":"…","method":` as bytes, cached by endpoint for HTTP/1.1 (the fast path's). */
  private endpointBytes(endpoint: string, protocol: string): Uint8Array {
    const cached = protocol === "HTTP/1.1" ? this.endpoints.get(endpoint) : undefined;
    if (cached !== undefined) return cached;
    const bytes = Buffer.from(`${endpoint !== "" ? jsonString(endpoint) : "null"},"protocol":${jsonString(protocol)},"method":`, "utf8");
    if (protocol === "HTTP/1.1") {
      // Endpoints come and go with the configuration; a port's set is small, a burst is bounded.
      if (this.endpoints.size >= 1024) this.endpoints.clear();
      this.endpoints.set(endpoint, bytes);
    }
    return bytes;
  }

  // --- L4 ---

  l4Series(route: L4Site, backend: L4SeriesOwner, protocol: string): number {
    if (backend.series < 0) backend.series = stats.series([this.gateway, route.listener, route.name, route.rule, backend.id, protocol]);
    return backend.series;
  }

  /** A session joined its backend. */
  l4Started(series: number): void {
    if (stats.enabled) countSeries(series, L4_SESSIONS);
  }

  /** Bytes a session moved since it last reported. */
  l4Bytes(series: number, bytesIn: number, bytesOut: number): void {
    if (!stats.enabled) return;
    const d = stats.data[series]!;
    d[L4_BYTES_IN] = d[L4_BYTES_IN]! + bytesIn;
    d[L4_BYTES_OUT] = d[L4_BYTES_OUT]! + bytesOut;
  }

  /** One finished L4 session's access log line (`endpoint` "" when none was reached). */
  l4Log(route: L4Site | null, backend: string, endpoint: string, protocol: string, t0: number, t1: number, bytesIn: number, bytesOut: number, client: string): void {
    if (this.log === null) return;
    this.log.append(`{"ts":"${isoTime(ORIGIN + t0)}","gateway":${this.q.gateway},"listener":${route !== null ? jsonString(route.listener) : "null"},"source":${route !== null ? jsonString(route.source) : "null"},"route":${route !== null ? jsonString(route.name) : "null"},"rule":${route !== null ? jsonString(route.rule) : "null"},"backend":${backend !== "" ? jsonString(backend) : "null"},"endpoint":${endpoint !== "" ? jsonString(endpoint) : "null"},"protocol":"${protocol}","method":null,"path":null,"status":null,"bytes_in":${bytesIn},"bytes_out":${bytesOut},"duration_ms":${ms3(t1 - t0)},"upstream_ms":null,"client":${jsonString(client)},"trace_id":null}\n`);
  }
}

/** Connection gauges of a port: opened/closed counts by (gateway, listener names, protocol). */
export function connSeries(gateway: string, listeners: readonly { name: string }[], protocol: string): number {
  return stats.connSeries(gateway, listeners.map((l) => l.name).join(","), protocol.toLowerCase());
}

export { connOpened, connClosed };
