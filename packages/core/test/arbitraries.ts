// fast-check generators of plausible Gateway API object sets (for the property tests), and
// a mutator that breaks them the way untrusted JSON can be broken: deleted fields, wrong
// types, nulls, strings where numbers go. Names come from small pools so references
// (parentRefs, backendRefs, certificateRefs, grants, selectors) often resolve and often not.
import fc from "fast-check";

const GW = "gateway.networking.k8s.io/v1";
const NAMESPACES = ["default", "apps", "infra"] as const;
const NAMES = ["a", "b", "c"] as const;
export const CONTROLLERS = ["gatehouse.dev/local", "gatehouse.dev/aws-vpc-lattice", "gatehouse.dev/gcp", "example.com/other"] as const;

/** A real self-signed certificate for example.com and *.example.com (EC P-256, 100 years). */
const CERT_B64 = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJxakNDQVZDZ0F3SUJBZ0lVU24yWlBwcndpU1NhSEZBaitEMWxJaHJ5RytZd0NnWUlLb1pJemowRUF3SXcKRmpFVU1CSUdBMVVFQXd3TFpYaGhiWEJzWlM1amIyMHdJQmNOTWpZeE1USXlNVE14TWpFMVdoZ1BNakV5TmpFdwpNamt4TXpFeU1UVmFNQll4RkRBU0JnTlZCQU1NQzJWNFlXMXdiR1V1WTI5dE1Ga3dFd1lIS29aSXpqMENBUVlJCktvWkl6ajBEQVFjRFFnQUVwbW0yZkJqdGhqZmk0UkxXamFTdGc5THpETUs0S0Z5NDFpcE1tZGUvSlRneDFnc2EKdTdxc1JkcHdwcHh5MzZhRG05N20vTnlIZkpLdTdzQ1RhK2dtWWFONk1IZ3dIUVlEVlIwT0JCWUVGTm5TSVFLSApXRENSeVdwemd4ZTNTb2d3LzVjZ01COEdBMVVkSXdRWU1CYUFGTm5TSVFLSFdEQ1J5V3B6Z3hlM1NvZ3cvNWNnCk1BOEdBMVVkRXdFQi93UUZNQU1CQWY4d0pRWURWUjBSQkI0d0hJSUxaWGhoYlhCc1pTNWpiMjJDRFNvdVpYaGgKYlhCc1pTNWpiMjB3Q2dZSUtvWkl6ajBFQXdJRFNBQXdSUUlnZlM5Q2F0dFQ0My9tOEJ2eVF0K0xad0hqdFJkbwpsMlZLdDd6V29qNm9nYklDSVFEc2VSNGphYWFUSGEzZGdTOWNQVWRUNUJMR3l6MmJVZ3p3TS9NZi9xRGhuQT09Ci0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K";
const KEY_B64 = "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JR0hBZ0VBTUJNR0J5cUdTTTQ5QWdFR0NDcUdTTTQ5QXdFSEJHMHdhd0lCQVFRZ0RGb2JpKzBjSzlOK2RmTjUKdHBxYVJzVDVQajBsYklXcTBCdUpySUpZWlhlaFJBTkNBQVNtYWJaOEdPMkdOK0xoRXRhTnBLMkQwdk1Nd3JnbwpYTGpXS2t5WjE3OGxPREhXQ3hxN3VxeEYybkNtbkhMZnBvT2IzdWI4M0lkOGtxN3V3Sk5yNkNaaAotLS0tLUVORCBQUklWQVRFIEtFWS0tLS0tCg==";

/** Mostly `common`, sometimes one of the rare (usually invalid) values. */
function mostly<T>(common: fc.Arbitrary<T>, ...rare: T[]): fc.Arbitrary<T> {
  return rare.length ? fc.oneof({ arbitrary: common, weight: 6 }, { arbitrary: fc.constantFrom(...rare), weight: 1 }) : common;
}
/** Absent most of the time. */
const rarely = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: a });

