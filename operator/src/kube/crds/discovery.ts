// While some watched kind is not served, asks API discovery every few seconds whether its
// CRD has appeared (one GET /apis/<group>/<version> per group version, no CRD read access
// needed: discovery is open to every authenticated user) and wakes that kind's streams, so
// the source lists it at once instead of at its next slow retry.
import type { RawKubeClient } from "../source/http.js";
import type { KindStream } from "../source/stream.js";

export interface DiscoveryPollerOptions {
  intervalMs: number;
  signal: AbortSignal;
  onError?: (e: unknown) => void;
}

export class DiscoveryPoller {
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly client: RawKubeClient,
    /** The streams of kinds not served right now. */
    private readonly absent: () => readonly KindStream[],
    private readonly opts: DiscoveryPollerOptions,
  ) {
    opts.signal.addEventListener("abort", () => this.stop(), { once: true });
  }

  /** Call whenever a kind's served state changed: polls while anything is absent. */
  update(): void {
    const missing = this.absent().length > 0 && !this.opts.signal.aborted;
    if (missing && !this.timer) {
      this.timer = setInterval(() => void this.poll(), this.opts.intervalMs);
      this.timer.unref();
    } else if (!missing) this.stop();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round: each group version of an absent kind once; streams whose resource is listed are woken. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const byPath = new Map<string, KindStream[]>();
      for (const s of this.absent()) {
        for (const v of s.kind.versions) {
          const path = s.kind.type.group ? `/apis/${s.kind.type.group}/${v}` : `/api/${v}`;
          byPath.set(path, [...(byPath.get(path) ?? []), s]);
        }
      }
      const woken = new Set<KindStream>();
      for (const [path, streams] of byPath) {
        const served = await this.client.resources(path, this.opts.signal);
        for (const s of streams) if (served?.has(s.kind.type.resource) && !woken.has(s)) { woken.add(s); s.wake(); }
      }
    } catch (e) {
      if (!this.opts.signal.aborted) this.opts.onError?.(e);
    } finally {
      this.polling = false;
    }
  }
}
