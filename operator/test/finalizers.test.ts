// Finalizers against a real kube-apiserver: add/remove round trip, a concurrent change of the
// list (409, retried, nothing lost), and the deletion flow the reconciler relies on.
import test from "ava";
import { useControlPlane } from "./kube-suite.js";
import { GATEWAY_RESOURCES, KubeClient, apiVersionOf, resourcePath, type KubeRequest, type KubeResponse } from "../src/kube/client.js";
import { FINALIZER, Finalizers, hasFinalizer, isDeleting } from "../src/kube/finalizers/index.js";

const env = useControlPlane();

type Obj = Record<string, any>;
const GW = GATEWAY_RESOURCES.Gateway;

async function gateway(namespace: string, name = "gw"): Promise<void> {
  const r = await env.kube.post(resourcePath(GW, { namespace }), {
    apiVersion: apiVersionOf(GW), kind: "Gateway", metadata: { name },
    spec: { gatewayClassName: "x", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
  });
  if (r.status !== 201) throw new Error(`create: ${r.status}`);
}
async function read(namespace: string, name = "gw"): Promise<Obj | undefined> {
  const r = await env.kube.get<Obj>(resourcePath(GW, { namespace, name }));
  return r.status === 404 ? undefined : r.body;
}

test("add and remove round trip; both idempotent", async (t) => {
  const ns = await env.cp.newNamespace("fin");
  await gateway(ns);
  const f = new Finalizers(env.kube);
  const ref = { kind: "Gateway", namespace: ns, name: "gw" };
  t.is(await f.ensureFinalizer(ref), "added");
  t.deepEqual((await read(ns))!.metadata.finalizers, [FINALIZER]);
  const rv = (await read(ns))!.metadata.resourceVersion;
  t.is(await f.ensureFinalizer(ref), "present");
  t.is((await read(ns))!.metadata.resourceVersion, rv, "no write when present");
  t.is(await f.removeFinalizer(ref), "removed");
  t.is((await read(ns))!.metadata.finalizers, undefined);
  t.is(await f.removeFinalizer(ref), "absent");
  t.is(await f.removeFinalizer({ ...ref, name: "nope" }), "gone");
  t.is(await f.ensureFinalizer({ ...ref, name: "nope" }), "gone");
});

/** A client whose first PATCH is preceded by another writer adding its own finalizer. */
class Racing extends KubeClient {
  raced = 0;
  override async patch<T>(path: string, body: unknown, req?: KubeRequest): Promise<KubeResponse<T>> {
    if (this.raced++ === 0) {
      const cur = await env.kube.get<Obj>(path);
      const r = await env.kube.patch(path, { metadata: { finalizers: [...(cur.body.metadata.finalizers ?? []), "other.io/keep"] } });
      if (r.status !== 200) throw new Error(`race: ${r.status}`);
    }
    return super.patch<T>(path, body, req);
  }
}

test("a concurrent change of the finalizer list is a 409, retried; the other finalizer is kept", async (t) => {
  const ns = await env.cp.newNamespace("fin-race");
  await gateway(ns);
  const racing = new Racing(env.cp.kubeConfig);
  t.teardown(() => racing.close());
  const f = new Finalizers(racing);
  t.is(await f.ensureFinalizer({ kind: "Gateway", namespace: ns, name: "gw" }), "added");
  t.is(racing.raced, 2, "one conflicting PATCH, one that went through");
  t.deepEqual((await read(ns))!.metadata.finalizers, ["other.io/keep", FINALIZER]);
});

test("deletion: the object stays while our finalizer is on it; removing it lets it go", async (t) => {
  const ns = await env.cp.newNamespace("fin-delete");
  await gateway(ns);
  const f = new Finalizers(env.kube);
  const ref = { kind: "Gateway", namespace: ns, name: "gw" };
  t.is(await f.ensureFinalizer(ref), "added");
  t.is((await env.kube.delete(resourcePath(GW, { namespace: ns, name: "gw" }))).status, 200);
  const deleting = (await read(ns))!;
  t.true(isDeleting(deleting));
  t.true(hasFinalizer(deleting));
  t.is(await f.ensureFinalizer(ref), "present");
  t.is(await f.ensureFinalizer(ref, "gatehouse.dev/another"), "deleting", "no new finalizer on a deleting object");
  t.is(await f.removeFinalizer(ref), "removed");
  t.is(await read(ns), undefined, "gone once the last finalizer is removed");
  t.false(isDeleting({ metadata: {} }));
  t.false(isDeleting(null));
  t.false(hasFinalizer({ metadata: { finalizers: "x" } }));
});
