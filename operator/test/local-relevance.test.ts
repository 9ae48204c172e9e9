// Watch events of the local backend's Gateway Services and LocalProxyConfigs wake a reconcile.
import test from "ava";
import { gatewayServiceChanged } from "../src/kube/source/relevance.js";
import { SERVICE_LABEL } from "../src/kube/gateway-services/index.js";
import { WATCHED_KINDS } from "../src/kube/source/index.js";

const svc = (over: { labels?: object; status?: object; spec?: object; rv?: string } = {}) => ({
  kind: "Service",
  metadata: { name: "gatehouse-web", namespace: "n", resourceVersion: over.rv ?? "1", labels: over.labels ?? { [SERVICE_LABEL]: "true" } },
  spec: over.spec ?? { type: "LoadBalancer" },
  status: over.status ?? { loadBalancer: {} },
});

test("our Gateway Service: a status change (a load balancer address) wakes a reconcile", (t) => {
  t.true(gatewayServiceChanged(svc(), svc({ rv: "2", status: { loadBalancer: { ingress: [{ ip: "203.0.113.7" }] } } })));
});

test("our Gateway Service: created, deleted, spec or labels edited wake one; a same-content event does not", (t) => {
  t.true(gatewayServiceChanged(undefined, svc()));
  t.true(gatewayServiceChanged(svc(), undefined));
  t.true(gatewayServiceChanged(svc(), svc({ rv: "2", spec: { type: "ClusterIP" } })));
  t.true(gatewayServiceChanged(svc(), svc({ rv: "2", labels: { [SERVICE_LABEL]: "true", x: "y" } })));
  t.false(gatewayServiceChanged(svc(), svc({ rv: "2" })));
});

test("other Services are left to the backend-reference rules (undefined)", (t) => {
  t.is(gatewayServiceChanged(svc({ labels: {} }), svc({ labels: {}, rv: "2", status: { x: 1 } })), undefined);
  t.is(gatewayServiceChanged(undefined, svc({ labels: { [SERVICE_LABEL]: "false" } })), undefined);
});

test("LocalProxyConfig is watched at gatehouse.dev/v1alpha1, namespaced", (t) => {
  const k = WATCHED_KINDS.find((w) => w.kind === "LocalProxyConfig");
  t.like(k, { type: { group: "gatehouse.dev", version: "v1alpha1", resource: "localproxyconfigs" }, versions: ["v1alpha1"], namespaced: true });
});
