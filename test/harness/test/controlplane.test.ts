// Against a real etcd + kube-apiserver: the basics every operator test relies on.
import { readFileSync } from "node:fs";
import { request } from "node:https";
import test from "ava";
import { ApiException, ApiextensionsV1Api, CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { startControlPlane, type ControlPlane } from "../src/index.js";

let cp: ControlPlane;

test.before(async (t) => {
  const t0 = Date.now();
  cp = await startControlPlane();
  t.log(`control plane (kubernetes ${cp.versions.kubernetes}, etcd ${cp.versions.etcd}) up in ${Date.now() - t0} ms`);
});

test.after.always(async () => {
  await cp?.stop();
});

const httpRoute = (name: string, path: { type: string; value: string }) => ({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "HTTPRoute",
  metadata: { name },
  spec: {
    parentRefs: [{ name: "gw" }],
    rules: [{ matches: [{ path }], backendRefs: [{ name: "svc", port: 80 }] }],
  },
});

test("lists the system namespaces", async (t) => {
  const list = await cp.kubeConfig.makeApiClient(CoreV1Api).listNamespace();
  const names = list.items.map((n) => n.metadata?.name);
  t.true(names.includes("default"));
  t.true(names.includes("kube-system"));
});

test("newNamespace creates a unique namespace on the server", async (t) => {
  const [a, b] = await Promise.all([cp.newNamespace("My_Test"), cp.newNamespace("My_Test")]);
  t.regex(a, /^my-test-[a-z0-9]+$/);
  t.not(a, b);
  const ns = await cp.kubeConfig.makeApiClient(CoreV1Api).readNamespace({ name: a });
  t.is(ns.status?.phase, "Active");
});

test("the server reports the pinned Kubernetes version", async (t) => {
  const res = await get("/version", cp.token);
  t.is(JSON.parse(res.body).gitVersion, cp.versions.kubernetes);
});

test("Gateway API experimental CRDs are installed and established", async (t) => {
  const list = await cp.kubeConfig.makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition();
  const established = new Map<string, string>();
  for (const crd of list.items) {
    const ok = crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True");
    if (ok) established.set(crd.spec.names.kind, crd.spec.group);
  }
  for (const kind of ["GatewayClass", "Gateway", "HTTPRoute", "GRPCRoute", "ReferenceGrant", "BackendTLSPolicy", "TLSRoute", "TCPRoute", "UDPRoute", "ListenerSet"]) {
    t.is(established.get(kind), "gateway.networking.k8s.io", kind);
  }
  const channel = list.items.find((c) => c.spec.names.kind === "HTTPRoute")?.metadata?.annotations?.["gateway.networking.k8s.io/channel"];
  t.is(channel, "experimental");
  t.deepEqual([...cp.crds].sort(), list.items.map((c) => c.metadata!.name!).filter((n) => n.includes("gateway.networking")).sort());
});

test("a valid HTTPRoute is stored", async (t) => {
  const namespace = await cp.newNamespace("valid-route");
  const api = cp.kubeConfig.makeApiClient(CustomObjectsApi);
  const created = await api.createNamespacedCustomObject({
    group: "gateway.networking.k8s.io", version: "v1", namespace, plural: "httproutes",
    body: httpRoute("ok", { type: "PathPrefix", value: "/api" }),
  });
  t.truthy(created.metadata.uid);
  // Defaults from the CRD schema are applied by the server.
  t.is(created.spec.rules[0].backendRefs[0].weight, 1);
});

test("CEL validation rejects a PathPrefix match not starting with /", async (t) => {
  const namespace = await cp.newNamespace("cel");
  const api = cp.kubeConfig.makeApiClient(CustomObjectsApi);
  const err = await t.throwsAsync(
    api.createNamespacedCustomObject({
      group: "gateway.networking.k8s.io", version: "v1", namespace, plural: "httproutes",
      body: httpRoute("bad", { type: "PathPrefix", value: "api" }),
    }),
  );
  t.true(err instanceof ApiException);
  const e = err as ApiException<unknown>;
  t.is(e.code, 422);
  const body = typeof e.body === "string" ? JSON.parse(e.body) : e.body;
  t.is(body.reason, "Invalid");
  t.regex(JSON.stringify(body.details?.causes ?? body.message), /must be an absolute path and start with '\/'/);
  // Nothing was stored.
  const list = await api.listNamespacedCustomObject({ group: "gateway.networking.k8s.io", version: "v1", namespace, plural: "httproutes" });
  t.is(list.items.length, 0);
});

test("authentication and RBAC are enforced", async (t) => {
  // A token nobody issued is unauthenticated; the admin's token is in system:masters.
  t.is((await get("/api/v1/namespaces", "not-a-token")).status, 401);
  t.is((await get("/api/v1/namespaces", cp.token)).status, 200);
  // A service account token, signed with the harness's key, authenticates but has no roles.
  const namespace = await cp.newNamespace("rbac");
  const core = cp.kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: "robot" } } });
  const tr = await core.createNamespacedServiceAccountToken({ namespace, name: "robot", body: { spec: { audiences: [] } } });
  const saToken = tr.status?.token ?? "";
  t.not(saToken, "");
  t.is((await get("/api/v1/namespaces", saToken)).status, 403);
  const review = JSON.parse((await get("/apis/authentication.k8s.io/v1", saToken)).body);
  t.is(review.groupVersion, "authentication.k8s.io/v1");
});

/** A plain HTTPS GET with a bearer token. */
function get(path: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(cp.server + path, { ca: readFileSync(cp.caPath), headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d)).on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}