// Skewed towards one namespace and one name, so that references resolve often enough for
// routes to attach and reach the desired state, while the rest still exercise the misses.
const ns = fc.oneof({ weight: 4, arbitrary: fc.constant(NAMESPACES[0]) }, { weight: 1, arbitrary: fc.constantFrom(...NAMESPACES) });
const name = fc.oneof({ weight: 4, arbitrary: fc.constant(NAMES[0]) }, { weight: 1, arbitrary: fc.constantFrom(...NAMES) });
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });
const hostname = mostly(fc.constantFrom("example.com", "a.example.com", "*.example.com", "*.a.example.com", "other.org"), "*", "Bad_Host", "");
const port = mostly(fc.constantFrom(80, 443, 8080, 8443, 9000), 0, 70000);
const timestamp = fc.constantFrom("2024-01-01T00:00:00Z", "2024-06-01T00:00:00Z", "2025-01-01T00:00:00Z");

function meta(namespaced: boolean) {
  return fc.record({
    name,
    namespace: namespaced ? ns : fc.constant(undefined),
    generation: fc.integer({ min: 1, max: 5 }),
    creationTimestamp: timestamp,
    labels: opt(fc.dictionary(fc.constantFrom("team", "env"), fc.constantFrom("x", "y"), { maxKeys: 2 })),
  }).map(stripUndefined);
}

const gatewayClass = fc.record({
  apiVersion: fc.constant(GW),
  kind: fc.constant("GatewayClass"),
  metadata: meta(false),
  spec: fc.record({ controllerName: mostly(fc.constantFrom(CONTROLLERS[0], CONTROLLERS[0], CONTROLLERS[1], CONTROLLERS[2]), CONTROLLERS[3]) }),
});

const certificateRef = fc.record({
  name: mostly(fc.constantFrom("tls-a", "tls-b"), "missing"),
  namespace: rarely(ns),
  kind: rarely(mostly(fc.constant("Secret"), "ConfigMap")),
  group: rarely(mostly(fc.constant(""), "v1")),
}).map(stripUndefined);

const allowedRoutes = rarely(fc.record({
  namespaces: opt(mostly(
    fc.oneof(
      fc.record({ from: fc.constantFrom("Same", "All") }),
      fc.record({ from: fc.constant("Selector"), selector: fc.record({ matchLabels: fc.dictionary(fc.constantFrom("team", "env"), fc.constantFrom("x", "y"), { maxKeys: 2 }) }) }),
    ),
    { from: "None" } as { from: string },
  )),
  kinds: rarely(fc.array(fc.record({ group: opt(fc.constant("gateway.networking.k8s.io")), kind: mostly(fc.constantFrom("HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute"), "Service") }).map(stripUndefined), { maxLength: 2 })),
}).map(stripUndefined));

/** Listeners from templates that are valid as a whole, with some odd fields mixed in. */
const listener = fc.oneof(
  { weight: 4, arbitrary: fc.record({ protocol: fc.constant("HTTP"), port: mostly(fc.constantFrom(80, 8080), 443), hostname: rarely(hostname), allowedRoutes }) },
  { weight: 3, arbitrary: fc.record({
    protocol: fc.constant("HTTPS"), port: mostly(fc.constantFrom(443, 8443), 80), hostname: opt(hostname), allowedRoutes,
    tls: fc.record({ mode: rarely(fc.constantFrom("Terminate", "Passthrough", "Other")), certificateRefs: fc.array(certificateRef, { minLength: 1, maxLength: 2 }),
      options: rarely(fc.dictionary(fc.constantFrom("a.io/x", "b.io/y"), fc.constantFrom("1", "2"), { maxKeys: 1 })) }).map(stripUndefined),
  }) },
  { weight: 1, arbitrary: fc.record({ protocol: fc.constant("TLS"), port: fc.constantFrom(443, 8443), hostname: opt(hostname), allowedRoutes, tls: fc.constant({ mode: "Passthrough" }) }) },
  { weight: 1, arbitrary: fc.record({ protocol: fc.constantFrom("TCP", "UDP"), port: fc.constantFrom(9000, 9001), allowedRoutes }) },
  { weight: 1, arbitrary: fc.record({ protocol: fc.constant("FOO"), port }) },
).chain((l) => fc.constantFrom("http", "https", "tls", "tcp", "udp", "l1").map((name) => stripUndefined({ name, ...l })));

