// One running operator: HTTP servers, leader election, the reconcile loop, and the order in
// which they start and stop.
import { inject, injectable, multiInject, optional } from "inversify";
import type { Logger } from "pino";
import { TOKENS } from "@gatehouse/model";
import type { Provider } from "@gatehouse/provider-api";
import { OPERATOR_TOKENS, type EventRecorder, type LeaderElector, type Source } from "../ports.js";
import { CrdReporter, eventTarget, isCrdState } from "../kube/crds/index.js";
import { HttpServers } from "./health.js";
import type { Metrics } from "./metrics.js";
import type { Reconciler } from "./reconciler.js";
import type { Settings } from "./settings.js";
import { RUN_TOKENS, type Cleanup } from "./tokens.js";

@injectable()
export class Operator {
  readonly http: HttpServers;
  private stopping: Promise<void> | undefined;
  private shuttingDown = false;
  /** Missing CRDs: log, Event, readiness (Kubernetes sources only). */
  private readonly crds: CrdReporter | undefined;

  constructor(
    @inject(OPERATOR_TOKENS.Settings) private readonly settings: Settings,
    @inject(OPERATOR_TOKENS.Logger) private readonly log: Logger,
    @inject(OPERATOR_TOKENS.Metrics) readonly metrics: Metrics,
    @inject(OPERATOR_TOKENS.Source) private readonly source: Source,
    @inject(OPERATOR_TOKENS.LeaderElector) readonly elector: LeaderElector,
    @inject(RUN_TOKENS.Reconciler) readonly reconciler: Reconciler,
    @multiInject(TOKENS.Provider) @optional() private readonly providers: readonly Provider[] | undefined,
    @inject(RUN_TOKENS.Cleanup) private readonly cleanup: Cleanup,
    @inject(OPERATOR_TOKENS.EventRecorder) @optional() recorder: EventRecorder | undefined,
  ) {
    this.crds = isCrdState(source) ? new CrdReporter(source, {
      logger: log.child({ component: "crds" }), recorder,
      target: eventTarget(process.env, { namespace: settings.leaseNamespace, name: settings.leaseName }),
    }) : undefined;
    this.http = new HttpServers(
      { metrics: settings.metricsAddress, health: settings.healthAddress },
      metrics,
      { ready: () => !this.shuttingDown && reconciler.ready && !this.crds?.notReady(), reason: () => this.crds?.notReady() },
      log,
    );
  }

  /** Serves probes and metrics, campaigns for the Lease, syncs and reconciles once. */
  async start(): Promise<void> {
    const s = this.settings;
    this.log.info({
      controllerNames: s.controllerNames, watchNamespaces: s.watchNamespaces.length ? s.watchNamespaces : "all",
      leaderElect: s.leaderElect, identity: s.identity, lease: s.leaderElect ? `${s.leaseNamespace}/${s.leaseName}` : undefined,
    }, "starting");
    await this.http.start();
    this.elector.start();
    await this.reconciler.start();
    this.crds?.start();
  }

  /**
   * Stops accepting reconciles and finishes the running one, releases the Lease, stops the
   * watches, closes the providers and the HTTP servers. Idempotent.
   */
  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      this.shuttingDown = true;
      this.log.info("shutting down");
      const step = async (what: string, f: () => Promise<void>) => {
        try { await f(); } catch (e) { this.log.error({ err: e instanceof Error ? e.message : String(e) }, `shutdown: ${what} failed`); }
      };
      await step("reconciler", () => this.reconciler.stop());
      await step("lease release", () => this.elector.stop());
      await step("source", () => this.source.stop());
      for (const p of this.providers ?? []) await step(`provider ${p.capabilities.controllerName}`, () => p.close());
      await step("http servers", () => this.http.stop());
      await step("cleanup", () => this.cleanup.run());
      this.log.info("stopped");
    })());
  }
}
