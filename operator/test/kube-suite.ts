// One real control plane (and a raw client on it) per test file: started before the
// file's tests, stopped after them.
import test from "ava";
import { startControlPlane, type ControlPlane } from "@gatehouse/test-harness";
import { KubeClient } from "../src/kube/client.js";

export interface KubeSuite { cp: ControlPlane; kube: KubeClient }

export function useControlPlane(): KubeSuite {
  const env = {} as KubeSuite;
  test.before(async () => {
    env.cp = await startControlPlane();
    env.kube = new KubeClient(env.cp.kubeConfig);
  });
  test.after.always(async () => {
    env.kube?.close();
    await env.cp?.stop();
  });
  return env;
}