const gateway = fc.record({
  apiVersion: fc.constant(GW),
  kind: fc.constant("Gateway"),
  metadata: meta(true),
  spec: fc.record({
    gatewayClassName: name,
    listeners: fc.uniqueArray(listener, { minLength: 1, maxLength: 4, selector: (l) => l.name }),
    addresses: rarely(fc.array(fc.record({ type: fc.constantFrom("IPAddress", "Hostname"), value: fc.constantFrom("10.0.0.1", "lb.example.com") }), { maxLength: 1 })),
  }).map(stripUndefined),
});

const parentRef = fc.record({
  name,
  namespace: opt(ns),
  sectionName: rarely(mostly(fc.constantFrom("http", "https", "tls", "tcp", "udp", "l1"), "nope")),
  port: rarely(port),
  kind: rarely(mostly(fc.constant("Gateway"), "Service")),
}).map(stripUndefined);

const backendRef = fc.record({
  name: mostly(fc.constantFrom("svc-a", "svc-b", "svc-c"), "gone"),
  namespace: rarely(ns),
  port: mostly(fc.constantFrom(80, 9090), 8080, undefined),
  weight: opt(fc.constantFrom(0, 1, 10, 100, 1000)),
  kind: rarely(mostly(fc.constant("Service"), "ServiceImport", "Pod")),
  group: rarely(mostly(fc.constant(""), "multicluster.x-k8s.io")),
}).map(stripUndefined);

const headerMatch = fc.record({
  type: opt(fc.constantFrom("Exact", "RegularExpression")),
  name: fc.constantFrom("x-a", "X-A", "x-b"),
  value: mostly(fc.constantFrom("1", "2", "[a-z]+"), "(("),
}).map(stripUndefined);

const httpMatch = fc.record({
  path: opt(fc.record({ type: fc.constantFrom("Exact", "PathPrefix", "RegularExpression"), value: mostly(fc.constantFrom("/", "/a", "/a/", "/a/b", "/[0-9]+"), "/a//b", "no-slash") })),
  headers: rarely(fc.array(headerMatch, { maxLength: 2 })),
  queryParams: rarely(fc.array(headerMatch, { maxLength: 2 })),
  method: rarely(mostly(fc.constantFrom("GET", "POST"), "get", "BREW")),
}).map(stripUndefined);

const headerMod = fc.record({
  set: opt(fc.array(fc.record({ name: fc.constantFrom("x-a", "x-b"), value: fc.constantFrom("1", "2") }), { maxLength: 2 })),
  add: opt(fc.array(fc.record({ name: fc.constantFrom("x-a", "x-c"), value: fc.constantFrom("1", "2") }), { maxLength: 2 })),
  remove: opt(fc.array(fc.constantFrom("x-a", "x-d"), { maxLength: 2 })),
}).map(stripUndefined);

const pathMod = fc.oneof(
  fc.record({ type: fc.constant("ReplaceFullPath"), replaceFullPath: fc.constantFrom("/x", "/") }),
  fc.record({ type: fc.constant("ReplacePrefixMatch"), replacePrefixMatch: fc.constantFrom("/x", "/") }),
);

const httpFilter = fc.oneof(
  fc.record({ type: fc.constant("RequestHeaderModifier"), requestHeaderModifier: headerMod }),
  fc.record({ type: fc.constant("ResponseHeaderModifier"), responseHeaderModifier: headerMod }),
  fc.record({ type: fc.constant("RequestRedirect"), requestRedirect: fc.record({
    scheme: opt(fc.constantFrom("http", "https", "ftp")), hostname: opt(hostname), port: opt(port),
    path: opt(pathMod), statusCode: opt(fc.constantFrom(301, 302, 305)),
  }).map(stripUndefined) }),
  fc.record({ type: fc.constant("URLRewrite"), urlRewrite: fc.record({ hostname: opt(hostname), path: opt(pathMod) }).map(stripUndefined) }),
  fc.record({ type: fc.constant("RequestMirror"), requestMirror: fc.record({ backendRef, percent: opt(fc.constantFrom(0, 50, 100, 150)) }).map(stripUndefined) }),
  fc.record({ type: fc.constant("CORS"), cors: fc.record({ allowOrigins: opt(fc.array(fc.constantFrom("https://a.example.com", "*"), { maxLength: 2 })), allowCredentials: opt(fc.boolean()), maxAge: opt(fc.constantFrom(0, 60)) }).map(stripUndefined) }),
  fc.record({ type: fc.constant("ExtensionRef"), extensionRef: fc.record({ group: fc.constant("x.io"), kind: fc.constant("Thing"), name }) }),
);

