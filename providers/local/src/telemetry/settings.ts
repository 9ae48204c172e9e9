// Access log and tracing settings of a Gateway's ports (LocalProxyConfig spec.accessLog and
// spec.tracing). Plain data: it rides on the BoundPort to every worker.

export interface AccessLogSettings {
  enabled: boolean;
  /** Share of requests (L4 sessions) logged, 0–1. */
  sampleRatio: number;
  /** "stdout", "stderr" or an absolute file path (appended to). */
  path: string;
}

export interface TracingSettings {
  enabled: boolean;
  /** Share of new traces sampled (a traceparent that comes in keeps its own sampled flag), 0–1. */
  sampleRatio: number;
  /** OTLP/HTTP traces URL (e.g. http://otel-collector:4318/v1/traces); absent: propagate only, export nothing. */
  otlpEndpoint?: string;
  /** service.name of the exported spans. */
  serviceName: string;
}

export interface TelemetrySettings {
  accessLog: AccessLogSettings;
  tracing: TracingSettings;
}

export const DEFAULT_SERVICE_NAME = "gatehouse-proxy";

/** As NGINX Gateway Fabric and Envoy Gateway do: every request logged to stdout; tracing off. */
export function defaultTelemetry(): TelemetrySettings {
  return {
    accessLog: { enabled: true, sampleRatio: 1, path: "stdout" },
    tracing: { enabled: false, sampleRatio: 1, serviceName: DEFAULT_SERVICE_NAME },
  };
}

export const DEFAULT_TELEMETRY: Readonly<TelemetrySettings> = Object.freeze(defaultTelemetry());

export function sameTelemetry(a: Readonly<TelemetrySettings>, b: Readonly<TelemetrySettings>): boolean {
  const x = a.accessLog, y = b.accessLog, p = a.tracing, q = b.tracing;
  return x.enabled === y.enabled && x.sampleRatio === y.sampleRatio && x.path === y.path
    && p.enabled === q.enabled && p.sampleRatio === q.sampleRatio && p.otlpEndpoint === q.otlpEndpoint && p.serviceName === q.serviceName;
}
