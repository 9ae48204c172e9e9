// Leader election on a coordination.k8s.io/v1 Lease, the way client-go's leaderelection does it:
//
// - A standby takes the Lease when it is free (no holderIdentity) or expired. Expired is judged
//   on OUR clock, never by comparing the holder's renewTime with our wall clock (clocks differ
//   between nodes): we note when we last saw the Lease change, and it is expired when it has
//   not changed for its leaseDurationSeconds since.
// - Every write carries the resourceVersion we read, so of two replicas racing for the Lease
//   one gets 409 and stays standby.
// - The leader renews every retryPeriod. If it cannot renew for renewDeadline (< leaseDuration),
//   it steps down on its own — before any standby can consider the Lease expired — so there
//   are never two leaders. It keeps campaigning and leads again once it can.
// - stop() releases the Lease (holderIdentity emptied) so a standby takes over at its next retry.
import { hostname } from "node:os";
import type { Clock, LeaderElector } from "../../ports.js";
import { CORE_RESOURCES, apiVersionOf, microTime, resourcePath, statusMessage, type KubeClient } from "../client.js";

export interface LeaseElectorOptions {
  /** Lease name and namespace. */
  name: string;
  namespace: string;
  /** This replica's identity (default: $POD_NAME, else hostname_pid). */
  identity?: string;
  /** How long a Lease stays valid without renewal (15 s). Written as whole seconds. */
  leaseDurationMs?: number;
  /** The leader steps down when it could not renew for this long (10 s; must be < leaseDuration). */
  renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew (2 s; must be < renewDeadline). */
  retryPeriodMs?: number;
  /** Wall clock for the times written into the Lease. */
  clock?: Clock;
  /** Failed attempts (API errors, unreachable server), for logging; never thrown. */
  onError?: (error: unknown) => void;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
  [k: string]: unknown;
}
interface Lease {
  metadata?: { resourceVersion?: string; [k: string]: unknown };
  spec?: LeaseSpec;
  [k: string]: unknown;
}

/** Default identity: the pod name in a cluster, else host and process. */
export function defaultIdentity(): string {
  return process.env["POD_NAME"] || `${hostname()}_${process.pid}`;
}

export class LeaseElector implements LeaderElector {
  readonly identity: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly clock: Clock;
  private readonly path: string;
  private readonly listeners: ((leader: boolean) => void)[] = [];

  private leader = false;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private abort = new AbortController();
  private watchdog: NodeJS.Timeout | undefined;
  /** Monotonic time (performance.now) of our last successful acquire or renew. */
  private lastRenew = 0;
  /** The Lease as last seen (its spec, as JSON) and when we first saw it that way (monotonic). */
  private observed: { record: string; at: number } | undefined;

  constructor(private readonly kube: KubeClient, private readonly opts: LeaseElectorOptions) {
    this.identity = opts.identity || defaultIdentity();
    this.leaseDurationMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    this.clock = opts.clock ?? { now: () => new Date() };
    if (!(this.renewDeadlineMs < this.leaseDurationMs)) throw new Error("leader election: renewDeadline must be shorter than leaseDuration");
    if (!(this.retryPeriodMs < this.renewDeadlineMs)) throw new Error("leader election: retryPeriod must be shorter than renewDeadline");
    this.path = resourcePath(CORE_RESOURCES.Lease, { namespace: opts.namespace, name: opts.name });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.loop = this.run();
  }

  isLeader(): boolean {
    // The watchdog steps down on time; this also covers a timer delayed by a busy event loop.
    return this.leader && performance.now() - this.lastRenew < this.renewDeadlineMs;
  }

