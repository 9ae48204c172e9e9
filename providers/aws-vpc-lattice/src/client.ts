// The SDK client per region: an endpoint override for the fake or moto, explicit or default
// credentials, a request timeout that really throws, our own retry with backoff on throttling,
// 5xx, timeouts and dropped connections (the SDK's own retry is off so every attempt is
// counted), and per-command call counters from an SDK middleware.
import { VPCLatticeClient } from "@aws-sdk/client-vpc-lattice";
import type { ProviderStats } from "@gatehouse/provider-api";

export interface ClientOptions {
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  requestTimeoutMs?: number;
  retry?: { attempts?: number; baseMs?: number };
  /** Test hook: runs before every request (throw to simulate a crash mid-apply). */
  beforeSend?: (command: string, mutating: boolean) => void;
}

export const isMutating = (command: string) => !/^(Get|List)/.test(command);

/** An error the cloud (or the network to it) returned, as opposed to a bug or a crash. */
export function isCloudError(e: unknown): e is Error & { name: string; $metadata?: { httpStatusCode?: number }; resourceId?: string; resourceType?: string } {
  if (!(e instanceof Error)) return false;
  const x = e as Error & { $metadata?: unknown; $fault?: unknown; code?: unknown };
  return x.$metadata !== undefined || x.$fault !== undefined || x.name === "TimeoutError" || x.name === "RequestTimeout" ||
    (typeof x.code === "string" && /^(ECONN|EPIPE|ETIMEDOUT|EAI_|UND_ERR)/.test(x.code));
}

export function errorName(e: unknown): string {
  return e instanceof Error ? e.name : "Error";
}

export function httpStatus(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/** Worth another attempt: throttling, 5xx, timeouts, connection trouble. */
export function isTransient(e: unknown): boolean {
  if (!isCloudError(e)) return false;
  const status = httpStatus(e);
  return e.name === "ThrottlingException" || e.name === "InternalServerException" || e.name === "ServiceUnavailableException" ||
    e.name === "TimeoutError" || e.name === "RequestTimeout" || (status !== undefined && status >= 500) ||
    (status === undefined && e.$metadata === undefined);
}

/** A message for status conditions: the error name and AWS's message, nothing from the request. */
export function cloudMessage(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const msg = e.message.replace(/(AKIA|ASIA)[A-Z0-9]{12,}/g, "<redacted>").slice(0, 400);
  return `${e.name}: ${msg}`;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface Sender {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  send<T>(command: any): Promise<T>;
}

export class LatticeClients {
  private readonly clients = new Map<string, VPCLatticeClient>();
  private readonly counts = new Map<string, number>();
  /** `operation|result` → attempts, for the operator's metrics (ProviderStats). */
  private readonly outcomes = new Map<string, number>();
  private retries = 0;

  constructor(private readonly opts: ClientOptions) {}

  private client(region: string): VPCLatticeClient {
    let c = this.clients.get(region);
    if (c) return c;
    c = new VPCLatticeClient({
      region,
      maxAttempts: 1,
      ...(this.opts.endpoint ? { endpoint: this.opts.endpoint } : {}),
      ...(this.opts.credentials ? { credentials: { ...this.opts.credentials } } : {}),
      requestHandler: { requestTimeout: this.opts.requestTimeoutMs ?? 30_000, throwOnRequestTimeout: true },
    });
    c.middlewareStack.add(
      (next, context) => async (args) => {
        const name = String((context as { commandName?: string }).commandName ?? "unknown").replace(/Command$/, "");
        this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
        return next(args);
      },
      { step: "initialize", name: "gatehouseCallCounter" },
    );
    this.clients.set(region, c);
    return c;
  }

  /** Sends with retries on transient failures (the same input, so the same client token). */
  async send<T>(region: string, command: { constructor: { name: string } }): Promise<T> {
    const name = command.constructor.name.replace(/Command$/, "");
    const attempts = Math.max(1, this.opts.retry?.attempts ?? 5);
    const base = Math.max(0, this.opts.retry?.baseMs ?? 200);
    for (let i = 1; ; i++) {
      this.opts.beforeSend?.(name, isMutating(name));
      try {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const out = (await this.client(region).send(command as any)) as T;
        this.outcome(name, "success");
        return out;
      } catch (e) {
        this.outcome(name, errorName(e) === "ThrottlingException" ? "throttled" : "error");
        if (i >= attempts || !isTransient(e)) throw e;
        this.retries++;
        const backoff = Math.min(20_000, base * 2 ** (i - 1));
        await sleep(backoff / 2 + Math.random() * (backoff / 2));
      }
    }
  }

  /** Requests sent, by operation (every attempt counts). */
  callCounts(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  }

  resetCounts(): void {
    this.counts.clear();
  }

  private outcome(operation: string, result: "success" | "error" | "throttled"): void {
    const k = `${operation}|${result}`;
    this.outcomes.set(k, (this.outcomes.get(k) ?? 0) + 1);
  }

  /** Cumulative attempts by operation and result, and retries (never reset: metrics are counters). */
  stats(): ProviderStats {
    const apiCalls = [...this.outcomes.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, count]) => {
      const [operation = "", result = "error"] = k.split("|");
      return { operation, result: result as "success" | "error" | "throttled", count };
    });
    return { apiCalls, retries: this.retries };
  }

  close(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }
}
