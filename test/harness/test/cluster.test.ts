// The cluster without containers: pods of real Deployments run as processes in their own
// network namespaces, reachable from the host, with logs, volumes, probes, restarts and
// deletion as a kubelet does them.
import { existsSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { request as httpsRequest } from "node:https";
import test from "ava";
import { AppsV1Api, CoreV1Api, DiscoveryV1Api, type V1Container, type V1Pod } from "@kubernetes/client-node";
import { startCluster, type Cluster } from "../src/index.js";

let cluster: Cluster;

test.before(async (t) => {
  const t0 = Date.now();
  // gh-shell: the host's /bin/sh as an image, for processes that echo-basic cannot play.
  cluster = await startCluster({ nodes: 2, restartBackoffMs: 500, kubeletArgs: ["--image=gh-shell=/bin/sh"] });
  t.log(`cluster up in ${Date.now() - t0} ms: ${cluster.nodes.map((n) => `${n.name} ${n.ip} pods ${n.podCIDR}`).join("; ")}`);
});

test.after.always(async () => {
  await cluster?.stop();
});

const ECHO = "registry.k8s.io/gateway-api/echo-basic:v1.5.1";
const fieldEnv = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });

async function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}${last ? ` (last error: ${String(last)})` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const isReady = (p: V1Pod) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

async function readyPods(namespace: string, selector: string, n: number): Promise<V1Pod[]> {
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  return eventually(`${n} ready pods ${selector} in ${namespace}`, async () => {
    const l = await core.listNamespacedPod({ namespace, labelSelector: selector });
    const ready = l.items.filter(isReady);
    return ready.length === n ? ready : undefined;
  });
}

async function onePod(namespace: string, spec: { containers: V1Container[]; volumes?: unknown[] }, name = "p"): Promise<V1Pod> {
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  return core.createNamespacedPod({ namespace, body: { metadata: { name, labels: { pod: name } }, spec: spec as V1Pod["spec"] } as V1Pod });
}

test("a Deployment of echo-basic and its Service: Ready pods on pod IPs answering HTTP from the host, endpoints, logs", async (t) => {
  const namespace = await cluster.newNamespace("echo");
  const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  const labels = { app: "echo" };
  await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: "echo" },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [{
              name: "echo",
              image: ECHO,
              env: [fieldEnv("POD_NAME", "metadata.name"), fieldEnv("NAMESPACE", "metadata.namespace"), fieldEnv("POD_IP", "status.podIP")],
              readinessProbe: { httpGet: { path: "/health", port: 3000 }, periodSeconds: 1 },
            }],
          },
        },
      },
    },
  });
  await core.createNamespacedService({ namespace, body: { metadata: { name: "echo" }, spec: { selector: labels, ports: [{ port: 8080, targetPort: 3000 }] } } });
  const pods = await readyPods(namespace, "app=echo", 2);
  for (const pod of pods) {
    const ip = pod.status!.podIP!;
    const node = cluster.nodes.find((n) => n.name === pod.spec?.nodeName)!;
    const cidrBase = node.podCIDR.split(".0/")[0]!;
    t.true(ip.startsWith(`${cidrBase}.`), `${ip} in ${node.podCIDR}`);
    t.is(pod.status?.hostIP, node.ip);
    t.is(pod.status?.phase, "Running");
    const cs = pod.status?.containerStatuses?.[0];
    t.true(cs?.ready);
    t.truthy(cs?.state?.running?.startedAt);
    for (const type of ["PodScheduled", "Initialized", "ContainersReady", "Ready"]) {
      t.is(pod.status?.conditions?.find((c) => c.type === type)?.status, "True", type);
    }
    const res = await fetch(`http://${ip}:3000/some/path?x=1`);
    t.is(res.status, 200);
    const body = (await res.json()) as { path: string; pod: string; namespace: string };
    t.is(body.path, "/some/path?x=1");
    t.is(body.pod, pod.metadata!.name!);
    t.is(body.namespace, namespace);
  }
  const slices = await eventually("ready endpoints", async () => {
    const l = await cluster.kubeConfig.makeApiClient(DiscoveryV1Api).listNamespacedEndpointSlice({ namespace, labelSelector: "kubernetes.io/service-name=echo" });
    const ready = l.items.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready)).flatMap((e) => e.addresses);
    return ready.length === 2 ? ready.sort() : undefined;
  });
  t.deepEqual(slices, pods.map((p) => p.status!.podIP!).sort());
  // Pod to pod, across nodes when the scheduler spread them: from one pod's namespace.
  const [a, b] = pods as [V1Pod, V1Pod];
  t.log(`pods on ${a.spec?.nodeName} and ${b.spec?.nodeName}`);
  const fromPod = execFileSync("ip", ["netns", "exec", cluster.podNetns(a)!, process.execPath, "-e",
    `fetch("http://${b.status!.podIP}:3000/from-pod").then(async (r) => console.log(r.status, (await r.json()).pod))`]).toString().trim();
  t.is(fromPod, `200 ${b.metadata!.name}`);
  // The pod log subresource: kube-apiserver -> this node's kubelet port.
  const pod = pods[0]!;
  const logs = await eventually("the request in the log", async () => {
    const l = await core.readNamespacedPodLog({ namespace, name: pod.metadata!.name!, container: "echo" });
    return l.includes("Echoing back request made to /some/path") ? l : undefined;
  });
  t.regex(logs, /Starting server, listening on port 3000 \(http\)/);
  const withTs = await core.readNamespacedPodLog({ namespace, name: pod.metadata!.name!, container: "echo", timestamps: true, tailLines: 1 });
  t.regex(withTs, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z Echoing back request made to \/some\/path/);
  t.is(withTs.trim().split("\n").length, 1);
});