const httpRule = fc.record({
  name: opt(fc.constantFrom("r1", "r2")),
  matches: opt(fc.array(httpMatch, { maxLength: 3 })),
  filters: rarely(fc.array(httpFilter, { maxLength: 3 })),
  backendRefs: mostly(fc.array(backendRef, { minLength: 1, maxLength: 3 }), undefined, []),
  timeouts: rarely(fc.record({ request: opt(fc.constantFrom("10s", "1m", "bogus")), backendRequest: opt(fc.constantFrom("5s", "20s")) }).map(stripUndefined)),
  retry: rarely(fc.record({ attempts: opt(fc.constantFrom(0, 3)), codes: opt(fc.array(fc.constantFrom(500, 503, 99), { maxLength: 2 })), backoff: opt(fc.constantFrom("100ms", "x")) }).map(stripUndefined)),
  sessionPersistence: rarely(fc.record({ type: opt(fc.constantFrom("Cookie", "Header")), sessionName: opt(fc.constantFrom("s")) }).map(stripUndefined)),
}).map(stripUndefined);

const httpRoute = fc.record({
  apiVersion: fc.constant(GW),
  kind: fc.constant("HTTPRoute"),
  metadata: meta(true),
  spec: fc.record({
    parentRefs: fc.array(parentRef, { minLength: 1, maxLength: 3 }),
    hostnames: opt(fc.array(hostname, { maxLength: 2 })),
    rules: mostly(fc.array(httpRule, { minLength: 1, maxLength: 3 }), undefined),
  }).map(stripUndefined),
});

const grpcRoute = fc.record({
  apiVersion: fc.constant(GW),
  kind: fc.constant("GRPCRoute"),
  metadata: meta(true),
  spec: fc.record({
    parentRefs: fc.array(parentRef, { maxLength: 2 }),
    hostnames: opt(fc.array(hostname, { maxLength: 2 })),
    rules: opt(fc.array(fc.record({
      matches: opt(fc.array(fc.record({
        method: opt(fc.record({ type: opt(fc.constantFrom("Exact", "RegularExpression")), service: opt(fc.constantFrom("pkg.Svc", "a.B")), method: opt(fc.constantFrom("Get", "List")) }).map(stripUndefined)),
        headers: opt(fc.array(headerMatch, { maxLength: 1 })),
      }).map(stripUndefined), { maxLength: 2 })),
      filters: opt(fc.array(httpFilter, { maxLength: 1 })),
      backendRefs: opt(fc.array(backendRef, { maxLength: 2 })),
    }).map(stripUndefined), { maxLength: 2 })),
  }).map(stripUndefined),
});

function l4Route(kind: "TCPRoute" | "TLSRoute" | "UDPRoute") {
  return fc.record({
    apiVersion: fc.constant(kind === "TLSRoute" ? GW : "gateway.networking.k8s.io/v1alpha2"),
    kind: fc.constant(kind),
    metadata: meta(true),
    spec: fc.record({
      parentRefs: fc.array(parentRef, { maxLength: 2 }),
      hostnames: kind === "TLSRoute" ? opt(fc.array(hostname, { maxLength: 2 })) : fc.constant(undefined),
      rules: fc.array(fc.record({ backendRefs: fc.array(backendRef, { maxLength: 2 }) }), { maxLength: 2 }),
    }).map(stripUndefined),
  });
}

const servicePort = fc.record({
  name: mostly(fc.constantFrom("http", "grpc"), "tcp", undefined),
  port: fc.constantFrom(80, 9090),
  targetPort: opt(fc.constantFrom(8080, "http")),
  protocol: rarely(mostly(fc.constant("TCP"), "UDP")),
  appProtocol: rarely(fc.constantFrom("http", "kubernetes.io/h2c", "kubernetes.io/ws", "kubernetes.io/wss", "https", "grpc")),
}).map(stripUndefined);

