// The Kubernetes implementations of the ports (operator/src/kube/*), wired from Settings.
import type { KubeBindings } from "./container.js";

const notYet = (what: string) => (): never => {
  throw new Error(`${what} is not available yet in this build`);
};

export const kubeBindings: KubeBindings = {
  source: notYet("KubeSource"),
  statusSink: notYet("KubeStatusSink"),
  leaderElector: notYet("LeaseElector"),
  eventRecorder: notYet("KubeEventRecorder"),
  finalizers: () => undefined,
};