test("env from fieldRef, Secret volume at a path the host lacks (TLS backend), ConfigMap volume seen by an exec probe", async (t) => {
  const namespace = await cluster.newNamespace("volumes");
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  const dir = execFileSync("mktemp", ["-d"]).toString().trim();
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=backend.example",
    "-addext", "subjectAltName=DNS:backend.example", "-keyout", `${dir}/key`, "-out", `${dir}/crt`], { stdio: "ignore" });
  const crt = readFileSync(`${dir}/crt`);
  const key = readFileSync(`${dir}/key`);
  execFileSync("rm", ["-rf", dir]);
  await core.createNamespacedSecret({ namespace, body: { metadata: { name: "tls" }, type: "kubernetes.io/tls", data: { "tls.crt": crt.toString("base64"), "tls.key": key.toString("base64") } } });
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: "cfg" }, data: { greeting: "hello from a configmap" } } });
  t.false(existsSync("/etc/secret-volume"), "the host has no /etc/secret-volume (the pod's mount namespace makes it)");
  await onePod(namespace, {
    containers: [{
      name: "tls",
      image: ECHO,
      env: [
        fieldEnv("POD_NAME", "metadata.name"),
        fieldEnv("NAMESPACE", "metadata.namespace"),
        { name: "TLS_SERVER_CERT", value: "/etc/secret-volume/crt" },
        { name: "TLS_SERVER_PRIVKEY", value: "/etc/secret-volume/key" },
      ],
      volumeMounts: [{ name: "secret-volume", mountPath: "/etc/secret-volume" }, { name: "cfg", mountPath: "/etc/gh-config" }],
      readinessProbe: { exec: { command: ["/bin/sh", "-c", "grep -q 'hello from a configmap' /etc/gh-config/greeting && test -s /etc/secret-volume/crt"] }, periodSeconds: 1 },
    }],
    volumes: [
      { name: "secret-volume", secret: { secretName: "tls", items: [{ key: "tls.crt", path: "crt" }, { key: "tls.key", path: "key" }] } },
      { name: "cfg", configMap: { name: "cfg" } },
    ],
  });
  const [pod] = await readyPods(namespace, "pod=p", 1).catch(async (e) => {
    const p = await core.readNamespacedPod({ namespace, name: "p" });
    throw new Error(`${String(e)}: ${JSON.stringify(p.status)}`);
  });
  t.false(existsSync("/etc/secret-volume"), "nothing leaked to the host");
  const body = await new Promise<string>((resolve, reject) => {
    const req = httpsRequest({ host: pod!.status!.podIP!, port: 8443, path: "/tls", servername: "backend.example", ca: crt }, (res) => {
      let b = "";
      res.setEncoding("utf8").on("data", (d: string) => (b += d)).on("end", () => resolve(b));
    });
    req.on("error", reject);
    req.end();
  });
  const echo = JSON.parse(body) as { pod: string; namespace: string; tls?: { serverName: string } };
  t.is(echo.pod, "p");
  t.is(echo.namespace, namespace);
  t.is(echo.tls?.serverName, "backend.example");
});

test("an image with no program: the container waits with ErrImageNeverPull naming the image, the pod stays Pending", async (t) => {
  const namespace = await cluster.newNamespace("unknown-image");
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  await onePod(namespace, { containers: [{ name: "web", image: "docker.io/library/nginx:1.27" }] });
  const waiting = await eventually("waiting reason", async () => {
    const p = await core.readNamespacedPod({ namespace, name: "p" });
    return p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "ErrImageNeverPull" ? p : undefined;
  });
  t.is(waiting.status?.phase, "Pending");
  t.regex(waiting.status!.containerStatuses![0]!.state!.waiting!.message!, /image "docker\.io\/library\/nginx:1\.27" has no program/);
  t.false(isReady(waiting));
});