const service = fc.record({
  apiVersion: fc.constant("v1"),
  kind: fc.constant("Service"),
  metadata: fc.record({ name: fc.constantFrom("svc-a", "svc-b", "svc-c"), namespace: ns }),
  spec: fc.record({
    ports: fc.oneof(
      { weight: 3, arbitrary: fc.constant([{ name: "http", port: 80, targetPort: 8080 }, { name: "grpc", port: 9090, appProtocol: "kubernetes.io/h2c" }]) },
      { weight: 1, arbitrary: fc.array(servicePort, { minLength: 1, maxLength: 2 }) },
    ),
  }),
});

const slicePorts = fc.oneof(
  { weight: 3, arbitrary: fc.constant([{ name: "http", port: 8080, protocol: "TCP" }, { name: "grpc", port: 9090, protocol: "TCP" }]) },
  { weight: 1, arbitrary: fc.array(fc.record({ name: mostly(fc.constantFrom("http", "grpc"), "", undefined), port: fc.constantFrom(8080, 9090), protocol: opt(fc.constant("TCP")) }).map(stripUndefined), { minLength: 1, maxLength: 2 }) },
);

const endpointSlice = fc.record({
  apiVersion: fc.constant("discovery.k8s.io/v1"),
  kind: fc.constant("EndpointSlice"),
  metadata: fc.record({
    name: fc.constantFrom("es-1", "es-2", "es-3"),
    namespace: ns,
    labels: fc.record({ "kubernetes.io/service-name": fc.constantFrom("svc-a", "svc-b", "svc-c") }),
  }),
  addressType: mostly(fc.constant("IPv4"), "IPv6", "FQDN"),
  ports: slicePorts,
  endpoints: fc.array(fc.record({
    addresses: fc.array(mostly(fc.constantFrom("10.0.0.1", "10.0.0.2"), "fd00::1", "db.example.com"), { minLength: 1, maxLength: 2 }),
    conditions: opt(fc.record({ ready: opt(fc.boolean()), serving: opt(fc.boolean()), terminating: opt(fc.boolean()) }).map(stripUndefined)),
    zone: opt(fc.constantFrom("z1", "z2")),
  }).map(stripUndefined), { minLength: 1, maxLength: 3 }),
});

const referenceGrant = fc.record({
  apiVersion: fc.constant("gateway.networking.k8s.io/v1beta1"),
  kind: fc.constant("ReferenceGrant"),
  metadata: fc.record({ name: fc.constantFrom("g1", "g2"), namespace: ns }),
  spec: fc.record({
    from: fc.array(fc.record({ group: fc.constant("gateway.networking.k8s.io"), kind: fc.constantFrom("HTTPRoute", "Gateway", "GRPCRoute", "TCPRoute"), namespace: ns }), { maxLength: 2 }),
    to: fc.array(fc.record({ group: fc.constant(""), kind: fc.constantFrom("Service", "Secret"), name: opt(fc.constantFrom("svc-a", "tls-a")) }).map(stripUndefined), { maxLength: 2 }),
  }),
});

const secret = fc.record({
  apiVersion: fc.constant("v1"),
  kind: fc.constant("Secret"),
  metadata: fc.record({ name: fc.constantFrom("tls-a", "tls-b"), namespace: ns }),
  type: mostly(fc.constant("kubernetes.io/tls"), "Opaque"),
  data: fc.oneof(
    { weight: 8, arbitrary: fc.constant({ "tls.crt": CERT_B64, "tls.key": KEY_B64 }) },
    { weight: 1, arbitrary: fc.constant({ "tls.crt": "bm90IGEgY2VydA==", "tls.key": KEY_B64 }) },
    { weight: 1, arbitrary: fc.constant({ "tls.crt": CERT_B64 }) },
    { weight: 1, arbitrary: fc.constant({ "tls.crt": "!!!not base64", "tls.key": "" }) },
  ),
});

const namespace = fc.record({
  apiVersion: fc.constant("v1"),
  kind: fc.constant("Namespace"),
  metadata: fc.record({ name: ns, labels: fc.dictionary(fc.constantFrom("team", "env"), fc.constantFrom("x", "y"), { maxKeys: 2 }) }),
});

