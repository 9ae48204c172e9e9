// Says clearly when CRDs the operator watches are missing, and when they appear: one log
// line and one Event per change (Warning CRDsMissing / Normal CRDsInstalled, regarding this
// replica's Pod, or the Lease out of cluster), and the reason /readyz gives while a required
// CRD (GatewayClass, Gateway, HTTPRoute) is missing.
import type { EventRecorder } from "../../ports.js";
import type { WatchedKind } from "../source/kinds.js";
import { REQUIRED_KINDS, crdName, installHint } from "./names.js";

/** What the reporter reads from the source (KubeSource implements it). */
export interface CrdState {
  /** Watched kinds the API server does not serve (after the first list). */
  missingKinds(): readonly WatchedKind[];
  /** Called after a kind stopped or started being served. */
  onServedChange(listener: () => void): void;
}

export interface CrdLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface EventTarget { kind: string; apiVersion: string; namespace: string; name: string }

export const REASON_MISSING = "CRDsMissing";
export const REASON_INSTALLED = "CRDsInstalled";

/** The Pod when running in one (POD_NAME, POD_NAMESPACE from the chart), else the Lease. */
export function eventTarget(env: NodeJS.ProcessEnv, lease: { namespace: string; name: string }): EventTarget {
  const pod = env["POD_NAME"];
  const ns = env["POD_NAMESPACE"];
  if (pod && ns) return { kind: "Pod", apiVersion: "v1", namespace: ns, name: pod };
  return { kind: "Lease", apiVersion: "coordination.k8s.io/v1", namespace: lease.namespace, name: lease.name };
}

export function isCrdState(x: unknown): x is CrdState {
  const o = x as Partial<CrdState> | null;
  return !!o && typeof o.missingKinds === "function" && typeof o.onServedChange === "function";
}

export class CrdReporter {
  private reported = new Set<string>();
  private started = false;

  constructor(
    private readonly source: CrdState,
    private readonly opts: { logger: CrdLogger; recorder?: EventRecorder | undefined; target: EventTarget },
  ) {
    source.onServedChange(() => this.report());
  }

  /** Reports the state after the first sync; later changes are reported as they happen. */
  start(): void {
    this.started = true;
    this.report();
  }

  /** Why the operator is not ready, while a required CRD is missing. */
  notReady(): string | undefined {
    const missing = this.source.missingKinds().filter((k) => REQUIRED_KINDS.has(k.kind));
    if (missing.length === 0) return undefined;
    return `required CRDs not installed: ${[...new Set(missing.map(crdName))].sort().join(", ")}; ${installHint(new Set(missing.map((k) => k.type.group)))}`;
  }

  private report(): void {
    if (!this.started) return;
    const missing = this.source.missingKinds();
    const now = new Set(missing.map(crdName));
    const appeared = [...this.reported].filter((n) => !now.has(n)).sort();
    const vanished = [...now].filter((n) => !this.reported.has(n)).sort();
    this.reported = now;
    if (vanished.length) {
      const required = missing.some((k) => REQUIRED_KINDS.has(k.kind));
      const names = [...now].sort();
      const hint = installHint(new Set(missing.map((k) => k.type.group)));
      const msg = required
        ? `CRDs not installed: ${names.join(", ")}. Not ready until the required ones (GatewayClass, Gateway, HTTPRoute) are; ${hint}`
        : `optional CRDs not installed: ${names.join(", ")}; those kinds are ignored until installed; ${hint}`;
      this.opts.logger[required ? "error" : "warn"]({ missing: names, required }, msg);
      void this.opts.recorder?.record(this.opts.target, "Warning", REASON_MISSING, msg);
    }
    if (appeared.length) {
      const msg = `CRDs installed: ${appeared.join(", ")}; now watched${now.size ? ` (still missing: ${[...now].sort().join(", ")})` : ""}`;
      this.opts.logger.info({ installed: appeared, missing: [...now].sort() }, msg);
      void this.opts.recorder?.record(this.opts.target, "Normal", REASON_INSTALLED, msg);
    }
  }
}