test("a failing container is restarted with back-off; the previous instance's log and exit code are kept", async (t) => {
  const namespace = await cluster.newNamespace("restart");
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  // echo-basic panics when it cannot listen: a crash loop.
  await onePod(namespace, { containers: [{ name: "crash", image: ECHO, env: [{ name: "HTTP_PORT", value: "not-a-port" }] }] });
  const pod = await eventually("two restarts", async () => {
    const p = await core.readNamespacedPod({ namespace, name: "p" });
    return (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2 ? p : undefined;
  });
  const cs = pod.status!.containerStatuses![0]!;
  t.is(cs.lastState?.terminated?.exitCode, 2);
  t.is(cs.lastState?.terminated?.reason, "Error");
  t.is(pod.status?.phase, "Running");
  const previous = await core.readNamespacedPodLog({ namespace, name: "p", container: "crash", previous: true });
  t.regex(previous, /Failed to start listening/);
});

test("deletion stops the processes, removes the network namespace and veth, then the pod object", async (t) => {
  const namespace = await cluster.newNamespace("delete");
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  await onePod(namespace, { containers: [{ name: "echo", image: ECHO, readinessProbe: { tcpSocket: { port: 3000 }, periodSeconds: 1 } }] });
  const [pod] = await readyPods(namespace, "pod=p", 1);
  const netns = cluster.podNetns(pod!)!;
  t.true(existsSync(`/run/netns/${netns}`));
  const ip = pod!.status!.podIP!;
  t.is((await fetch(`http://${ip}:3000/`)).status, 200);
  await core.deleteNamespacedPod({ namespace, name: "p" });
  await eventually("pod object gone", async () => {
    const l = await core.listNamespacedPod({ namespace });
    return l.items.length === 0;
  });
  t.false(existsSync(`/run/netns/${netns}`), "network namespace removed");
  // Other tests' pods share the bridge: none of its ports may lead into this pod's namespace.
  const links = execFileSync("ip", ["-o", "link", "show", "master", cluster.network.bridge]).toString();
  t.false(links.includes(netns), "no veth left on the bridge");
  await t.throwsAsync(fetch(`http://${ip}:3000/`, { signal: AbortSignal.timeout(2_000) }));
});

test("the kubelet port serves logs only to clients with a certificate of the cluster CA", async (t) => {
  const node = cluster.nodes[0]!;
  const port = (await cluster.kubeConfig.makeApiClient(CoreV1Api).readNode({ name: node.name })).status!.daemonEndpoints!.kubeletEndpoint!.Port;
  const ca = readFileSync(cluster.caPath);
  const status = await new Promise<number | string>((resolve) => {
    const req = httpsRequest({ host: node.ip, port, path: "/containerLogs/default/x/y", ca }, (res) => resolve(res.statusCode ?? 0));
    req.on("error", (e) => resolve(e.message));
    req.end();
  });
  t.not(status, 200);
});

test("deletion honours the grace period: SIGTERM first, SIGKILL when it runs out", async (t) => {
  const namespace = await cluster.newNamespace("grace");
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  // A shell that survives SIGTERM (its sleeps die, it says so and goes on).
  await onePod(namespace, {
    containers: [{ name: "stubborn", image: "gh-shell", command: ["sh", "-c", "trap 'echo got TERM' TERM; echo up; while true; do sleep 0.2; done"] }],
  });
  await eventually("running", async () => (await core.readNamespacedPodLog({ namespace, name: "p", container: "stubborn" })).includes("up"));
  await core.deleteNamespacedPod({ namespace, name: "p", gracePeriodSeconds: 3 });
  const log = await eventually("SIGTERM seen while the pod still exists", async () => {
    const l = await core.readNamespacedPodLog({ namespace, name: "p", container: "stubborn" });
    return l.includes("got TERM") ? l : undefined;
  });
  t.regex(log, /got TERM/);
  await eventually("pod object gone after SIGKILL", async () => (await core.listNamespacedPod({ namespace })).items.length === 0);
});

test("restartPolicy Never: a container that exits 0 makes the pod Succeeded, non-zero Failed", async (t) => {
  const namespace = await cluster.newNamespace("phase");
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  for (const [name, code] of [["ok", 0], ["bad", 3]] as const) {
    await core.createNamespacedPod({
      namespace,
      body: { metadata: { name }, spec: { restartPolicy: "Never", containers: [{ name: "c", image: "gh-shell", command: ["sh", "-c", `echo bye; exit ${code}`] }] } },
    });
  }
  const phase = (name: string, want: string) =>
    eventually(`${name} ${want}`, async () => {
      const p = await core.readNamespacedPod({ namespace, name });
      return p.status?.phase === want ? p : undefined;
    });
  const ok = await phase("ok", "Succeeded");
  t.is(ok.status?.containerStatuses?.[0]?.state?.terminated?.reason, "Completed");
  t.is(ok.status?.containerStatuses?.[0]?.restartCount, 0);
  const bad = await phase("bad", "Failed");
  t.is(bad.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 3);
  t.is(await core.readNamespacedPodLog({ namespace, name: "ok", container: "c" }), "bye\n");
});