  onChange(listener: (leader: boolean) => void): void {
    this.listeners.push(listener);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    this.abort.abort();
    await this.loop;
    this.setLeader(false);
    // Also when an acquire was in flight as we stopped: release() only touches a Lease we hold.
    await this.release().catch((e) => this.opts.onError?.(e));
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.tryAcquireOrRenew();
      } catch (e) {
        if (this.running) this.opts.onError?.(e); // else: stop() aborted the request
      }
      if (!this.running) break;
      // Standbys jitter their retries so that replicas started together do not stay in lockstep.
      await this.sleep(this.leader ? this.retryPeriodMs : this.retryPeriodMs * (1 + 0.2 * Math.random()));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() { clearTimeout(t); resolve(); }
      this.wake = done;
    });
  }

  private async tryAcquireOrRenew(): Promise<void> {
    const timeoutMs = this.renewDeadlineMs;
    const signal = this.abort.signal;
    const got = await this.kube.get<Lease>(this.path, { timeoutMs, signal });
    const now = this.clock.now();
    if (got.status === 404) {
      const created = await this.kube.post<Lease>(resourcePath(CORE_RESOURCES.Lease, { namespace: this.opts.namespace }), {
        apiVersion: apiVersionOf(CORE_RESOURCES.Lease), kind: "Lease",
        metadata: { name: this.opts.name, namespace: this.opts.namespace },
        spec: this.record(now, undefined),
      }, { timeoutMs, signal });
      if (created.status === 201) return this.renewed(created.body);
      if (created.status === 409) return; // another replica created it first
      throw new Error(`create Lease: ${statusMessage(created)}`);
    }
    if (got.status !== 200) throw new Error(`get Lease: ${statusMessage(got)}`);
    const lease = got.body;
    const spec = lease.spec ?? {};
    this.observe(spec);
    const holder = typeof spec.holderIdentity === "string" ? spec.holderIdentity : "";
    if (holder !== this.identity) {
      // Someone else holds it: we are not the leader (it took over after we stopped renewing).
      if (this.leader) this.setLeader(false);
      if (holder !== "" && !this.expired(spec)) return;
    }
    const put = await this.kube.put<Lease>(this.path, { ...lease, spec: { ...spec, ...this.record(now, spec) } }, { timeoutMs, signal });
    if (put.status === 200) return this.renewed(put.body);
    if (put.status === 409) return; // lost a race; the next attempt reads the new state
    throw new Error(`update Lease: ${statusMessage(put)}`);
  }

  /** Our claim on the Lease, continuing `previous` (the spec we read) when we already held it. */
  private record(now: Date, previous: LeaseSpec | undefined): LeaseSpec {
    const ours = previous?.holderIdentity === this.identity;
    const transitions = typeof previous?.leaseTransitions === "number" ? previous.leaseTransitions : 0;
    return {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.leaseDurationMs / 1000)),
      acquireTime: ours && typeof previous?.acquireTime === "string" ? previous.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: previous === undefined ? 0 : ours ? transitions : transitions + 1,
    };
  }

  private observe(spec: LeaseSpec): void {
    const record = JSON.stringify([spec.holderIdentity, spec.renewTime, spec.acquireTime, spec.leaseTransitions, spec.leaseDurationSeconds]);
    if (this.observed?.record !== record) this.observed = { record, at: performance.now() };
  }

  /** Unchanged, on our clock, for the holder's lease duration since we first saw it this way. */
  private expired(spec: LeaseSpec): boolean {
    const seconds = typeof spec.leaseDurationSeconds === "number" && spec.leaseDurationSeconds > 0
      ? spec.leaseDurationSeconds : this.leaseDurationMs / 1000;
    return !!this.observed && performance.now() - this.observed.at > seconds * 1000;
  }

  private renewed(lease: Lease): void {
    this.observe(lease.spec ?? {});
    this.lastRenew = performance.now();
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => this.checkDeadline(), this.renewDeadlineMs);
    this.watchdog.unref();
    if (!this.running) return; // stop() came while this attempt was in flight: release() follows
    if (!this.leader) this.setLeader(true);
  }

  private checkDeadline(): void {
    if (!this.leader) return;
    const left = this.renewDeadlineMs - (performance.now() - this.lastRenew);
    if (left <= 0) this.setLeader(false);
    else this.watchdog = setTimeout(() => this.checkDeadline(), left).unref();
  }

  private setLeader(leader: boolean): void {
    if (leader === this.leader) return;
    this.leader = leader;
    if (!leader) clearTimeout(this.watchdog);
    for (const l of this.listeners) {
      try {
        l(leader);
      } catch (e) {
        this.opts.onError?.(e);
      }
    }
  }

  /** Empties holderIdentity (if the Lease is still ours) so a standby need not wait for expiry. */
  private async release(): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const got = await this.kube.get<Lease>(this.path, { timeoutMs: this.renewDeadlineMs });
      if (got.status !== 200) return;
      const spec = got.body.spec ?? {};
      if (spec.holderIdentity !== this.identity) return;
      const now = microTime(this.clock.now());
      const put = await this.kube.put(this.path, {
        ...got.body,
        spec: { ...spec, holderIdentity: "", leaseDurationSeconds: 1, acquireTime: now, renewTime: now },
      }, { timeoutMs: this.renewDeadlineMs });
      if (put.status !== 409) return;
    }
  }
}