const backendTLSPolicy = fc.record({
  apiVersion: fc.constant(GW),
  kind: fc.constant("BackendTLSPolicy"),
  metadata: fc.record({ name: fc.constantFrom("p1", "p2"), namespace: ns }),
  spec: fc.record({
    targetRefs: fc.array(fc.record({ group: fc.constant(""), kind: fc.constantFrom("Service", "Pod"), name: fc.constantFrom("svc-a", "svc-b"), sectionName: opt(fc.constantFrom("http", "grpc")) }).map(stripUndefined), { maxLength: 2 }),
    validation: fc.oneof(
      fc.record({ hostname: fc.constantFrom("svc.example.com", ""), wellKnownCACertificates: fc.constant("System") }),
      fc.record({ hostname: fc.constant("svc.example.com"), caCertificateRefs: fc.array(fc.record({ group: fc.constant(""), kind: fc.constantFrom("ConfigMap", "Secret"), name: fc.constantFrom("ca", "missing") }), { maxLength: 1 }) }),
    ),
  }),
});

const caConfigMap = fc.record({
  apiVersion: fc.constant("v1"),
  kind: fc.constant("ConfigMap"),
  metadata: fc.record({ name: fc.constant("ca"), namespace: ns }),
  data: fc.constantFrom({ "ca.crt": Buffer.from(CERT_B64, "base64").toString("utf8") }, { "ca.crt": "garbage" }),
});

/** A plausible set of objects of every kind the core reads. */
export const objectSet: fc.Arbitrary<unknown[]> = fc
  .tuple(
    fc.array(gatewayClass, { minLength: 1, maxLength: 3 }),
    fc.array(gateway, { minLength: 1, maxLength: 3 }),
    fc.array(httpRoute, { maxLength: 6 }),
    fc.array(grpcRoute, { maxLength: 2 }),
    fc.array(fc.oneof(l4Route("TCPRoute"), l4Route("TLSRoute"), l4Route("UDPRoute")), { maxLength: 3 }),
    fc.array(service, { maxLength: 6 }),
    fc.array(endpointSlice, { maxLength: 6 }),
    fc.array(referenceGrant, { maxLength: 2 }),
    fc.array(secret, { maxLength: 4 }),
    fc.array(namespace, { maxLength: 3 }),
    fc.array(backendTLSPolicy, { maxLength: 2 }),
    fc.array(caConfigMap, { maxLength: 1 }),
  )
  .map((lists) => lists.flat() as unknown[]);

/** One mutation: walk a path of key choices into an object, then delete or replace what is there. */
export interface Mutation {
  target: number;
  path: number[];
  action: { del: true } | { value: unknown };
}

const junk = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.string({ maxLength: 4 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.constant("-1"),
  fc.constant("__proto__"),
  fc.anything({ maxDepth: 2, maxKeys: 3 }),
);

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  target: fc.nat(),
  path: fc.array(fc.nat(), { minLength: 1, maxLength: 7 }),
  action: fc.oneof({ arbitrary: fc.constant({ del: true as const }), weight: 1 }, { arbitrary: junk.map((value) => ({ value })), weight: 3 }),
});

/** Applies mutations to a deep copy of the objects (the originals are left alone). */
export function mutate(objects: readonly unknown[], mutations: readonly Mutation[]): unknown[] {
  const out = structuredClone(objects) as unknown[];
  if (out.length === 0) return out;
  for (const m of mutations) {
    const ti = m.target % out.length;
    let parent: Record<string, unknown> | unknown[] = out;
    let key: string | number = ti;
    for (const step of m.path) {
      const here: unknown = (parent as Record<string | number, unknown>)[key];
      if (!here || typeof here !== "object") break;
      const keys: string[] = Object.keys(here);
      if (keys.length === 0) break;
      parent = here as Record<string, unknown>;
      key = keys[step % keys.length]!;
    }
    if ("del" in m.action) {
      // Splice, not delete: JSON never has holes in arrays.
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete (parent as Record<string | number, unknown>)[key];
    } else {
      (parent as Record<string | number, unknown>)[key] = m.action.value;
    }
  }
  return out;
}

/** Objects, then mutated objects plus a little top-level junk. */
export const mutatedObjectSet: fc.Arbitrary<unknown[]> = fc
  .tuple(objectSet, fc.array(mutation, { minLength: 1, maxLength: 8 }), fc.array(junk, { maxLength: 2 }))
  .map(([objects, mutations, extra]) => [...mutate(objects, mutations), ...extra]);

function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
