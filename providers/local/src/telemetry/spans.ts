// OTLP/HTTP export of the proxy's spans with the OpenTelemetry JS SDK, one tracer provider
// per (endpoint, service name) per thread, loaded on first use. A span is made only once its
// request is over and only when sampled: the SDK never runs on the request path itself. The
// ids are the ones already sent upstream (a preset IdGenerator hands them to the SDK).
import type { Tracer } from "@opentelemetry/api";
import type { TracerProvider } from "@opentelemetry/sdk-trace";
import { stats } from "./stats.js";
import type { TraceContext } from "./trace.js";

export interface FinishedSpan {
  trace: TraceContext;
  name: string;
  /** Epoch milliseconds (fractional). */
  start: number;
  end: number;
  status: number;
  attributes: Record<string, string | number>;
}

/** Spans held per exporter while the SDK loads. */
const MAX_EARLY = 2048;

class PresetIds {
  traceId = "";
  spanId = "";
  generateTraceId(): string { return this.traceId; }
  generateSpanId(): string { return this.spanId; }
}

export class SpanExport {
  private tracer: Tracer | null = null;
  private provider: TracerProvider | null = null;
  private readonly ids = new PresetIds();
  private early: FinishedSpan[] | null = [];
  private sdk: typeof import("@opentelemetry/api") | null = null;
  private readonly loading: Promise<void>;

  constructor(readonly endpoint: string, readonly serviceName: string) {
    this.loading = this.load().catch((e: unknown) => {
      this.early = null;
      process.emitWarning(`gatehouse tracing: the OpenTelemetry SDK could not be loaded: ${(e as Error).message}`);
    });
  }

  private async load(): Promise<void> {
    const [api, sdk, exporter, resources] = await Promise.all([
      import("@opentelemetry/api"),
      import("@opentelemetry/sdk-trace"),
      import("@opentelemetry/exporter-trace-otlp-http"),
      import("@opentelemetry/resources"),
    ]);
    const provider = new sdk.TracerProvider({
      resource: resources.resourceFromAttributes({ "service.name": this.serviceName }),
      idGenerator: this.ids,
      sampler: new sdk.AlwaysOnSampler(),
      spanProcessors: [new sdk.BatchSpanProcessor({
        exporter: new exporter.OTLPTraceExporter({ url: this.endpoint }),
        scheduledDelayMillis: 1000,
        maxQueueSize: 8192,
        maxExportBatchSize: 512,
      })],
    });
    this.sdk = api;
    this.provider = provider;
    this.tracer = provider.getTracer("gatehouse-proxy");
    const early = this.early ?? [];
    this.early = null;
    for (const s of early) this.emit(s);
  }

  /** A finished, sampled span. */
  add(s: FinishedSpan): void {
    if (this.tracer !== null) this.emit(s);
    else if (this.early !== null && this.early.length < MAX_EARLY) this.early.push(s);
  }

  private emit(s: FinishedSpan): void {
    const api = this.sdk!;
    const t = s.trace;
    this.ids.traceId = t.traceId;
    this.ids.spanId = t.spanId;
    const parent = t.parentId === null
      ? api.ROOT_CONTEXT
      : api.trace.setSpanContext(api.ROOT_CONTEXT, { traceId: t.traceId, spanId: t.parentId, traceFlags: api.TraceFlags.SAMPLED, isRemote: true });
    const span = this.tracer!.startSpan(s.name, { kind: api.SpanKind.SERVER, startTime: s.start, attributes: s.attributes }, parent);
    if (s.status >= 500) span.setStatus({ code: api.SpanStatusCode.ERROR });
    span.end(s.end);
    stats.spansStarted++;
  }

  async flush(): Promise<void> {
    await this.loading;
    await this.provider?.forceFlush({ timeoutMillis: 2000 }).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.loading;
    await this.provider?.shutdown().catch(() => undefined);
  }
}

const exports = new Map<string, SpanExport>();

/** This thread's exporter for an endpoint and service name. */
export function spanExport(endpoint: string, serviceName: string): SpanExport {
  const key = `${endpoint} ${serviceName}`;
  let e = exports.get(key);
  if (e === undefined) {
    e = new SpanExport(endpoint, serviceName);
    exports.set(key, e);
  }
  return e;
}

/** Exports what every exporter of this thread holds (close, tests). */
export async function flushSpans(): Promise<void> {
  await Promise.all([...exports.values()].map((e) => e.flush()));
}
