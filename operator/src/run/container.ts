// The inversify container of `gatehouse run`. Every edge of the operator is a binding, so a
// test can rebind one (a recording provider, a fixed clock) before resolving the Operator:
//
//   const c = buildContainer(settings, { logger });
//   c.rebind(TOKENS.Provider).toConstantValue(recording);
//   const op = c.get<Operator>(RUN_TOKENS.Operator);
import "reflect-metadata";
import { Container, type ResolutionContext } from "inversify";
import type { Logger } from "pino";
import type { KubeConfig } from "@kubernetes/client-node";
import { TOKENS } from "@gatehouse/model";
import { providerApiModule, type Provider } from "@gatehouse/provider-api";
import { OPERATOR_TOKENS, type EventRecorder, type LeaderElector, type Source, type StatusSink } from "../ports.js";
import { AlwaysLeader } from "./always-leader.js";
import { SystemClock } from "./clock.js";
import { kubeBindings } from "./kube-bindings.js";
import { loadKubeConfig } from "./kubeconfig.js";
import { Metrics } from "./metrics.js";
import type { Exposer } from "@gatehouse/provider-local";
import { providerFor } from "./providers.js";
import { Operator } from "./operator.js";
import { Reconciler } from "./reconciler.js";
import type { Settings } from "./settings.js";
import { Cleanup, RUN_TOKENS, type AnnotationWriter, type Finalizers } from "./tokens.js";

/** Factories for the Kubernetes side; each gets the container to read Settings, KubeConfig, Logger, Metrics. */
export interface KubeBindings {
  source(ctx: ResolutionContext): Source;
  statusSink(ctx: ResolutionContext): StatusSink;
  leaderElector(ctx: ResolutionContext): LeaderElector;
  eventRecorder(ctx: ResolutionContext): EventRecorder;
  finalizers(ctx: ResolutionContext): Finalizers | undefined;
  /** Writes provider-reported annotations (cloud resource ids) on Gateways and routes. */
  annotations(ctx: ResolutionContext): AnnotationWriter | undefined;
  /**
   * The local backend's Gateway Services (--local-addresses incluster) for one controllerName;
   * `retry` asks for another reconcile after the exposer met API errors.
   */
  exposer(ctx: ResolutionContext, controllerName: string, retry: () => void): Exposer;
}

export interface ContainerOptions {
  logger: Logger;
  /** Default: loaded from settings (--kubeconfig, in-cluster, $KUBECONFIG) when first needed. */
  kubeConfig?: KubeConfig;
  /** Default: the real Kubernetes classes (kube-bindings.ts). */
  kube?: Partial<KubeBindings>;
  /** Default: per --controller-name, the cloud backend of that name or else a LocalProvider (providers.ts). */
  providers?: Provider[];
}

export function buildContainer(settings: Settings, opts: ContainerOptions): Container {
  const c = new Container({ defaultScope: "Singleton" });
  const kube: KubeBindings = { ...kubeBindings, ...opts.kube };

  c.bind(OPERATOR_TOKENS.Settings).toConstantValue(settings);
  c.bind(OPERATOR_TOKENS.Logger).toConstantValue(opts.logger);
  if (opts.kubeConfig) c.bind(OPERATOR_TOKENS.KubeConfig).toConstantValue(opts.kubeConfig);
  else c.bind(OPERATOR_TOKENS.KubeConfig).toDynamicValue(() => loadKubeConfig(settings));
  c.bind(OPERATOR_TOKENS.Clock).to(SystemClock);
  c.bind(RUN_TOKENS.Cleanup).toConstantValue(new Cleanup());
  c.bind(OPERATOR_TOKENS.Metrics).to(Metrics);

  c.bind(OPERATOR_TOKENS.Source).toDynamicValue((ctx) => kube.source(ctx));
  c.bind(OPERATOR_TOKENS.StatusSink).toDynamicValue((ctx) => kube.statusSink(ctx));
  c.bind(OPERATOR_TOKENS.EventRecorder).toDynamicValue((ctx) => kube.eventRecorder(ctx));
  if (settings.leaderElect) c.bind(OPERATOR_TOKENS.LeaderElector).toDynamicValue((ctx) => kube.leaderElector(ctx));
  else c.bind(OPERATOR_TOKENS.LeaderElector).to(AlwaysLeader);
  c.bind(RUN_TOKENS.Finalizers).toDynamicValue((ctx) => kube.finalizers(ctx) as Finalizers);
  c.bind(RUN_TOKENS.Annotations).toDynamicValue((ctx) => kube.annotations(ctx) as AnnotationWriter);

  if (opts.providers) {
    for (const p of opts.providers) c.bind<Provider>(TOKENS.Provider).toConstantValue(p);
  } else {
    // Resolved with the Operator (after Settings, Source and the elector exist); the worker
    // threads start on the first apply.
    const retry = () => { if (c.isBound(RUN_TOKENS.Reconciler)) c.get<Reconciler>(RUN_TOKENS.Reconciler).trigger(); };
    for (const name of settings.controllerNames) {
      c.bind<Provider>(TOKENS.Provider).toDynamicValue((ctx) => providerFor(
        name, settings, opts.logger, () => kube.exposer(ctx, name, retry), ctx.get<Metrics>(OPERATOR_TOKENS.Metrics).registry,
      ));
    }
  }
  c.load(providerApiModule);

  c.bind(RUN_TOKENS.Reconciler).to(Reconciler);
  c.bind(RUN_TOKENS.Operator).to(Operator);
  return c;
}
