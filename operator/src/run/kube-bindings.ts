// The Kubernetes implementations of the ports (operator/src/kube/*), wired from Settings.
import type { ResolutionContext } from "inversify";
import type { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { Exposer } from "@gatehouse/provider-local";
import { keyOf, type Meta } from "@gatehouse/model";
import { KubeClient } from "../kube/client.js";
import { GatewayServices } from "../kube/gateway-services/index.js";
import { KubeEventRecorder } from "../kube/events/index.js";
import { FINALIZER, Finalizers as KubeFinalizers } from "../kube/finalizers/index.js";
import { Annotations } from "../kube/annotations/index.js";
import { LeaseElector } from "../kube/leader/index.js";
import { KubeSource } from "../kube/source/index.js";
import { KubeStatusSink } from "../kube/status/index.js";
import { OPERATOR_TOKENS, type Clock, type EventRecorder, type LeaderElector, type Source } from "../ports.js";
import type { KubeBindings } from "./container.js";
import type { Settings } from "./settings.js";
import { RUN_TOKENS, type AnnotationWriter, type Cleanup, type Finalizers, type ObjectRef } from "./tokens.js";

const settingsOf = (ctx: ResolutionContext) => ctx.get<Settings>(OPERATOR_TOKENS.Settings);
const loggerOf = (ctx: ResolutionContext, component: string) => ctx.get<Logger>(OPERATOR_TOKENS.Logger).child({ component });
/** One raw JSON client per container (keyed by its Cleanup), shared by the status sink, the elector and the recorder. */
const clients = new WeakMap<Cleanup, KubeClient>();
const clientOf = (ctx: ResolutionContext) => {
  const cleanup = ctx.get<Cleanup>(RUN_TOKENS.Cleanup);
  let c = clients.get(cleanup);
  if (!c) {
    const client = (c = new KubeClient(ctx.get<KubeConfig>(OPERATOR_TOKENS.KubeConfig), { userAgent: "gatehouse" }));
    clients.set(cleanup, client);
    cleanup.add(() => client.close());
  }
  return c;
};

export const kubeBindings: KubeBindings = {
  source: (ctx) => {
    const s = settingsOf(ctx);
    return new KubeSource(ctx.get<KubeConfig>(OPERATOR_TOKENS.KubeConfig), {
      watchNamespaces: s.watchNamespaces,
      controllerNames: s.controllerNames,
      debounceMs: s.debounceMs,
      maxWaitMs: s.maxDebounceMs,
      logger: loggerOf(ctx, "source"),
    });
  },
  statusSink: (ctx) => new KubeStatusSink(clientOf(ctx), { controllerNames: settingsOf(ctx).controllerNames }),
  leaderElector: (ctx) => {
    const s = settingsOf(ctx);
    const log = loggerOf(ctx, "leader");
    return new LeaseElector(clientOf(ctx), {
      name: s.leaseName,
      namespace: s.leaseNamespace,
      identity: s.identity,
      leaseDurationMs: s.leaseDurationMs,
      renewDeadlineMs: s.renewDeadlineMs,
      retryPeriodMs: s.retryPeriodMs,
      clock: ctx.get<Clock>(OPERATOR_TOKENS.Clock),
      onError: (e) => log.warn({ err: e instanceof Error ? e.message : String(e) }, "lease attempt failed"),
    });
  },
  eventRecorder: (ctx): EventRecorder => {
    const log = loggerOf(ctx, "events");
    return new KubeEventRecorder(clientOf(ctx), {
      instance: settingsOf(ctx).identity,
      clock: ctx.get<Clock>(OPERATOR_TOKENS.Clock),
      onError: (e) => log.warn({ err: e instanceof Error ? e.message : String(e) }, "recording an Event failed"),
    });
  },
  finalizers: (ctx) => new FinalizerAdapter(new KubeFinalizers(clientOf(ctx))),
  annotations: (ctx): AnnotationWriter => {
    const kube = new Annotations(clientOf(ctx));
    return { set: async (ref, annotations) => { await kube.set(ref, annotations); } };
  },
  exposer: (ctx, controllerName, retry): Exposer => {
    const s = settingsOf(ctx);
    const source = ctx.get<Source>(OPERATOR_TOKENS.Source);
    const elector = ctx.get<LeaderElector>(OPERATOR_TOKENS.LeaderElector);
    const services = new GatewayServices(clientOf(ctx), {
      controllerName,
      selector: s.proxyPodSelector,
      podNamespace: s.proxyPodNamespace,
      isLeader: () => elector.isLeader(),
      gatewayUid: gatewayUids(source),
      namespaces: s.watchNamespaces,
      logger: loggerOf(ctx, "gateway-services"),
      retry,
    });
    ctx.get<Cleanup>(RUN_TOKENS.Cleanup).add(() => services.close());
    return services;
  },
};

/** Gateway uids from the watch cache (one index per snapshot list). */
function gatewayUids(source: Source): (namespace: string, name: string) => string | undefined {
  let list: readonly Meta[] | undefined;
  let index = new Map<string, string>();
  return (namespace, name) => {
    const gateways = source.snapshot().Gateway as readonly Meta[];
    if (gateways !== list) {
      list = gateways;
      index = new Map(gateways.flatMap((g) => (g.metadata?.uid ? [[keyOf(g), g.metadata.uid] as [string, string]] : [])));
    }
    return index.get(`${namespace}/${name}`);
  };
}

/** The reconciler's Finalizers port over the merge-patch helpers. */
class FinalizerAdapter implements Finalizers {
  readonly name = FINALIZER;
  constructor(private readonly kube: KubeFinalizers) {}
  async add(ref: ObjectRef): Promise<void> { await this.kube.ensureFinalizer(ref, this.name); }
  async remove(ref: ObjectRef): Promise<void> { await this.kube.removeFinalizer(ref, this.name); }
}
